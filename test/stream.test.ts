/**
 * `--x -` on a slow pipe, through the built binary: each row is printed when its line arrives, not
 * when 65,536 lines have or the input ends. The test writes a line, waits for its row, and only
 * then writes the next (a generous timeout: this checks behaviour, not speed).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = `${root}bin/dezero-grad.js`;
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined };

/** Resolves with everything printed so far once `done(text)` holds; rejects after `ms`. */
function until(
  out: { text: string; wake: (() => void) | null },
  done: (t: string) => boolean,
  ms = Number(process.env.STREAM_TEST_MS ?? 20_000),
) {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no such output within ${ms} ms; got ${JSON.stringify(out.text)}`)),
      ms,
    );
    const look = (): void => {
      if (done(out.text)) {
        clearTimeout(timer);
        out.wake = null;
        resolve(out.text);
      } else out.wake = look;
    };
    look();
  });
}

for (const format of ['tsv', 'table'] as const) {
  test(`--x - with --format ${format}: a row follows its line on a slow pipe`, async () => {
    const args = [bin, 'square(x) + 1', '--x', '-', ...(format === 'tsv' ? ['--format', 'tsv'] : [])];
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = { text: '', wake: null as (() => void) | null };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out.text += d;
      out.wake?.();
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const rows = (t: string): string[][] =>
      t
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/));
    const xs = [3, 0.5, -2];
    try {
      for (const [k, x] of xs.entries()) {
        child.stdin.write(`${x}\n`);
        // The k-th row, before any more input is written: x, y = x^2 + 1, dy/dx = 2x.
        const text = await until(out, (t) => rows(t).length === k + 1);
        assert.deepEqual(rows(text)[k], [String(x), String(x * x + 1), String(2 * x)]);
      }
    } catch (e) {
      child.kill();
      throw e;
    }
    child.stdin.end();
    assert.equal(await exited, 0, stderr);
    assert.equal(rows(out.text).length, xs.length);
    assert.equal(out.text.split('\n')[0].trim().split(/\s+/).join(' '), 'x y dy/dx');
  });
}

test('--x -: a line too long after good lines in the same piece prints their rows, then the error', async () => {
  const child = spawn(process.execPath, [bin, 'x + 1', '--x', '-', '--format', 'tsv'], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.end(`1\n2\n${'9'.repeat(2_000_001)}\n3\n`);
  assert.equal(await exited, 2);
  assert.equal(stdout, 'x\ty\tdy/dx\n1\t2\t1\n2\t3\t1\n');
  assert.match(stderr, /line 3 of standard input \(--x -\) is longer than 2000000 characters/);
});

test('the text trace of a deep chain comes in pieces of at most 4,096 lines, one line a record', async () => {
  const { grad } = await import('../src/api/grad.js');
  const { renderText, textPieces } = await import('../src/report/text.js');
  const n = 10_000;
  const r = grad(`${'sin('.repeat(n)}x${')'.repeat(n)}`, { x: 0.5 });
  const values = new Map([['x', 0.5]]);
  const pieces = [...textPieces(r, values)];
  const counts = pieces.map((p) => p.split('\n').length - 1);
  assert.ok(pieces.length >= 5, `${pieces.length} pieces`);
  assert.ok(
    counts.every((c) => c <= 4096 + 3),
    String(counts),
  );
  assert.ok(pieces.every((p) => p.endsWith('\n')));
  // forward, x, n steps, backward, the seed, n steps, y and dy/dx.
  assert.equal(
    counts.reduce((a, b) => a + b),
    1 + 1 + n + 1 + 1 + n + 2,
  );
  assert.equal(pieces.join(''), renderText(r, values));
  assert.ok(pieces.join('').endsWith(`dy/dx = ${r.gradient.x}\n`));
});

test('a line printed as read is exactly how formatNumber writes its number', async () => {
  const fc = (await import('fast-check')).default;
  const { formatNumber } = await import('../src/report/format.js');
  const { isShortestForm } = await import('../src/report/table.js');
  // Strings made of the pieces of decimals: signs, zeros, digits, points, exponents.
  const piece = fc.constantFrom('-', '+', '0', '0', '0', '1', '5', '9', '.', 'e', '00000', '123456789');
  const text = fc.array(piece, { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
  let accepted = 0;
  fc.assert(
    fc.property(text, (t) => {
      if (!isShortestForm(t)) return;
      accepted++;
      assert.equal(formatNumber(Number(t)), t);
    }),
    { numRuns: 20_000 },
  );
  assert.ok(accepted > 1000, `only ${accepted} accepted`);
  // Every double's own shortest form with at most 15 significant digits is accepted.
  fc.assert(
    fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 9 }), (k, e) => {
      const t = String(k / 10 ** e);
      const digits = t.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length;
      if (!t.includes('e') && digits <= 15 && Math.abs(k / 10 ** e) >= 1e-6) assert.ok(isShortestForm(t), t);
    }),
  );
  for (const t of ['0.5', '-0', '0', '12.25', '0.000001', '123456789012345'])
    assert.ok(isShortestForm(t), `${t} is accepted`);
  for (const t of ['0.50', '.5', '5.', '+1', '1e3', '0.0000001', '1234567890123456', '0.1234567890123456', '00', '-'])
    assert.ok(!isShortestForm(t), `${t} is formatted again`);
});

test('--x - with --precision formats the streamed column too; other lines print as they read', async () => {
  const { spawnSync } = await import('node:child_process');
  const run = (args: string[], input: string) =>
    spawnSync(process.execPath, [bin, 'x*2', '--x', '-', '--format', 'tsv', ...args], { env, input, encoding: 'utf8' });
  const p = run(['--precision', '3'], '0.123456\n2\n');
  assert.equal(p.status, 0, p.stderr);
  assert.equal(
    p.stdout,
    `x\ty\tdy/dx\n${Number((0.123456).toPrecision(3))}\t${Number((0.246912).toPrecision(3))}\t2\n2\t4\t2\n`,
  );
  // Not how JavaScript writes the number: the number's own text instead (0.50 is 0.5, 1e3 is 1000).
  const q = run([], '0.50\n1e3\n+2\n.25\n');
  assert.equal(q.status, 0, q.stderr);
  assert.equal(q.stdout, 'x\ty\tdy/dx\n0.5\t1\t2\n1000\t2000\t2\n2\t4\t2\n0.25\t0.5\t2\n');
});
