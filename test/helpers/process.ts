/** Runs the built program and shell pipelines as real processes, in the repository root. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import './cache-home.js';

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
