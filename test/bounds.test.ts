/**
 * Bounded under hostile and unlucky input (issue 15), each case through the built binary: exit 2
 * (or the documented code) with one message, within a few seconds, in bounded memory (peak RSS
 * measured), and no raw control character on the terminal.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MAX_INPUT_LENGTH } from '../src/expr/parse.js';
import { FIFO_WAIT_MS, MAX_READ_BYTES } from '../src/cli/io.js';
import { MAX_JSON_POINTS } from '../src/cli/values.js';
import { RAW_CONTROL, runBounded, type BoundedRun } from './helpers/bounded.js';
import { shell } from './helpers/process.js';
import './helpers/cache-home.js';

const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-bounds-'));

/** Peak memory allowed for a refused input: a small multiple of a bare run (~45 MB). */
const PEAK_MB = 250;
/** Time allowed for a refusal (generous: two shared cores). */
const QUICK_MS = 5000;

/** One clear message on stderr, exit 2, quickly, in bounded memory, nothing raw. */
function refused(r: BoundedRun, message: RegExp): void {
  const what = `exit ${r.code}, ${r.ms.toFixed(0)} ms, ${r.peakMB.toFixed(0)} MB\n${r.err.slice(0, 2000)}`;
  assert.equal(r.timedOut, false, `timed out: ${what}`);
  assert.equal(r.code, 2, what);
  assert.match(r.err, /^dezero-grad: /, what);
  assert.equal(r.err.match(/^dezero-grad: /gm)?.length, 1, `one message: ${what}`);
  assert.match(r.err, message, what);
  assert.doesNotMatch(r.err, /internal error|\n\s+at /, what);
  assert.ok(r.ms < QUICK_MS, `took ${r.ms.toFixed(0)} ms: ${what}`);
  assert.ok(r.peakMB < PEAK_MB, `peak ${r.peakMB.toFixed(0)} MB: ${what}`);
  assert.doesNotMatch(r.out + r.err, RAW_CONTROL, 'a raw control character in the output');
}

// ---- every input path reads with a limit --------------------------------------------------------

test('-f /dev/zero, - < /dev/zero: refused at the read limit, at once, in bounded memory', async () => {
  const bytes = new RegExp(`larger than ${MAX_READ_BYTES} bytes`);
  refused(await runBounded(['-f', '/dev/zero', '--x', '1']), new RegExp(`/dev/zero is ${bytes.source}`));
  refused(await runBounded(['-', '--x', '1'], { stdin: { path: '/dev/zero' } }), /standard input is larger than/);
});

test('repl < /dev/zero and --x - < /dev/zero: a line past the limit is refused as soon as it passes it', async () => {
  const line = new RegExp(`line 1 of standard input.* is longer than ${MAX_INPUT_LENGTH} characters`);
  refused(await runBounded(['repl'], { stdin: { path: '/dev/zero' } }), line);
  refused(await runBounded(['x', '--x', '-'], { stdin: { path: '/dev/zero' } }), line);
});

test('one 30 MB line without a newline: linear, refused at the limit on every path', async () => {
  const file = join(dir, 'one-line.txt');
  writeFileSync(file, '1'.repeat(30_000_000));
  for (const args of [['x', '--x', '-'], ['repl'], ['-']]) {
    const r = await runBounded(args, { stdin: { path: file } });
    refused(r, /longer than|larger than/);
  }
  // Under the line limit, a long line is read and judged by the parser (a number too long).
  const r = await runBounded(['x', '--x', '-'], { stdin: '2'.repeat(1_000_000) });
  refused(r, /line 1 of standard input/);
});

test('-f FIFO with no writer: an error after a few seconds, not a silent wait', async () => {
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const r = await runBounded(['-f', fifo, '--x', '1'], { timeoutMs: FIFO_WAIT_MS + 5000 });
  assert.equal(r.timedOut, false);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /nothing was written to .*fifo within 5 s \(it is a FIFO/);
  assert.ok(r.ms >= FIFO_WAIT_MS - 100, `${r.ms} ms`);
  // With a writer it is read as a file.
  const both = shell(`(sleep 0.3; echo 'x^2' > '${fifo}') & node bin/dezero-grad.js -f '${fifo}' --x 3 -q`);
  assert.equal(both.stdout, `y = 9\ndy/dx = ${2 * 3}\n`, both.stderr);
});

