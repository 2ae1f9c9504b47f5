// The command-line fuzz run: `npm run fuzz:cli [-- COUNT [SEED]]` (default 3,000 inputs, a random
// seed). Feeds random bytes, control characters and invalid UTF-8 into every input slot: the
// expression, a variable's value (number, list, range), each option's argument, a variable's name,
// -f's file name and the file's contents, standard input as the expression and as --x -, and the
// REPL's lines and command arguments. Each input runs the program in-process (run() with files and
// standard input read by the real readBounded), and every 25th also through the built binary as
// a real process. A run fails on an internal error (exit 1, "internal error"), on a timeout, or
// when a raw control character (C0 but newline and tab, DEL, C1, zero-width and direction marks)
// reaches standard output or standard error.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../build/src/cli/program.js';
import { MAX_READ_BYTES, readBounded } from '../build/src/cli/io.js';

const count = Number(process.argv[2] ?? 3000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const BINARY_EVERY = 25;
const TIMEOUT_MS = 10_000;
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-fuzz-cli-'));
const BIN = fileURLToPath(new URL('../bin/dezero-grad.js', import.meta.url));

// A small seeded generator (mulberry32), so a failing seed can be run again.
let state = seed >>> 0;
const rnd = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const int = (n) => Math.floor(rnd() * n);

const ESCAPES = ['\x1b]0;PWNED\x07', '\x1b[2J', '\x1b[31m', '\x07', '\r', '\x08', '\x00', '\x7f', '\x9b', '\x85'];
const INVISIBLE = ['\u202e', '\u200b', '\u2066', '\ufeff', '\u2028', '\u00ad'];
const SNIPPETS = ['x', 'y', 'sin(', ')', '1', '-', '0.5', '1e309', '1e-400', ',', ':', 'pi', '^', '*', ' ', '=', '\n'];
/** Byte sequences that are not UTF-8: a lone continuation, an overlong NUL, a truncated sequence, 0xFF. */
const INVALID = [[0x80], [0xc0, 0x80], [0xe2, 0x82], [0xff], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]];

/** Random bytes: a mix of snippets, escapes, invisibles, invalid UTF-8 and arbitrary bytes. */
function bytes(max = 40) {
  const parts = [];
  const n = 1 + int(max);
  for (let i = 0; i < n; i++) {
    const k = int(10);
    if (k < 4) parts.push(Buffer.from(pick(SNIPPETS)));
    else if (k < 6) parts.push(Buffer.from(pick(ESCAPES)));
    else if (k < 7) parts.push(Buffer.from(pick(INVISIBLE)));
    else if (k < 8) parts.push(Buffer.from(pick(INVALID)));
    else parts.push(Buffer.from([int(256)]));
  }
  return Buffer.concat(parts);
}
/** As an argument arrives from the shell: bytes decoded as UTF-8, invalid ones as U+FFFD (no NUL in argv). */
const arg = (max) => new TextDecoder().decode(bytes(max)).replaceAll('\0', '');

const OPTIONS = ['--precision', '--order', '--format', '--wrt', '--graph', '-v', '--var'];
const COMMANDS = [':order', ':clear', ':check', ':help', ':trace', ':json', ':tree', ':dot', ':vars', ':funcs', ':'];

/** One input: argv and what standard input and files hold. */
function input() {
  switch (int(10)) {
    case 0:
      return { slot: 'expression', argv: [arg(), '--x', '1', '--y', '2'] };
    case 1:
      return { slot: 'value', argv: ['x*y', '--x', arg(), '--y', pick(['1', '0:1:0.5', '1,2,3'])] };
    case 2:
      return { slot: 'option', argv: ['x*y', '--x', '1', '--y', '2', pick(OPTIONS), arg(20)] };
    case 3:
      return { slot: 'name', argv: ['x', `--${arg(10)}`, arg(5)] };
    case 4:
      return { slot: '-f name', argv: ['-f', arg(20), '--x', '1'] };
    case 5:
      return { slot: '-f contents', argv: ['-f', 'FILE', '--x', '1', '--y', '2'], file: bytes(60) };
    case 6:
      return { slot: 'stdin expression', argv: ['-', '--x', '1'], stdin: bytes(60) };
    case 7:
      return {
        slot: 'stdin values',
        argv: ['x^2', '--x', '-', ...pick([[], ['--format', 'tsv'], ['--json', '-q']])],
        stdin: Buffer.concat(Array.from({ length: 1 + int(5) }, () => Buffer.concat([bytes(8), Buffer.from('\n')]))),
      };
    default: {
      // A session: bindings, definitions and commands with random arguments.
      const lines = ['x = 0.5', 'f(t) = t*t', 'sin(x)'];
      for (let i = 0; i < 1 + int(4); i++) {
        const k = int(4);
        if (k === 0) lines.push(`${pick(COMMANDS)} ${arg(10)}`);
        else if (k === 1) lines.push(`${pick(['x', 'g(t)', 'y'])} = ${arg(15)}`);
        else lines.push(arg(20));
      }
      lines.push(':funcs', ':vars'); // what was defined, shown back
      const text = Buffer.concat(lines.map((l) => Buffer.concat([Buffer.from(l), Buffer.from('\n')])));
      return { slot: 'repl', argv: ['repl'], stdin: rnd() < 0.2 ? Buffer.concat([text, bytes(30)]) : text };
    }
  }
}

