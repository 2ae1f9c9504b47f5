/** Many points on the command line: every batch form agrees with single-point runs. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli, type CliRun } from './helpers/cli.js';

/** Runs the CLI in-process; `stdin` arrives in the given pieces (to split lines across chunks). */
function cli(argv: string[], stdin: string[] = []): Promise<CliRun> {
  return runCli(argv, { env: { NO_COLOR: '1' }, stdin });
}

/** The single-point answer: `[value, ...partials]` from `--quiet` output. */
async function single(expr: string, point: Record<string, number>): Promise<number[]> {
  const argv = [expr, '-q'];
  for (const [k, v] of Object.entries(point)) argv.push(`--${k}=${v}`);
  const r = await cli(argv);
  assert.equal(r.code, 0, r.err);
  return r.out
    .trim()
    .split('\n')
    .map((l) => Number(l.split(' = ')[1]));
}

/** Rows of a tsv/csv/table output as numbers, without the header. */
function rows(text: string, sep: RegExp): number[][] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(sep).map(Number));
}

/** Checks every row against a single-point run at the row's variable values. */
async function agrees(expr: string, names: string[], table: number[][]): Promise<void> {
  assert.ok(table.length > 0);
  for (const row of table) {
    const point = Object.fromEntries(names.map((n, j) => [n, row[j]]));
    assert.deepEqual(row.slice(names.length), await single(expr, point), `at ${JSON.stringify(point)}`);
  }
}

