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
import { Tape } from '../src/engine/tape.js';
import { anyTree, call, num, point, spreadPoint, variable } from './helpers/trees.js';

/** How many tapes `disagreement` has seen in reverse slot order and how many it had to sort. */
const seen = { ordered: 0, sorted: 0 };

/** Every value and gradient of both paths, compared with Object.is; returns a message or ''. */
function disagreement(root: Node, values: ReadonlyMap<string, number>): string {
  const g = buildTape(root, values);
  if (g === undefined) return 'the tape refused the expression';
  const { grad: tapeGrad, reached } = g.tape.backward(g.output)!;
  if (g.tape.ordered) {
    seen.ordered++;
    // The sort gives the same bits when it is not needed (clearing `ordered` only adds the sort).
    g.tape.ordered = false;
    const sorted = g.tape.backward(g.output)!;
    g.tape.ordered = true;
    for (let s = 0; s < g.tape.size; s++) {
      if (sorted.reached[s] !== reached[s] || !Object.is(sorted.grad[s], tapeGrad[s]))
        return `slot ${s}: sorted ${sorted.grad[s]} vs in slot order ${tapeGrad[s]}`;
    }
  } else seen.sorted++;
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

test('random expressions take both orders of backward: reverse slot order and the sort by generation', () => {
  // Run after the property tests above, which count what they saw.
  assert.ok(seen.ordered > 100 && seen.sorted > 100, JSON.stringify(seen));
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

test('which tapes run backward in reverse slot order: chains, trees, takers in rising generations, ties', () => {
  const values = new Map([
    ['x', 0.3],
    ['y', -1.7],
  ]);
  const cases: [string, boolean][] = [
    // A chain, and a tree whose slots are each taken once.
    ['sin(cos(tanh(exp(x))))', true],
    ['sin(x*y) + cos(y)/exp(x) - sqrt(abs(y*y*x))', true],
    // x taken by ops of rising generations: 1, 2, 3.
    ['((x*x)*x)*x', true],
    // Ties: sin(x) and cos(x) are both of generation 1, then 2, 3 after them.
    ['sin(x) + cos(x)', true],
    ['sin(x)*cos(x) + tanh(x)*x', true],
    // A later taker of a lower generation: x*x (1) after sin(x)*x (2), so the sort runs.
    ['sin(x)*x + x*x', false],
    ['x*x*x*x + x*x*x + x*x + x', false],
    ['sin(sin(sin(x))) * x + 2*x', false],
    // The same product written twice: two slots, x and y taken by both at generation 1.
    ['sin(sin(x*y)) + (x*y)', true],
  ];
  for (const [text, ordered] of cases) {
    const g = buildTape(parse(text), values)!;
    assert.equal(g.tape.ordered, ordered, text);
    check(parse(text), values);
  }
  // A shared subtree object (the REPL's functions): taken at generations 2 and 2 (a tie), then
  // at 4 (mul after two sins) and 2 (a later sin).
  const s = call('mul', [variable('x'), variable('y')]);
  const tie = call('add', [call('sin', [call('sin', [s])]), call('mul', [s, num(2)])]);
  assert.equal(buildTape(tie, values)!.tape.ordered, true);
  check(tie, values);
  const falling = call('add', [call('mul', [call('sin', [call('sin', [s])]), s]), call('sin', [s])]);
  assert.equal(buildTape(falling, values)!.tape.ordered, false);
  check(falling, values);
  // A variable taken a thousand times, in falling and rising generations.
  const many = Array.from({ length: 1000 }, (_, k) => (k % 3 === 0 ? 'x' : k % 3 === 1 ? 'sin(x)*x' : 'x*y')).join(
    ' + ',
  );
  check(parse(many), values);
  check(parse(`${'sin('.repeat(500)}x${')'.repeat(500)} * ${many}`), values);
});

test('a tape made with room for one slot grows, and gives what a roomy one gives', () => {
  const sin = OPS.get('sin')!;
  const mul = OPS.get('mul')!;
  const leaky = OPS.get('leaky_relu')!;
  const run = (capacity: number) => {
    const tape = new Tape(capacity);
    const x = tape.leaf(0.75, true);
    const c = tape.leaf(-2, false);
    let s = x;
    for (let k = 0; k < 300; k++) {
      s = tape.apply(sin, [s]);
      s = tape.apply(mul, [s, k % 2 === 0 ? x : c]);
      if (k % 7 === 0) s = tape.apply(leaky, [s]); // its default slope: a constant slot
    }
    return { tape, s, back: tape.backward(s)! };
  };
  const small = run(1);
  const big = run(4096);
  assert.equal(small.tape.size, big.tape.size);
  assert.equal(small.tape.size, 2 + 300 * 2 + 43 * 2, 'two leaves, 600 ops, 43 leaky_relu with its slope');
  for (let s = 0; s < big.tape.size; s++) {
    assert.ok(Object.is(small.tape.value[s], big.tape.value[s]), `value ${s}`);
    assert.ok(Object.is(small.back.grad[s], big.back.grad[s]), `grad ${s}`);
  }
  assert.ok(big.back.reached[0] === 1 && big.back.reached[1] === 0, 'x reached, the constant not');
});

test('a 200,000-deep chain runs on the tape without touching the stack and agrees with the Variables', () => {
  const n = 200_000;
  const root = parse(`${'sin('.repeat(n)}x${')'.repeat(n)}`);
  const values = new Map([['x', 0.5]]);
  const taped = differentiateOnTape(root, values)!.result;
  assert.ok(buildTape(root, values)!.tape.ordered, 'a chain is in order: no sort');
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
