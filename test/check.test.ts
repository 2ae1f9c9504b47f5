/** `--check` and `--symbolic`, through the CLI (in-process, and once as a process for lazy loading). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agreesNumeric, agreesSymbolic, gradcheck, numericDerivative, numericGradient } from '../src/api/check.js';
import { loadMathjs } from '../src/expr/mathjs.js';
import { sweep } from './helpers/check-sweep.js';
import { parse } from '../src/expr/parse.js';
import { grad } from '../src/api/grad.js';
import { runCli as cli } from './helpers/cli.js';
import { node } from './helpers/process.js';
import { Session } from '../src/cli/repl/session.js';
import './helpers/cache-home.js';

const SEED = ['square(exp(square(x)))', '--x', '0.5'];
/** d/dx exp(x^2)^2 = 4x·exp(2x^2), the closed form at 0.5. */
const SEED_GRAD = 4 * 0.5 * Math.exp(2 * 0.5 ** 2);

test('--check on the seed: all three agree, exit 0', async () => {
  const r = await cli([...SEED, '--check']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /dy\/dx = 3\.297442541400256\n/);
  assert.match(r.out, /autodiff {2}3\.297442541400256\n/);
  assert.match(r.out, /symbolic {2}3\.297442541400256 .* ok/);
  assert.match(r.out, /numeric {3}3\.2974425\d* .* ok/);
  assert.match(r.out, /ok: the gradient agrees\n$/);
});

test('--check --json: the check field per variable', async () => {
  const r = await cli([...SEED, '--check', '--json', '--quiet']);
  assert.equal(r.code, 0, r.err);
  const { check } = JSON.parse(r.out);
  assert.equal(check.x.autodiff, 3.297442541400256);
  assert.ok(Math.abs(check.x.symbolic - SEED_GRAD) <= 1e-10 * SEED_GRAD, `symbolic ${check.x.symbolic}`);
  assert.ok(Math.abs(check.x.numeric - SEED_GRAD) <= 10 * check.x.numericError, `numeric ${check.x.numeric}`);
  assert.ok(check.x.numericError < 1e-9 * SEED_GRAD, `error ${check.x.numericError}`);
  assert.equal(check.x.ok, true);
});

test('--symbolic prints a formula dezero-grad accepts back, equal to the gradient', async () => {
  const r = await cli([...SEED, '--symbolic', '--json', '-q']);
  assert.equal(r.code, 0, r.err);
  const formula: string = JSON.parse(r.out).symbolic.x;
  assert.equal(formula, '4*exp(x^2)^2*x');
  const again = await cli([formula, '--x', '0.5', '--json', '-q']);
  assert.equal(again.code, 0, again.err);
  assert.ok(agreesSymbolic(3.297442541400256, JSON.parse(again.out).value));
});

test('--symbolic with two variables, in text', async () => {
  const r = await cli(['x*y + sin(x)/y', '--x', '1', '--y', '2', '--symbolic', '-q']);
  assert.equal(r.code, 0, r.err);
  // y is taken, so the output is z.
  assert.match(r.out, /dz\/dx = y \+ cos\(x\)\/y\n/);
  assert.match(r.out, /dz\/dy = x - sin\(x\)\/y\^2\n/);
});

const KINKS: [string, string, RegExp][] = [
  [
    'relu(x)',
    '0',
    /relu\(x\) is at its kink \(x = 0\): the one-sided derivatives are 0 and 1; autodiff uses relu'\(0\) = 0 \(PyTorch's convention\)/,
  ],
  [
    'abs(x)',
    '0',
    /abs\(x\) is at its kink \(x = 0\): the one-sided derivatives are -1 and 1; autodiff uses abs'\(0\) = 0/,
  ],
  ['relu(x - 1)*3', '1', /relu\(a\) is at its kink \(a = 0\)/],
  ['sqrt(x)', '0', /sqrt\(x\) is NaN within x ± 1\.3e-9 \(defined for x >= 0\)/],
  ['log(x)', '0', /y = log\(x\) is -Infinity at this point \(defined for x > 0\)/],
  ['sqrt(x)', '-1', /y = sqrt\(x\) is NaN at this point \(defined for x >= 0\)/],
  // a jump (equal one-sided derivatives), and one of a periodic set: floor's at every integer
  [
    'floor(x)',
    '3',
    /floor\(x\) is at its jump \(x = 3\): the one-sided derivatives are 0 and 0; autodiff uses floor'\(3\) = 0 \(PyTorch's convention\), the central difference sees the jump as a steep slope/,
  ],
  ['acot(x)', '0', /acot\(x\) is at its jump \(x = 0\): the one-sided derivatives are -1 and -1/],
];

for (const [expr, x, reason] of KINKS) {
  test(`--check ${expr} at ${x}: exit 3 with the reason`, async () => {
    const r = await cli([expr, '--x', x, '--check', '-q']);
    assert.equal(r.code, 3, r.out + r.err);
    assert.match(r.out, reason);
    assert.match(r.out, /check failed: 1 of 1 gradient disagrees \(exit 3\)/);
    const j = await cli([expr, '--x', x, '--check', '--json', '-q']);
    assert.equal(j.code, 3);
    const { check } = JSON.parse(j.out);
    assert.equal(check.x.ok, false);
    assert.match(check.x.reason, reason);
  });
}