/** The program in-process: files and standard input through the real readBounded. */
async function inProcess(c, stdinPath) {
  let out = '';
  let err = '';
  const io = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    env: { NO_COLOR: '1' },
    stdinIsTTY: false,
    stdoutIsTTY: false,
    readStdin: () => readBounded(stdinPath, MAX_READ_BYTES, 'standard input'),
    stdinChunks: async function* () {
      // Split at random points, UTF-8 sequences too, decoded as a stream would be.
      const decoder = new TextDecoder();
      const b = c.stdin ?? Buffer.alloc(0);
      for (let at = 0; at < b.length; ) {
        const next = Math.min(b.length, at + 1 + int(16));
        yield decoder.decode(b.subarray(at, next), { stream: true });
        at = next;
      }
      yield decoder.decode();
    },
    readFile: (path) => readBounded(path === 'FILE' ? join(dir, 'file') : path, MAX_READ_BYTES),
    writeFile: async () => {},
  };
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS)));
  const started = performance.now();
  try {
    const code = await Promise.race([run(c.argv, io), timeout]);
    return { code, out, err, ms: performance.now() - started };
  } catch (e) {
    return { code: 'threw', out, err: err + String(e?.stack ?? e), ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** The built binary as a real process, in the scratch folder (a --graph file lands there). */
function binary(c) {
  const argv = c.argv.map((a) => (a === 'FILE' ? join(dir, 'file') : a));
  const r = spawnSync(process.execPath, [BIN, ...argv], {
    input: c.stdin ?? Buffer.alloc(0),
    timeout: TIMEOUT_MS,
    env: { ...process.env, NO_COLOR: '1' },
    cwd: dir,
  });
  return { code: r.signal ?? r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}

function problem(r) {
  if (r.code === 'timeout' || r.code === 'SIGTERM') return 'timeout';
  if (r.code === 'threw') return 'threw';
  if (r.code === 1 || /internal error/.test(r.err)) return 'internal error';
  if (![0, 2, 3].includes(r.code)) return `exit ${r.code}`;
  if (RAW.test(r.out)) return 'raw control character on stdout';
  if (RAW.test(r.err)) return 'raw control character on stderr';
  return undefined;
}

const tally = new Map();
const failures = [];
let binaryRuns = 0;
let slowest = { ms: 0, slot: '' };
const started = performance.now();
for (let i = 0; i < count; i++) {
  const c = input();
  const stdinPath = join(dir, 'stdin');
  writeFileSync(stdinPath, c.stdin ?? Buffer.alloc(0));
  if (c.file !== undefined) writeFileSync(join(dir, 'file'), c.file);
  const results = [['in-process', await inProcess(c, stdinPath)]];
  if (i % BINARY_EVERY === 0) {
    results.push(['binary', binary(c)]);
    binaryRuns++;
  }
  for (const [how, r] of results) {
    const key = `${c.slot}: exit ${r.code}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    if (r.ms !== undefined && r.ms > slowest.ms) slowest = { ms: r.ms, slot: c.slot };
    const p = problem(r);
    if (p !== undefined) failures.push({ problem: p, how, slot: c.slot, argv: c.argv, stdin: c.stdin, r });
  }
}
rmSync(dir, { recursive: true, force: true });

const secs = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `fuzz:cli: ${count} inputs (${binaryRuns} also through the binary) in ${secs} s (seed ${seed}): ${failures.length} failures`,
);
console.log(`slowest in-process run: ${slowest.ms.toFixed(0)} ms (${slowest.slot})`);
for (const [key, n] of [...tally].sort()) console.log(`  ${key}: ${n}`);
const kinds = new Map();
for (const f of failures) kinds.set(`${f.problem} (${f.how})`, (kinds.get(`${f.problem} (${f.how})`) ?? 0) + 1);
for (const [kind, n] of kinds) console.log(`failures: ${kind}: ${n}`);
for (const f of failures.slice(0, 10)) {
  console.log(`\nFAIL (${f.problem}, ${f.how}) in ${f.slot}: argv ${JSON.stringify(f.argv)}`);
  if (f.stdin !== undefined) console.log(`  stdin ${JSON.stringify(f.stdin.toString('latin1'))}`);
  console.log(`  stderr ${JSON.stringify(f.r.err.slice(0, 600))}`);
  console.log(`  stdout ${JSON.stringify(f.r.out.slice(0, 300))}`);
}
if (failures.length > 0) process.exitCode = 1;
