// --order over many points: a column per derivative (table, tsv, csv) and an array per order in
// --json, against tanh's closed forms (t = tanh x, s = 1 - t^2):
//   d1 = s, d2 = -2ts, d3 = s(6t^2 - 2), d4 = ts(16 - 24t^2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { node } from './helpers/process.js';
import { assertClose } from './helpers/numeric.js';
import { expression, random, values } from './helpers/random.js';
import { CompiledDerivatives, compilableDerivatives, higherAtPoints } from '../src/api/points.js';
import { parse } from '../src/expr/parse.js';
import { variableNames } from '../src/expr/build.js';
import './helpers/cache-home.js';

const BIN = 'bin/dezero-grad.js';

const tanhDerivatives = (x: number): number[] => {
  const t = Math.tanh(x);
  const s = 1 - t * t;
  return [s, -2 * t * s, s * (6 * t * t - 2), t * s * (16 - 24 * t * t)];
};

test('--order 4 over a range: a column per derivative in tsv, each the closed form', () => {
  const r = node([BIN, 'tanh(x)', '--x', '-2:2:0.25', '--order', '4', '--format', 'tsv']);
  assert.equal(r.status, 0, r.stderr);
  const [header, ...rows] = r.stdout.trim().split('\n');
  assert.deepEqual(header.split('\t'), ['x', 'y', 'dy/dx', 'd2y/dx2', 'd3y/dx3', 'd4y/dx4']);
  assert.equal(rows.length, 17);
  for (const row of rows) {
    const [x, y, ...ds] = row.split('\t').map(Number);
    assertClose(y, Math.tanh(x), `tanh(${x})`, 1e-15, 1e-300);
    tanhDerivatives(x).forEach((d, k) => assertClose(ds[k], d, `d${k + 1} tanh at ${x}`, 1e-13, 1e-15));
  }
});

test('--order over a range agrees with the single-point --order, bit for bit', () => {
  const many = node([BIN, 'sin(x)*exp(-x^2)', '--x', '0,0.5,1.5', '--order', '3', '--format', 'csv']);
  assert.equal(many.status, 0, many.stderr);
  const rows = many.stdout.trim().split('\n').slice(1);
  ['0', '0.5', '1.5'].forEach((x, i) => {
    const one = node([BIN, 'sin(x)*exp(-x^2)', '--x', x, '--order', '3', '--json', '-q']);
    const d = JSON.parse(one.stdout).derivatives as number[];
    // JSON has no -0 (JSON.stringify writes 0); the rows print it
    const unsigned = (v: number): number => (v === 0 ? 0 : v);
    assert.deepEqual(rows[i].split(',').slice(2).map(Number).map(unsigned), d, `at x = ${x}`);
  });
});

test('--order over a range in --json: "wrt" and "derivatives" with an array per order', () => {
  const r = node([BIN, 'x^3*y', '--x', '1,2', '--y', '2', '--order', '3', '--wrt', 'x', '--json', '-q']);
  assert.equal(r.status, 0, r.stderr);
  const obj = JSON.parse(r.stdout);
  assert.equal(obj.wrt, 'x');
  // d/dx x^3 y = 3x^2 y, 6xy, 6y
  assert.deepEqual(obj.derivatives, [
    [3 * 1 * 2, 3 * 4 * 2],
    [6 * 1 * 2, 6 * 2 * 2],
    [6 * 2, 6 * 2],
  ]);
  assert.deepEqual(obj.gradient.y, [1, 8]);
});

