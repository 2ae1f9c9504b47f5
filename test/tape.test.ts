/**
 * The tape (src/engine/tape.ts) against the Variables: on random expressions over every op of the
 * grammar, at ordinary and special points (±0, ±Infinity, NaN, kinks), the value, every op's value,
 * every gradient that reaches a variable or an intermediate, and the output name agree bit for bit
 * (Object.is, so -0 and NaN count) with `build` + `differentiate`, the object path, which the rest
 * of the suite checks against mathjs, closed forms and central differences.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { differentiateOnTape } from '../src/api/differentiate-tape.js';
import { differentiate } from '../src/api/differentiate.js';
import { grad } from '../src/api/grad.js';
import type { Node } from '../src/expr/ast.js';
import { build } from '../src/expr/build.js';
import { buildTape } from '../src/expr/build-tape.js';
import { parse } from '../src/expr/parse.js';
import { Config, noGrad } from '../src/engine/config.js';
import { OPS } from '../src/engine/registry.js';
import { anyTree, call, num, point, spreadPoint, variable } from './helpers/trees.js';

/** Every value and gradient of both paths, compared with Object.is; returns a message or ''. */
function disagreement(root: Node, values: ReadonlyMap<string, number>): string {
  const g = buildTape(root, values);
  if (g === undefined) return 'the tape refused the expression';
  const { grad: tapeGrad, reached } = g.tape.backward(g.output)!;
  const graph = build(root, values);
  // retainGrad (trace: true) keeps every intermediate's gradient for the comparison.
  const result = differentiate(graph);
  const taped = differentiateOnTape(root, values)!.result;
  if (!Object.is(taped.value, result.value)) return `value ${taped.value} vs ${result.value}`;
  if (taped.trace.output !== result.trace.output) return `output name ${taped.trace.output} vs ${result.trace.output}`;
  const names = Object.keys(result.gradient);
  if (Object.keys(taped.gradient).join() !== names.join())
    return `variables ${Object.keys(taped.gradient)} vs ${names}`;
  for (const name of names) {
    if (!Object.is(taped.gradient[name], result.gradient[name]))
      return `d/d${name} ${taped.gradient[name]} vs ${result.gradient[name]}`;
  }
  // The op slots, in order, are the graph's steps.
  const slots: number[] = [];
  for (let s = 0; s < g.tape.size; s++) if (g.tape.code[s] >= 0) slots.push(s);
  if (slots.length !== graph.steps.length) return `${slots.length} op slots vs ${graph.steps.length} steps`;
  for (let k = 0; k < slots.length; k++) {
    const s = slots[k];
    const v = graph.steps[k].output;
    if (!Object.is(g.tape.value[s], v.data)) return `step ${k} (${v.name}) value ${g.tape.value[s]} vs ${v.data}`;
    // The output's own gradient is the seed; an intermediate's is what backward accumulated.
    const expected = v === graph.output ? 1 : (v.grad?.data ?? null);
    const got = reached[s] === 1 ? tapeGrad[s] : null;
    if (!Object.is(got, expected)) return `step ${k} (${v.name}) gradient ${got} vs ${expected}`;
  }
  return '';
}

const check = (root: Node, values: ReadonlyMap<string, number>): void => {
  const why = disagreement(root, values);
  assert.equal(why, '', why);
};

/** Values where the edge cases live: signed zeros, infinities, NaN, the kinks of abs/relu/floor. */
const special = fc.constantFrom(0, -0, 1, -1, 0.5, -2, 2, Infinity, -Infinity, NaN, 1e-300, 1e300, Math.PI);
const specialPoint = fc.tuple(special, special).map(
  ([x, y]) =>
    new Map([
      ['x', x],
      ['y', y],
    ]),
);

/** Trees that also reuse one subtree object in several places (what the REPL's functions build). */
const shared = fc
  .tuple(anyTree(3), anyTree(3), fc.constantFrom('add', 'mul', 'sub', 'max', 'hypot'))
  .map(([a, b, op]) => {
    const s = call(op, [a, b]);
    return call('add', [call('mul', [s, a]), call(op, [s, call('sin', [s])])]);
  });

/**
 * Variadic calls of 1 to 5 arguments and calls that leave their defaults out, of the ops on numbers
 * (an op on whole values, `stack` or `mean`, has no scalar form: the tape leaves it to the Variables).
 */
const SCALAR_OPS = [...OPS.values()].filter((op) => op.array === undefined || op.fusible);
const VARIADIC = SCALAR_OPS.filter((op) => op.variadic === true).map((op) => op.name);
const WITH_DEFAULTS = SCALAR_OPS.filter((op) => (op.defaults?.length ?? 0) > 0).map((op) => op.name);
const wide = fc.oneof(
  fc
    .tuple(fc.constantFrom(...VARIADIC), fc.array(anyTree(2), { minLength: 1, maxLength: 5 }))
    .filter(([op, args]) => args.length >= OPS.get(op)!.minArity)
    .map(([op, args]) => call(op, args)),
  fc.tuple(fc.constantFrom(...WITH_DEFAULTS), anyTree(2)).map(([op, a]) => call(op, [a])),
);

test('the tape agrees with the Variables bit for bit on random expressions at random points', () => {
  fc.assert(
    fc.property(anyTree(5), point, (t, values) => check(t, values)),
    { numRuns: 800 },
  );
  fc.assert(
    fc.property(anyTree(5), spreadPoint, (t, values) => check(t, values)),
    { numRuns: 800 },
  );
});