describe('batch forms agree with single points', () => {
  test('a list, as TSV', async () => {
    const r = await cli(['tanh(x)', '--x', '0,0.5,1,-2.5', '--format', 'tsv']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.split('\n')[0], 'x\ty\tdy/dx');
    const t = rows(r.out, /\t/);
    assert.deepEqual(
      t.map((row) => row[0]),
      [0, 0.5, 1, -2.5],
    );
    await agrees('tanh(x)', ['x'], t);
  });

  test('a range with a repeated scalar, as CSV; STOP included when on the grid', async () => {
    const r = await cli(['x*y + sin(x)', '--x', '0:1:0.25', '--y', 'pi', '--format', 'csv']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.split('\n')[0], 'x,y,z,dz/dx,dz/dy');
    const t = rows(r.out, /,/);
    assert.deepEqual(
      t.map((row) => row[0]),
      [0, 0.25, 0.5, 0.75, 1],
    );
    await agrees('x*y + sin(x)', ['x', 'y'], t);
  });

  test('ranges follow seq: 0:1:0.1 has 11 short points, 0:1:0.3 stops at 0.9, 5:1:-2 counts down', async () => {
    const xs = async (range: string): Promise<number[]> =>
      rows((await cli(['x', '--x', range, '--format', 'tsv'])).out, /\t/).map((r) => r[0]);
    assert.deepEqual(await xs('0:1:0.1'), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    assert.deepEqual(await xs('0:1:0.3'), [0, 0.3, 0.6, 0.9]);
    assert.deepEqual(await xs('5:1:-2'), [5, 3, 1]);
    assert.deepEqual(await xs('1:3'), [1, 2, 3]);
  });

  test('standard input, streamed in pieces that split lines; blank lines skipped', async () => {
    const r = await cli(['square(exp(square(x)))', '--x', '-', '--format', 'tsv'], ['0\n0.', '5\n\n1', '\n-0.75']);
    assert.equal(r.code, 0, r.err);
    const t = rows(r.out, /\t/);
    assert.deepEqual(
      t.map((row) => row[0]),
      [0, 0.5, 1, -0.75],
    );
    assert.equal(t[1][2], 3.297442541400256);
    await agrees('square(exp(square(x)))', ['x'], t);
  });

  test('standard input paired with a list of the same length', async () => {
    const r = await cli(['x/y', '--x', '-', '--y', '1,2,4', '--format', 'tsv'], ['3\n5\n7\n']);
    assert.equal(r.code, 0, r.err);
    await agrees('x/y', ['x', 'y'], rows(r.out, /\t/));
  });

  test('the aligned table: the same numbers, every line the same width', async () => {
    const r = await cli(['x^3 - x', '--x', '-1.5:1.5:0.5']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(new Set(lines.map((l) => l.length)).size, 1, r.out);
    await agrees('x^3 - x', ['x'], rows(r.out, / +/));
  });

  test('--json: the single-point schema with arrays, records included; --quiet leaves them out', async () => {
    const r = await cli(['atan(x*y)', '--x', '0,1,2', '--y', '-0.5', '--json']);
    assert.equal(r.code, 0, r.err);
    const o = JSON.parse(r.out);
    assert.deepEqual(Object.keys(o), ['expression', 'variables', 'value', 'gradient', 'forward', 'backward']);
    assert.equal(o.expression, 'atan(x*y)');
    assert.deepEqual(o.variables, { x: [0, 1, 2], y: [-0.5, -0.5, -0.5] });
    for (let i = 0; i < 3; i++) {
      const one = JSON.parse((await cli(['atan(x*y)', `--x=${o.variables.x[i]}`, '--y=-0.5', '--json'])).out);
      assert.equal(o.value[i], one.value);
      assert.equal(o.gradient.x[i], one.gradient.x);
      assert.equal(o.gradient.y[i], one.gradient.y);
      one.forward.forEach((f: { name: string; value: number }, k: number) => {
        assert.equal(o.forward[k].name, f.name);
        assert.equal(o.forward[k].value[i], f.value);
      });
      one.backward.forEach((b: { name: string; grad: number }, k: number) => {
        assert.equal(o.backward[k].name, b.name);
        assert.equal(o.backward[k].grad[i], b.grad);
      });
    }
    const quiet = JSON.parse((await cli(['atan(x*y)', '--x', '0,1,2', '--y', '-0.5', '--json', '-q'])).out);
    assert.deepEqual(Object.keys(quiet), ['expression', 'variables', 'value', 'gradient']);
    assert.deepEqual(quiet.value, o.value);
  });

  test('--format with a single point prints one row', async () => {
    const r = await cli(['square(exp(square(x)))', '--x', '0.5', '--format', 'csv']);
    assert.equal(r.out, 'x,y,dy/dx\n0.5,1.648721270700128,3.297442541400256\n');
  });

  test('an empty stream prints the header alone', async () => {
    const r = await cli(['tanh(x)', '--x', '-', '--format', 'csv'], ['']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'x,y,dy/dx\n');
  });

  test('a stream longer than one chunk keeps every row in order', async () => {
    const n = 70_000; // past the 65,536-point chunk
    const text = Array.from({ length: n }, (_, i) => String(i / 1000)).join('\n');
    const r = await cli(['2*x', '--x', '-', '--format', 'tsv'], [text.slice(0, 12345), text.slice(12345)]);
    const t = rows(r.out, /\t/);
    assert.equal(t.length, n);
    assert.deepEqual(t[n - 1], [(n - 1) / 1000, (2 * (n - 1)) / 1000, 2]);
  });
});

describe('batch errors: one message, exit 2', () => {
  const cases: { name: string; argv: string[]; stdin?: string[]; err: RegExp }[] = [
    {
      name: 'lengths that differ',
      argv: ['x*y', '--x', '1,2,3', '--y', '1,2'],
      err: /different lengths: --x has 3, --y has 2/,
    },
    {
      name: 'a stream that does not match a list',
      argv: ['x*y', '--x', '-', '--y', '1,2'],
      stdin: ['1\n2\n3\n'],
      err: /--y has 2, --x - has more than 2/,
    },
    {
      name: 'stdin for both the expression and a value',
      argv: ['-', '--x', '-'],
      stdin: ['x'],
      err: /cannot carry both the expression and --x -/,
    },
    {
      name: 'stdin for two variables',
      argv: ['x*y', '--x', '-', '--y', '-'],
      err: /only one variable can read standard input/,
    },
    { name: 'a bad list item, pointed at', argv: ['x', '--x', '1,2a,3'], err: /bad value for --x: .*column 4/ },
    { name: 'an empty range', argv: ['x', '--x', '1:0:0.5'], err: /the range is empty/ },
    { name: 'a zero step', argv: ['x', '--x', '0:1:0'], err: /step is 0/ },
    {
      name: 'a bad line on stdin, with its number',
      argv: ['x', '--x', '-'],
      stdin: ['1\n2\nfoo\n'],
      err: /line 3 of standard input/,
    },
    { name: '--json with --format', argv: ['x', '--x', '1,2', '--json', '--format', 'csv'], err: /alternatives/ },
    { name: 'an unknown format', argv: ['x', '--x', '1,2', '--format', 'xml'], err: /xml/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await cli(c.argv, c.stdin);
      assert.equal(r.code, 2, r.out + r.err);
      assert.match(r.err, c.err);
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    });
  }
});