test('--order over a range: the table has the columns too', () => {
  const r = node([BIN, 'x^2', '--x', '1,2', '--order', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    r.stdout.split('\n').map((l) => l.trim().split(/\s+/)),
    [['x', 'y', 'dy/dx', 'd2y/dx2'], ['1', '1', '2', '2'], ['2', '4', '4', '2'], ['']],
  );
});

test('over many points: --wrt needs --order, several variables need --wrt, --hessian needs one point (exit 2)', () => {
  const cases: [string[], RegExp][] = [
    [['x*y', '--x', '1,2', '--y', '1', '--order', '2'], /--order needs --wrt NAME: the expression has 2 variables/],
    [['x^2', '--x', '1,2', '--wrt', 'x'], /--wrt goes with --order/],
    [['x^2', '--x', '1,2', '--hessian'], /--hessian, --trace-grad, --dot, --graph and --tree take a single point/],
    [['x^2', '--x', '1,2', '--order', '2', '--wrt', 'z'], /--wrt z: the expression has no variable z/],
  ];
  for (const [argv, message] of cases) {
    const r = node([BIN, ...argv]);
    assert.equal(r.status, 2, argv.join(' '));
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('--order too high over a range: the size limit is a usage error before any row', () => {
  const r = node([BIN, 'tanh(x)', '--x', '0:1:0.5', '--order', '20']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /--order 20 is too high for this expression/);
});

test('--check over a range: the central difference and the symbolic value per point, all ok (exit 0)', () => {
  const r = node([BIN, 'tanh(x)', '--x', '-2:2:0.5', '--check', '--format', 'tsv']);
  assert.equal(r.status, 0, r.stderr);
  const [header, ...rows] = r.stdout.trim().split('\n');
  assert.deepEqual(header.split('\t'), ['x', 'y', 'dy/dx', 'dy/dx(numeric)', 'dy/dx(symbolic)', 'check']);
  assert.equal(rows.length, 9);
  for (const row of rows) {
    const cells = row.split('\t');
    const [x, , , numeric, symbolic] = cells.map(Number);
    const sech2 = 1 / Math.cosh(x) ** 2;
    assertClose(numeric, sech2, `central difference at ${x}`, 1e-8, 1e-10);
    assertClose(symbolic, sech2, `mathjs at ${x}`, 1e-14, 1e-16);
    assert.equal(cells[5], 'ok');
  }
  assert.match(r.stderr, /^ok: the gradient agrees at all 9 points\n$/, 'the verdict on stderr: stdout is rows only');
});

test('--check over a range: a kink at one point is a MISMATCH on that row, exit 3, with the reason', () => {
  const r = node([BIN, 'relu(x)', '--x', '-1:1:0.5', '--check']);
  assert.equal(r.status, 3, r.stderr);
  const verdicts = r.stdout
    .split('\n')
    .slice(1, 6)
    .map((l) => l.trim().split(/\s+/).at(-1));
  assert.deepEqual(verdicts, ['ok', 'ok', 'MISMATCH', 'ok', 'ok']);
  assert.match(
    r.stdout,
    /check failed at 1 of 5 points \(exit 3\)\n {2}the first is row 3 \(x = 0\): dy\/dx: relu\(x\) is at its kink/,
  );
});

test('--check and --symbolic over a range in --json', () => {
  const r = node([BIN, 'x^2*y', '--x', '1,3', '--y', '2', '--check', '--symbolic', '--json', '-q']);
  assert.equal(r.status, 0, r.stderr);
  const obj = JSON.parse(r.stdout);
  assert.deepEqual(obj.check.x.symbolic, [2 * 1 * 2, 2 * 3 * 2]); // 2xy
  assert.deepEqual(obj.check.y.symbolic, [1, 9]); // x^2
  assert.deepEqual(obj.check.x.ok, [true, true]);
  assert.equal(obj.check.x.numeric.length, 2);
  assert.match(obj.symbolic.x, /^2\*(x\*y|y\*x)$/); // mathjs's order of factors
  assert.equal(obj.symbolic.y, 'x^2');
});

test('--symbolic over a range: the formulas after the table; with tsv on stderr, stdout rows only', () => {
  const table = node([BIN, 'sin(x)', '--x', '0,1', '--symbolic']);
  assert.equal(table.status, 0, table.stderr);
  assert.match(
    table.stdout,
    /\nsymbolic: mathjs's derivative, simplified, in dezero-grad's grammar\n {2}dy\/dx = cos\(x\)\n$/,
  );
  const tsv = node([BIN, 'sin(x)', '--x', '0,1', '--symbolic', '--format', 'tsv']);
  assert.equal(tsv.stdout.trim().split('\n').length, 3);
  assert.match(tsv.stderr, /dy\/dx = cos\(x\)/);
  // With --plot the formulas follow the figure (which takes the table's place).
  const plot = node([BIN, 'sin(x)', '--x', '0:1:0.5', '--symbolic', '--plot']);
  assert.equal(plot.status, 0, plot.stderr);
  assert.match(plot.stdout, /^sin\(x\)\n[^]*└[^]*\n {2}dy\/dx = cos\(x\)\n$/);
});

test('compiled higher orders equal the engine point by point, bit for bit (random expressions)', () => {
  const rnd = random(12);
  let compared = 0;
  for (let t = 0; t < 150; t++) {
    const source = expression(rnd, 4);
    const root = parse(source);
    const names = variableNames(root);
    if (names.length === 0) continue;
    assert.ok(compilableDerivatives(root), source);
    const n = 2 + Math.floor(rnd() * 3);
    const inputs = names.map(() => values(rnd, 12));
    const compiled = Array.from({ length: n - 1 }, () => new Float64Array(12));
    const engine = Array.from({ length: n - 1 }, () => new Float64Array(12));
    new CompiledDerivatives(root, source, names, names[0], n).run(inputs, 12, compiled);
    higherAtPoints(root, source, names, inputs, 12, names[0], n, engine);
    for (let k = 0; k < n - 1; k++)
      for (let i = 0; i < 12; i++) {
        const at = names.map((name, j) => `${name} = ${inputs[j][i]}`).join(', ');
        assert.ok(
          Object.is(compiled[k][i], engine[k][i]),
          `${source}, order ${k + 2} at ${at}: ${compiled[k][i]} vs ${engine[k][i]}`,
        );
      }
    compared++;
  }
  assert.ok(compared > 100, `compared ${compared}`);
});

test("a conditional runs point by point: each point gets its own branch's derivatives", () => {
  assert.equal(compilableDerivatives(parse('x > 0 ? x^3 : -x^2')), false);
  const r = node([BIN, 'x > 0 ? x^3 : -x^2', '--x', '-2,3', '--order', '3', '--format', 'csv']);
  assert.equal(r.status, 0, r.stderr);
  // x < 0: -x^2 -> -2x, -2, 0 (-0: the gradient of the constant -2 passes through a negation); x > 0: x^3 -> 3x^2, 6x, 6
  assert.deepEqual(r.stdout.trim().split('\n').slice(1), ['-2,-4,4,-2,-0', '3,27,27,18,6']);
});

test('--check over a range: where the numeric estimate decides nothing, the verdict says inconclusive (exit 0)', () => {
  // cosh(710) is 1.1e308: every difference step rounds away y's change.
  const r = node([BIN, 'cosh(710) + y', '--y', '1,2', '--check', '--format', 'tsv']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t').at(-1)),
    ['inconclusive', 'inconclusive'],
  );
  assert.match(r.stderr, /ok: the gradient agrees at all 2 points \(at 2 the central difference is inconclusive\)/);
});