test('the tape agrees at signed zeros, infinities, NaN and kinks', () => {
  fc.assert(
    fc.property(anyTree(4), specialPoint, (t, values) => check(t, values)),
    { numRuns: 1500 },
  );
});

test('the tape agrees on shared subtrees, variadic calls and left-out defaults', () => {
  assert.ok(VARIADIC.length >= 3 && WITH_DEFAULTS.length >= 2, `variadic ${VARIADIC}, defaults ${WITH_DEFAULTS}`);
  fc.assert(
    fc.property(shared, fc.oneof(point, specialPoint), (t, values) => check(t, values)),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(wide, fc.oneof(point, specialPoint), (t, values) => check(t, values)),
    { numRuns: 500 },
  );
});

test('the conditional on the tape: the branch not taken gets no gradient', () => {
  // At x = -1 the branch sqrt(x) is NaN and not taken: the gradient is 0, not NaN.
  const root = parse('x > 0 ? sqrt(x) : 2*x');
  const r = differentiateOnTape(root, new Map([['x', -1]]))!;
  assert.equal(r.result.gradient.x, 2);
  assert.equal(
    r.finite,
    false,
    'the NaN of the branch not taken is an op value: the CLI asks the Variables for a warning',
  );
  check(root, new Map([['x', -1]]));
  check(root, new Map([['x', 4]]));
});

test('a value that feeds several ops accumulates in the generation queue order', () => {
  // Additions in another order than Variable.backward's differ in the last bits for these.
  for (const text of ['sin(x)*x + x*x*cos(x) + exp(x)/x - x', 'x*1e16 + x - x*1e16 + tanh(x)*x*x*x']) {
    for (const x of [0.1, 0.7, 1.3, -2.9, 1e-8]) check(parse(text), new Map([['x', x]]));
  }
  const t = parse('x*x*x*x + x*x*x + x*x + x');
  check(t, new Map([['x', 0.3]]));
});

test('a 200,000-deep chain runs on the tape without touching the stack and agrees with the Variables', () => {
  const n = 200_000;
  const root = parse(`${'sin('.repeat(n)}x${')'.repeat(n)}`);
  const values = new Map([['x', 0.5]]);
  const taped = differentiateOnTape(root, values)!.result;
  const result = differentiate(build(root, values), { trace: false });
  assert.ok(Object.is(taped.value, result.value), `${taped.value} vs ${result.value}`);
  assert.ok(Object.is(taped.gradient.x, result.gradient.x), `${taped.gradient.x} vs ${result.gradient.x}`);
  // sin^n(x) tends to sqrt(3/n) (de Bruijn): the value is that, within a few per cent.
  assert.ok(Math.abs((taped.value as number) / Math.sqrt(3 / n) - 1) < 0.05, String(taped.value));
});

test('what the tape does not handle falls back to the Variables', () => {
  const values = new Map([['x', 0.5]]);
  assert.equal(buildTape(parse('diff(sin(x), x)'), values), undefined);
  assert.equal(buildTape(parse('x + y'), values), undefined, 'a missing value: build reports it');
  // A node or a value the tape does not know (a tensor's matrix literal, a non-number value).
  const matrix = { type: 'matrix', rows: [[num(1)]], start: 0, end: 5 } as unknown as Node;
  assert.equal(buildTape(call('sin', [matrix]), values), undefined);
  assert.equal(buildTape(parse('sin(x)'), new Map([['x', [1, 2] as unknown as number]])), undefined);
  // The real matrix syntax and the ops on whole values: the Variables, with the same numbers.
  assert.equal(buildTape(parse('sum([x, 2*x])'), values), undefined);
  assert.equal(buildTape(parse('mean(x)'), values), undefined);
  assert.deepEqual({ ...grad('sum([x, 2*x]) + mean(x)', { x: 0.5 }).gradient }, { x: 4 });
  for (const flag of ['enableBackprop', 'tracing', 'allRoutes'] as const) {
    const old = Config[flag];
    Config[flag] = !old;
    try {
      assert.equal(buildTape(parse('sin(x)'), values), undefined, flag);
    } finally {
      Config[flag] = old;
    }
  }
  // grad() then gives what the Variables give: no graph under noGrad, so every gradient is 0.
  const r = noGrad(() => grad('sin(x) * x', { x: 0.5 }));
  assert.equal(r.gradient.x, 0);
  assert.equal(r.value, Math.sin(0.5) * 0.5);
  const d = grad('diff(x^3, x)', { x: 2 });
  assert.equal(d.value, 3 * 2 ** 2);
  assert.equal(d.gradient.x, 6 * 2);
});

test("grad() at one point: the tape's numbers, and the same trace as the Variables when it is read", () => {
  const text = 'square(exp(square(x))) + x*y';
  const values = { x: 0.5, y: -1.5 };
  const r = grad(text, values);
  const root = parse(text);
  const map = new Map(Object.entries(values));
  const expected = differentiate(build(root, map, text));
  assert.equal(r.gradient.x, 3.297442541400256 + -1.5); // the seed's value, plus y
  assert.deepEqual(r, expected);
  assert.deepEqual(JSON.parse(JSON.stringify(r)), JSON.parse(JSON.stringify(expected)));
  assert.equal(r.trace, r.trace, 'made once');
  // The variables' order is their first appearance, as build gives it.
  assert.deepEqual(Object.keys(grad('y*x + x', { x: 1, y: 2 }).gradient), ['y', 'x']);
  const t = call('add', [variable('b'), call('mul', [variable('a'), num(2)])]);
  assert.deepEqual(Object.keys(grad(t, { a: 1, b: 2 }).gradient), ['b', 'a']);
});
