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
  /** Standard input: one string, or pieces that arrive as separate chunks (to split lines across them). */
  stdin?: string | string[];
  /** The content every readFile returns, whatever the path. */
  file?: string;
}

export async function runCli(argv: string[], fake: FakeIO = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const pieces = typeof fake.stdin === 'string' ? [fake.stdin] : (fake.stdin ?? []);
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
    readStdin: async () => pieces.join(''),
    stdinChunks: async function* () {
      for (const piece of pieces) yield piece;
    },
    readFile: async (path) => fake.file ?? readFile(path, 'utf8'),
    ...fake,
  };
  const code = await run(argv, io);
  return { code, out, err };
}
