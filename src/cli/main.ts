/**
 * The CLI entry: the only module that touches `process`. argv in, exit code out.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { run } from './program.js';
import { EXIT, ExitSignal } from './errors.js';
import type { IO } from './io.js';

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

/** Writes to a stream; a closed pipe (`| head`) ends the program quietly, other errors exit 1. */
function writer(stream: NodeJS.WriteStream, name: string): (text: string) => void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.OK);
    if (name === 'stdout') process.stderr.write(`dezero-grad: cannot write to standard output: ${e.message}\n`);
    process.exit(EXIT.INTERNAL);
  });
  return (text) => {
    stream.write(text);
  };
}

async function ask(name: string, validate: (text: string) => string | true): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  try {
    return await input({ message: `${name} =`, validate });
  } catch (e) {
    if (e instanceof Error && e.name === 'ExitPromptError') throw new ExitSignal(EXIT.INTERRUPTED);
    throw e;
  }
}

/** `dot -T<format> -o <file>` with the DOT on standard input (only for --graph). */
async function runGraphviz(dot: string, format: string, file: string): Promise<'ok' | 'missing' | { error: string }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn('dot', [`-T${format}`, '-o', file], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ENOENT' ? 'missing' : { error: e.message }));
    child.on('close', (code) => {
      resolve(code === 0 ? 'ok' : { error: stderr || `dot exited with ${code === null ? 'a signal' : `code ${code}`}` });
    });
    child.stdin.on('error', () => {}); // reported through 'error' or 'close'
    child.stdin.end(dot);
  });
}

async function choose(message: string, choices: readonly string[]): Promise<string> {
  const { select } = await import('@inquirer/prompts');
  try {
    return await select({ message, choices: choices.map((value) => ({ value })) });
  } catch (e) {
    if (e instanceof Error && e.name === 'ExitPromptError') throw new ExitSignal(EXIT.INTERRUPTED);
    throw e;
  }
}

export async function main(): Promise<void> {
  const io: IO = {
    out: writer(process.stdout, 'stdout'),
    err: writer(process.stderr, 'stderr'),
    env: process.env,
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    readStdin,
    readFile: (path) => readFile(path, 'utf8'),
    ask,
    writeFile: (path, text) => writeFile(path, text, 'utf8'),
    runGraphviz,
    input: process.stdin,
    output: process.stdout,
    choose,
  };
  process.exitCode = await run(process.argv.slice(2), io);
}
