/** Runs the CLI in-process with a fake IO and returns what it wrote and the exit code. */
import { readFile } from 'node:fs/promises';
import { run } from '../../src/cli/program.js';
import type { IO } from '../../src/cli/io.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export interface FakeIO extends Partial<IO> {
  stdin?: string;
}

export async function runCli(argv: string[], fake: FakeIO = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: IO = {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    env: {},
    stdinIsTTY: false,
    stdoutIsTTY: false,
    readStdin: async () => fake.stdin ?? '',
    readFile: (path) => readFile(path, 'utf8'),
    ...fake,
  };
  const code = await run(argv, io);
  return { code, out, err };
}