// ---- work is checked against a bound before it starts -------------------------------------------

test('--json of a huge range is refused before the range is made; with --quiet or without', async () => {
  for (const quiet of [[], ['-q']]) {
    refused(
      await runBounded(['x', '--x', '1:50000000', '--json', ...quiet]),
      new RegExp(`the range has 50000000 points \\(the limit is ${MAX_JSON_POINTS}\\)`),
    );
  }
  refused(await runBounded(['x', '--x', '1:4000000', '--json']), /the limit is 1000000/);
  // Without --quiet every node is recorded at every point: bounded too.
  refused(await runBounded(['sin(x)*cos(x)', '--x', '1:400000', '--json']), /add --quiet/);
  // From standard input: counted as it arrives.
  const lines = Array.from({ length: MAX_JSON_POINTS + 10 }, (_, i) => String(i)).join('\n');
  refused(await runBounded(['x', '--x', '-', '--json', '-q'], { stdin: lines }), /more than its limit of 1000000/);
  // At the bound it works, written in pieces: the value of x^2 at 1..1000000.
  const ok = await runBounded(['x^2', '--x', `1:${MAX_JSON_POINTS}`, '--json', '-q']);
  assert.equal(ok.code, 0, ok.err);
  const j = JSON.parse(ok.out);
  assert.equal(j.value.length, MAX_JSON_POINTS);
  assert.equal(j.value[MAX_JSON_POINTS - 1], MAX_JSON_POINTS ** 2);
  assert.equal(j.gradient.x[16_384], 2 * 16_385, 'across a piece boundary');
  assert.ok(ok.peakMB < PEAK_MB, `peak ${ok.peakMB.toFixed(0)} MB`);
});

test('--hessian with thousands of variables is refused before any pass', async () => {
  const n = 6000;
  const file = join(dir, 'many.txt');
  writeFileSync(file, Array.from({ length: n }, (_, i) => `x${i}*x${i}`).join('+'));
  const values = Array.from({ length: n }, (_, i) => [`--x${i}`, '1']).flat();
  refused(await runBounded(['-f', file, ...values, '--hessian', '-q']), /--hessian of 6000 variables .*limit is 200/);
});

test("the REPL's :check on a function nested 40 deep answers quickly (the symbolic side is bounded)", async () => {
  let nested = 'x';
  for (let i = 0; i < 40; i++) nested = `f(${nested})`;
  const r = await runBounded(['repl'], { stdin: `x = 0.5\nf(t) = t*t\n${nested}\n:check\n` });
  assert.equal(r.code, 0, r.err);
  assert.ok(r.ms < QUICK_MS, `${r.ms} ms`);
  // x^(2^40) at 0.5 underflows to 0, and so does its gradient.
  assert.match(r.out, /symbolic +none: the expression has \d+ nodes; the symbolic oracle stops at 1000/);
  assert.match(r.out, /ok: the gradient agrees/);
});

// ---- raw control characters never reach the terminal ---------------------------------------------

const ESC_TITLE = '\u001b]0;PWNED\u0007';
const SLOTS: { name: string; args: string[]; stdin?: string }[] = [
  { name: '--precision', args: ['x', '--x', '1', '--precision', ESC_TITLE] },
  { name: '--order', args: ['x', '--x', '1', '--order', ESC_TITLE] },
  { name: '--format', args: ['x', '--x', '1', '--format', ESC_TITLE] },
  { name: '--wrt', args: ['x*y', '--x', '1', '--y', '1', '--order', '2', '--wrt', ESC_TITLE] },
  { name: '-v', args: ['x', '-v', ESC_TITLE] },
  { name: '-f FILE', args: ['-f', `no-such-file${ESC_TITLE}`, '--x', '1'] },
  { name: 'a value', args: ['x', '--x', `1${ESC_TITLE}`] },
  { name: 'a value with a C1 control and a bidi override', args: ['x', '--x', '1\u009b31m\u202e'] },
  { name: 'the expression, CR', args: [`x\r${ESC_TITLE}`, '--x', '1'] },
  { name: 'the expression, bidi', args: ['x\u202e+1', '--x', '1'] },
  { name: '--graph', args: ['x', '--x', '1', '--graph', `${ESC_TITLE}.bmp`] },
  { name: 'a REPL command', args: ['repl'], stdin: `:help${ESC_TITLE}\n` },
  { name: "a REPL command's argument", args: ['repl'], stdin: `:order ${ESC_TITLE}\n` },
  { name: 'a REPL line', args: ['repl'], stdin: `x = 1${ESC_TITLE}\n` },
  { name: 'a line of --x -', args: ['x', '--x', '-'], stdin: `1\n\u0007\u001b[2J\n` },
];