test('--check where mathjs has no answer: symbolic null with the reason, numeric still decides', async () => {
  const big = Array.from({ length: 1200 }, (_, i) => `sin(${i % 7}*x)`).join('+');
  const r = await cli([big, '--x', '0.3', '--check', '--symbolic', '--json', '-q']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.check.x.symbolic, null);
  assert.match(j.check.x.symbolicWhyNot, /the symbolic oracle stops at 1000/);
  assert.equal(j.check.x.ok, true);
  assert.equal(j.symbolic.x, null);
  const t = await cli([big, '--x', '0.3', '--check', '-q']);
  assert.match(t.out, /symbolic {2}none: the expression has \d+ nodes/);
});

test('--check with --order or --tree: a usage error, exit 2', async () => {
  for (const extra of [['--order', '2'], ['--tree'], ['--hessian']]) {
    const r = await cli([...SEED, '--check', ...extra]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--check applies to the first derivatives and does not combine with --order/);
  }
});

test('--check and --symbolic on a constant expression say there is nothing to do, exit 0', async () => {
  const r = await cli(['2+3', '--check', '--symbolic', '-q']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /no variables: nothing to differentiate\n/);
  assert.match(r.out, /nothing to check: the expression has no variables\n$/);
});

test('--symbolic on a large derivative: unsimplified, with a note, and still exact', async () => {
  const chain = 'sin('.repeat(40) + 'x' + ')'.repeat(40);
  const r = await cli([chain, '--x', '0.5', '--symbolic', '-q']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\(not simplified: the derivative has \d+ nodes and mathjs's simplify stops at 250\)/);
  const formula = /dy\/dx = (.*)\n/.exec(r.out.split('symbolic:')[1])![1];
  const again = await cli([formula, '--x', '0.5', '--json', '-q']);
  const autodiff = JSON.parse((await cli([chain, '--x', '0.5', '--json', '-q'])).out).gradient.x;
  assert.ok(agreesSymbolic(autodiff, JSON.parse(again.out).value), `${autodiff} vs ${again.out}`);
});

test('a long sum still gets its symbolic check (mathjs text without a parenthesis per node)', async () => {
  const sum = Array(300).fill('sin(x)').join('+');
  const r = await cli([sum, '--x', '0.5', '--check', '--json', '-q']);
  assert.equal(r.code, 0, r.err);
  const { check } = JSON.parse(r.out);
  assert.ok(agreesSymbolic(check.x.symbolic, 300 * Math.cos(0.5)), String(check.x.symbolic));
  assert.equal(check.x.ok, true);
});

test('the numeric estimate: Richardson over many steps, with its own error', () => {
  // d/dx x^3 at 2 = 12: the h^2 term cancels in the extrapolation.
  const cube = numericGradient(parse('x^3'), new Map([['x', 2]]), 'x');
  assert.ok(Math.abs(cube.value - 12) <= 1e-12 * 12 && cube.error < 1e-10, `${cube.value} ± ${cube.error}`);
  // The estimate's error covers the truth: exp at points of every scale.
  for (const x of [-30, -1, 1e-8, 0.5, 3, 50, 700]) {
    const e = numericDerivative((v) => ({ value: Math.exp(v), scale: Math.exp(v), sameSide: true }), x);
    assert.ok(Math.abs(e.value - Math.exp(x)) <= 10 * e.error, `exp'(${x}): ${e.value} ± ${e.error}`);
    assert.ok(e.error <= 1e-9 * Math.exp(x), `exp'(${x}) error ${e.error}`);
  }
});

test('no estimate at a point that is not finite (and no endless halving of an infinite step)', () => {
  for (const x of [Infinity, -Infinity, NaN]) {
    const e = numericDerivative((v) => ({ value: v, scale: Math.abs(v), sameSide: true }), x);
    assert.ok(Number.isNaN(e.value) && Number.isNaN(e.error), String(x));
  }
});

test('the agreement rules: within 10 times the error estimate, 1e-10 for symbolic', () => {
  const est = { value: 1000, error: 1e-3, h: 1e-3 };
  assert.ok(agreesNumeric(1000 + 0.9e-2, est));
  assert.ok(!agreesNumeric(1000 + 1.1e-2 + 1e-6, est));
  assert.ok(agreesSymbolic(3, 3 * (1 + 0.5e-10)));
  assert.ok(!agreesSymbolic(3, 3 * (1 + 1e-9)));
  assert.ok(agreesSymbolic(Infinity, Infinity));
  assert.ok(!agreesSymbolic(NaN, NaN) && !agreesNumeric(NaN, { value: NaN, error: NaN, h: 1 }));
  assert.ok(!agreesSymbolic(0, NaN));
});

/** The issue's false alarms, and the hard cases: each gradient known in closed form. */
const NO_FALSE_ALARM: [string, Record<string, number>, string, number][] = [
  ['log(x)', { x: 1e-4 }, 'x', 1e4],
  ['log(x)', { x: 1e-6 }, 'x', 1e6],
  ['1/x', { x: 1e-5 }, 'x', -1e10],
  ['sin(1e5*x)', { x: 1 }, 'x', 1e5 * Math.cos(1e5)],
  ['9007199254740992 + x', { x: 1 }, 'x', 1],
  ['x^65536', { x: 1 }, 'x', 65536],
  ['cosh(710) + y', { y: 1 }, 'y', 1],
  ['relu(x)', { x: 1e-7 }, 'x', 1],
  ['round(x)', { x: 2.5000001 }, 'x', 0],
  ['floor(x)', { x: 3.5 }, 'x', 0],
  // d/dy tanh(16y²)·y = tanh(16y²) + 32y²·sech²(16y²); wide steps see slope 1 (tanh saturates)
  [
    'tanh(square(y*4))*y',
    { y: 0.0012980098854528449 },
    'y',
    ((y) => Math.tanh(16 * y * y) + (32 * y * y) / Math.cosh(16 * y * y) ** 2)(0.0012980098854528449),
  ],
];

for (const [text, point, name, exact] of NO_FALSE_ALARM) {
  test(`--check ${text} at ${JSON.stringify(point)}: no false alarm, and a 1e-6 error is caught where the bound allows`, () => {
    const root = parse(text);
    const values = new Map(Object.entries(point));
    const a = grad(root, values).gradient[name];
    assert.ok(Math.abs(a - exact) <= 1e-12 * Math.abs(exact), `autodiff ${a}, exact ${exact}`);
    const entry = gradcheck(root, values, { [name]: a }).get(name)!;
    assert.ok(entry.ok, `${entry.numeric} ± ${entry.numericError}`);
    const wrong = gradcheck(root, values, { [name]: a * (1 + 1e-6) }).get(name)!;
    if (!entry.numericInconclusive && 10 * entry.numericError < 0.5e-6 * Math.abs(a)) assert.ok(!wrong.numericOk);
  });
}

test('--check log(x) at 1e-4 through the CLI: ok, exit 0 (it used to ask for a bug report)', async () => {
  const r = await cli(['log(x)', '--x', '1e-4', '--check', '-q']);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /numeric {3}10000\.0\d* .* ok {2}\(± /);
  assert.match(r.out, /ok: the gradient agrees\n$/);
  const c = await cli(['cosh(710) + y', '--y', '1', '--check', '-q']);
  assert.equal(c.code, 0, c.out + c.err);
  assert.match(c.out, /inconclusive {2}\(± .*: rounding or a jump swamps every step/);
});

test('a gradient off by 1e-6 relative is caught by the numeric estimate alone (no symbolic oracle)', () => {
  for (const [text, x] of [
    ['sin(x)*exp(x)', 0.7],
    ['log1p(x)/x', 3],
    ['atan2(x, 2)', -1.5],
  ] as const) {
    const root = parse(text);
    const values = new Map([['x', x]]);
    const a = grad(root, values).gradient.x;
    assert.ok(gradcheck(root, values, { x: a }).get('x')!.ok, text);
    assert.equal(gradcheck(root, values, { x: a * (1 + 1e-6) }).get('x')!.ok, false, text);
  }
});

test('random smooth expressions at points from 1e-8 to 1e8: no false alarm, every catchable 1e-6 error caught', async () => {
  // `npm run check:sweep` runs 10,000 of these.
  const r = sweep(await loadMathjs(), 400, 20261202);
  assert.ok(r.checked > 50, `only ${r.checked} checked`);
  assert.deepEqual(r.falseAlarms, []);
  assert.ok(r.catchable > r.checked / 2, `${r.catchable} of ${r.checked} catchable`);
  assert.deepEqual(r.missed, []);
});

test('the default path never loads mathjs; --check does', () => {
  // A module hook that makes importing mathjs fail.
  const hook = encodeURIComponent(
    "export async function resolve(s, c, next) { if (s === 'mathjs' || s.startsWith('mathjs/')) throw new Error('mathjs was loaded'); return next(s, c); }",
  );
  const register = encodeURIComponent(
    `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${hook}`)});`,
  );
  const args = ['--import', `data:text/javascript,${register}`, 'bin/dezero-grad.js', ...SEED, '-q'];
  const plain = node(args);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /dy\/dx = 3\.297442541400256/);
  const checked = node([...args, '--check']);
  assert.equal(checked.status, 1);
  assert.match(checked.stderr, /mathjs was loaded/);
});

test(':check in the session checks the last expression', async () => {
  const session = new Session();
  for (const line of ['x = 0.5', 'square(exp(square(x)))']) assert.ok((await session.run(line)).ok);
  const r = await session.run(':check');
  assert.ok(r.ok, r.err);
  assert.match(r.out, /autodiff {2}3\.297442541400256\n/);
  assert.match(r.out, /ok: the gradient agrees\n$/);
  assert.ok((await session.run('relu(x - 0.5)')).ok);
  const kink = await session.run(':check');
  assert.match(kink.out, /relu\(a\) is at its kink/);
});
