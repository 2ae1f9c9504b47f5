/**
 * Runs the built binary as a real process under a deadline and measures what it took: wall-clock
 * time and peak resident memory (VmHWM from /proc/PID/status, polled while it runs; the high-water
 * mark only grows, so the last reading before exit is within one poll of the peak). A run past
 * its deadline is killed and reported as timed out, never waited for.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { ROOT } from './process.js';
import './cache-home.js';

export interface BoundedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  ms: number;
  /** Peak resident memory in MB (0 where /proc is not available). */
  peakMB: number;
  timedOut: boolean;
}

export interface BoundedOptions {
  /** Standard input: text written to a pipe, or a path opened as the file (`< /dev/zero`). */
  stdin?: string | Buffer | { path: string };
  /** Killed after this many milliseconds (default 10 s). */
  timeoutMs?: number;
  env?: Record<string, string>;
  /** The working directory (default: the repository root). */
  cwd?: string;
}

const peakKB = (pid: number): number => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
};

export function runBounded(args: string[], options: BoundedOptions = {}): Promise<BoundedRun> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const stdinFd =
    typeof options.stdin === 'object' && 'path' in options.stdin ? openSync(options.stdin.path, 'r') : undefined;
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/dezero-grad.js', ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: [stdinFd ?? 'pipe', 'pipe', 'pipe'],
  });
  if (stdinFd !== undefined) closeSync(stdinFd);
  else {
    child.stdin!.on('error', () => {}); // the program may stop reading early (a limit)
    child.stdin!.end(options.stdin as string | Buffer | undefined);
  }
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  let peak = 0;
  let timedOut = false;
  const poll = setInterval(() => (peak = Math.max(peak, peakKB(child.pid!))), 20);
  const deadline = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(deadline);
      resolve({
        code,
        signal,
        out: Buffer.concat(out).toString('utf8'),
        err: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - started,
        peakMB: peak / 1024,
        timedOut,
      });
    });
  });
}

/** Control characters other than newline and tab (C0, DEL, C1), and the invisible and bidi ones. */
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