for (const slot of SLOTS) {
  test(`control characters through ${slot.name} are shown visibly (\\x1b), never raw`, async () => {
    const r = await runBounded(slot.args, slot.stdin === undefined ? {} : { stdin: slot.stdin });
    assert.equal(r.code, 2, r.err);
    assert.doesNotMatch(r.out + r.err, RAW_CONTROL, JSON.stringify(r.err));
    assert.match(r.err, /\\x1b|\\x9b|<U\+202E>|\\x07/, r.err);
    assert.doesNotMatch(r.err, /internal error/);
  });
}

test('the caret stays under the spot when controls before it are shown as \\x1b', async () => {
  const r = await runBounded(['x\u001b\u001b+*', '--x', '1']);
  assert.equal(r.code, 2);
  const [, shownLine, caret] = r.err.split('\n');
  assert.equal(shownLine, '  x\\x1b\\x1b+*');
  // The error is at the first ESC (column 2): the caret under its backslash.
  assert.equal(caret.indexOf('^'), shownLine.indexOf('\\'));
});

// ---- internal errors that were bad input ---------------------------------------------------------

test('an unbound name of 40,000 characters, and of 1,999,999: one short message, exit 2', async () => {
  refused(await runBounded(['a'.repeat(40_000)]), /^dezero-grad: no value for a+…a+ \(column 1\)/);
  const file = join(dir, 'long-name.txt');
  writeFileSync(file, 'b'.repeat(1_999_999));
  const r = await runBounded(['-f', file]);
  refused(r, /no value for b+…/);
  assert.ok(r.err.length < 1000, `${r.err.length} characters of message`);
});

test('sqrt(x) at -0: gradient Infinity as at 0 (README), and -0 prints as -0 so output reads back', async () => {
  const r = await runBounded(['sqrt(x)', '--x', '-0', '-q']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'y = -0\ndy/dx = Infinity\n');
  // -x at 0: the value is -0 (IEEE negation), read back as -0.
  const neg = await runBounded(['-x', '--x', '0', '-q']);
  assert.equal(neg.out, 'y = -0\ndy/dx = -1\n');
});

test('(-exp(x))^0.5 at 1000 is NaN by the domain rule (Math.pow(-Infinity, 0.5) is Infinity)', async () => {
  const r = await runBounded(['(-exp(x))^0.5', '--x', '1000', '-q']);
  assert.equal(r.code, 0);
  assert.equal(r.out, 'y = NaN\ndy/dx = NaN\n');
  // An integer exponent stays as Math.pow has it: (-Infinity)^3 = -Infinity.
  const cube = await runBounded(['(-exp(x))^3', '--x', '1000', '-q']);
  assert.match(cube.out, /^y = -Infinity\n/);
});

// ---- streaming --x -: the rows computed, then the error -----------------------------------------

test('--x -: a bad line prints the rows before it, then the error with its line, exit 2', async () => {
  const r = await runBounded(['x^2', '--x', '-', '--format', 'tsv'], { stdin: '1\n2\nfoo\n' });
  assert.equal(r.code, 2);
  assert.equal(r.out, `x\ty\tdy/dx\n1\t1\t2\n2\t4\t${2 * 2}\n`);
  assert.match(r.err, /line 3 of standard input: 'foo' is not a number/);
  // A bad line at 100,001: the 100,000 rows before it are all printed.
  const lines = Array.from({ length: 100_000 }, (_, i) => String(i + 1)).join('\n') + '\nfoo\n';
  const big = await runBounded(['x', '--x', '-', '--format', 'tsv'], { stdin: lines });
  assert.equal(big.code, 2);
  assert.equal(big.out.trimEnd().split('\n').length, 1 + 100_000);
  assert.match(big.err, /line 100001 of standard input/);
});

// ---- ranges and output ---------------------------------------------------------------------------

