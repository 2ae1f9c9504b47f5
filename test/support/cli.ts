/** Runs the CLI in-process with a fake IO and returns what it wrote and its exit code. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/program.js';
import type { IO } from '../../src/cli/io.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function cli(argv: string[], files: Record<string, string> = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: IO = {
    out: (s) => { out += s; },
    err: (s) => { err += s; },
    env: { NO_COLOR: '1' },
    stdinIsTTY: false,
    stdoutIsTTY: false,
    readStdin: async () => '',
    readFile: async (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return text;
    },
  };
  const code = await run(argv, io);
  return { code, out, err };
}

/** The repository root (build/test/support -> ../../..). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs a shell command in the repository root with bash. */
export function shell(command: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', command], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs node with `args` in the repository root. */
export function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
