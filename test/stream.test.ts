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

test('writeNumber writes formatNumber(n) byte for byte: random doubles of every kind and the edges', async () => {
  const fc = (await import('fast-check')).default;
  const { formatNumber, writeNumber } = await import('../src/report/format.js');
  const out = new Uint8Array(64);
  const text = (n: number): string => {
    const end = writeNumber(out, 7, n);
    return String.fromCharCode(...out.subarray(7, end));
  };
  const same = (n: number): void => assert.equal(text(n), formatNumber(n), `${formatNumber(n)}`);
  // Every bit pattern (subnormals, NaN, infinities, huge and tiny), then the range written by digits.
  fc.assert(
    fc.property(fc.double(), (n) => same(n)),
    { numRuns: 100_000 },
  );
  fc.assert(
    fc.property(fc.double({ min: 1e-6, max: 1e15, noNaN: true }), (n) => same(n)),
    { numRuns: 200_000 },
  );
  fc.assert(
    fc.property(fc.integer({ min: -1e15, max: 1e15 }), fc.integer({ min: 0, max: 22 }), (k, e) => same(k / 10 ** e)),
    { numRuns: 100_000 },
  );
  // The values a stream's rows print: tanh and its derivative on a grid, as the bench computes them.
  for (let i = 0; i < 200_000; i++) {
    const y = Math.tanh(i / 200_000);
    same(y);
    same(1 - y * y);
  }
  // Neighbours of powers of ten and of two (the decimal exponent's and the ulp's boundaries).
  const bits = new Float64Array(1);
  const words = new BigInt64Array(bits.buffer);
  for (let e = -8; e <= 22; e++) {
    for (const base of [10 ** e, 2 ** Math.round(e * 3.32)]) {
      bits[0] = base;
      const at = words[0];
      for (let d = -300n; d <= 300n; d++) {
        words[0] = at + d;
        same(bits[0]);
        same(-bits[0]);
      }
    }
  }
  for (const n of [
    0,
    -0,
    1e21,
    1e-7,
    1e-6,
    0.000001,
    1e15,
    999999999999999.9,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    Number.MAX_VALUE,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    0.1,
    0.30000000000000004,
    9007199254740992,
    9007199254740993,
    0.9007199254740993,
    2 ** -20,
  ])
    same(n);
});

test('--format tsv and csv rows written as bytes are the rows joined from strings', async () => {
  const { RowWriter } = await import('../src/report/table.js');
  const { formatNumber } = await import('../src/report/format.js');
  const x = Float64Array.from({ length: 1000 }, (_, i) => (i - 500) / 7);
  const y = x.map((v) => Math.exp(v));
  for (const format of ['tsv', 'csv'] as const) {
    const sep = format === 'tsv' ? '\t' : ',';
    const writer = new RowWriter(format, ['x', 'c', 'w', 'y']);
    const words = Array.from(x, (_, i) => (i % 2 ? 'ok' : 'MISMATCH'));
    const text = writer.rows([x, -0, words, y], x.length);
    const want = Array.from(x, (v, i) => [formatNumber(v), '-0', words[i], formatNumber(y[i])].join(sep));
    assert.equal(text, ['x', 'c', 'w', 'y'].join(sep) + '\n' + want.join('\n') + '\n');
    // A word that is not ASCII: the same text, through strings.
    assert.equal(writer.rows([x.subarray(0, 1), ['é']], 1), `${formatNumber(x[0])}${sep}é\n`);
  }
  // A plain table as bytes: the cells padded and joined as strings (a style that is not PLAIN
  // itself, though it writes the same, takes the strings' way), over chunks that widen it.
  const { PLAIN } = await import('../src/report/style.js');
  const bytes = new RowWriter('table', ['x', 'θ', 'c', 'w']);
  const strings = new RowWriter('table', ['x', 'θ', 'c', 'w'], { style: { ...PLAIN } });
  for (const [start, end] of [
    [0, 3],
    [3, 400],
    [400, 1000],
  ]) {
    const columns = [x.subarray(start, end), y.subarray(start, end), -0, Array.from(x.subarray(start, end), String)];
    assert.equal(bytes.rows(columns, end - start), strings.rows(columns, end - start));
  }
  // rowBytes: rows' text as UTF-8, the header with the first chunk, for every format.
  for (const format of ['tsv', 'csv', 'table'] as const) {
    for (const precision of [undefined, 3]) {
      const a = new RowWriter(format, ['x', 'θ'], { precision });
      const b = new RowWriter(format, ['x', 'θ'], { precision });
      for (const words of [
        ['ok', 'é', 'ok'],
        ['ok', 'ok', 'ok'],
      ]) {
        const columns = [x.subarray(0, 3), words];
        assert.equal(Buffer.from(a.rowBytes(columns, 3)).toString('utf8'), b.rows(columns, 3));
      }
    }
  }
});

test('LineSplitter: feed/next and push give the lines of the whole text, however it is cut into chunks', async () => {
  const fc = (await import('fast-check')).default;
  const { LineSplitter } = await import('../src/cli/lines.js');
  const piece = fc.constantFrom('\n', '\r\n', '\r', '0.5', ' 1 ', '', 'abc', '\n\n', '12345');
  const text = fc.array(piece, { maxLength: 30 }).map((a) => a.join(''));
  fc.assert(
    fc.property(text, fc.array(fc.nat({ max: 40 }), { maxLength: 8 }), (t, cuts) => {
      const at = [...new Set(cuts.map((c) => Math.min(c, t.length)))].sort((a, b) => a - b);
      const chunks = [0, ...at].map((c, i, all) => t.slice(c, all[i + 1] ?? t.length));
      const want = t.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      if (t.endsWith('\n') || t === '') want.pop();
      const a = new LineSplitter(1000);
      const b = new LineSplitter(1000);
      const got: string[] = [];
      const pushed: string[] = [];
      for (const c of chunks) {
        a.feed(c);
        while (a.next()) got.push(a.text.slice(a.from, a.to));
        pushed.push(...b.push(c));
      }
      const last = a.end();
      if (last !== undefined) got.push(last);
      const lastPushed = b.end();
      if (lastPushed !== undefined) pushed.push(lastPushed);
      assert.deepEqual(got, want);
      assert.deepEqual(pushed, want);
      assert.equal(a.line, want.length);
    }),
    { numRuns: 5000 },
  );
});