test('ranges: STOP off the grid is not included, the count of 0:1e12:1 is exact, 1e-400 is refused', async () => {
  const r = await runBounded(['x', '--x', '0:2.9999999999:1', '--format', 'tsv']);
  assert.deepEqual(
    r.out
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t')[0]),
    ['0', '1', '2'],
  );
  const on = await runBounded(['x', '--x', '0:0.3:0.1', '--format', 'tsv']);
  assert.equal(on.out.trimEnd().split('\n').length, 1 + 4, 'STOP on the grid up to rounding is included');
  refused(await runBounded(['x', '--x', '0:1e12:1']), new RegExp(`the range has ${1e12 + 1} points`));
  refused(await runBounded(['x', '--x', '1e-400']), /'1e-400' is smaller than the smallest double/);
  refused(await runBounded(['x*1e-400', '--x', '1']), /'1e-400' is smaller than the smallest double/);
  const streamed = await runBounded(['x', '--x', '-', '--format', 'tsv'], { stdin: '0\n0e5\n1e-400\n' });
  assert.equal(streamed.code, 2);
  assert.equal(streamed.out, 'x\ty\tdy/dx\n0\t0\t1\n0\t0\t1\n');
  assert.match(streamed.err, /line 3 of standard input: number '1e-400' is smaller than the smallest double/);
  // The smallest subnormal is a number, not 0.
  const tiny = await runBounded(['x', '--x', '5e-324', '-q']);
  assert.match(tiny.out, /^y = 5e-324\n/);
});

test('output: stdout closed (>&-) exits non-zero; stderr on /dev/full keeps the exit code', () => {
  const closed = shell('node bin/dezero-grad.js x --x 1 >&-; echo "exit $?" >&2');
  assert.match(closed.stderr, /cannot write to standard output: it is closed\nexit 1\n$/);
  const devnull = shell('node bin/dezero-grad.js x --x 1 > /dev/null; echo "exit $?"');
  assert.equal(devnull.stdout, 'exit 0\n');
  // A warning to a full stderr: the result still exits 0; bad input still exits 2.
  const warned = shell('node bin/dezero-grad.js "log(x)" --x 0 -q 2> /dev/full; echo "exit $?"');
  assert.equal(warned.stdout, 'y = -Infinity\ndy/dx = Infinity\nexit 0\n');
  const bad = shell('node bin/dezero-grad.js "sin(" 2> /dev/full; echo "exit $?"');
  assert.equal(bad.stdout, 'exit 2\n');
});

test('a byte-order mark at the start of a -f file is read as nothing', async () => {
  const file = join(dir, 'bom.txt');
  writeFileSync(file, '\ufeffx^2\n');
  const r = await runBounded(['-f', file, '--x', '3', '-q']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, `y = 9\ndy/dx = ${2 * 3}\n`);
});

test('cleanup', () => rmSync(dir, { recursive: true, force: true }));

test('--x - paired with a list reads no more lines than the list has', async () => {
  // An endless stream: the answer comes once one value more than the list has been read.
  const r = await runBounded(['x*y', '--x', '-', '--y', '1,2,3'], { stdin: { path: '/dev/zero' } });
  refused(r, /line 1 of standard input/); // NULs are not a number
  const lines = Array.from({ length: 200_000 }, (_, i) => String(i)).join('\n');
  refused(
    await runBounded(['x*y', '--x', '-', '--y', '1,2,3'], { stdin: lines }),
    /different lengths: --y has 3, --x - has more than 3/,
  );
  const ok = await runBounded(['x*y', '--x', '-', '--y', '1,2,3', '--format', 'tsv'], { stdin: '4\n5\n6\n' });
  assert.equal(ok.out, `x\ty\tz\tdz/dx\tdz/dy\n4\t1\t${4 * 1}\t1\t4\n5\t2\t${5 * 2}\t2\t5\n6\t3\t${6 * 3}\t3\t6\n`);
});

test('a range of 3,000,000 points streams its rows in bounded memory', async () => {
  // 3,000,000 points of x: the rows stream out; memory stays near a small run's.
  const r = await runBounded(['x', '--x', '1:3000000', '--format', 'tsv', '-q'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.err);
  const rows = r.out.trimEnd().split('\n');
  assert.equal(rows.length, 1 + 3_000_000);
  assert.equal(rows[3_000_000], '3000000\t3000000\t1');
  assert.ok(r.peakMB < PEAK_MB, `peak ${r.peakMB.toFixed(0)} MB`);
});
