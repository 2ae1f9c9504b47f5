/**
 * fast-check generators shared by the property tests and the fuzzer: random syntax trees over
 * every op in the registry, and points where the tree is well inside every op's domain.
 */
import fc from 'fast-check';
import type { CallNode, Node } from '../../src/expr/ast.js';
import { build, type ForwardStep } from '../../src/expr/build.js';
import { backwardTerms, CONSTANTS, OPS, type OpSpec } from '../../src/engine/registry.js';
import { differentiate } from '../../src/api/grad.js';
import type { Mathjs } from '../../src/expr/mathjs.js';
import { noGrad } from '../../src/engine/config.js';
import { Variable } from '../../src/engine/variable.js';
import { fold } from '../../src/expr/walk.js';

const at = { start: 0, end: 0 };
export const num = (value: number): Node => ({ type: 'number', value, text: String(value), ...at });
export const variable = (name: string): Node => ({ type: 'variable', name, ...at });
export const call = (op: string, args: Node[]): Node => ({
  type: 'call',
  op,
  args,
  ...at,
  form:
    op === 'neg' ? 'prefix' : op === 'cond' ? 'conditional' : OPS.get(op)!.symbol !== undefined ? 'infix' : 'function',
});

/**
 * The ops whose mathjs form mathjs 15's `derivative` has no rule for (it has none for these
 * functions, nor for a conditional): --check has only the central difference for them, and so do
 * the property tests. property.test.ts checks that this is exactly the set mathjs refuses.
 */
export const MATHJS_CANNOT_DIFFERENTIATE: ReadonlySet<string> = new Set([
  'cube',
  'log2',
  'log1p',
  'expm1',
  'atan2',
  'floor',
  'ceil',
  'round',
  'fix',
  'mod',
  'softplus',
  'leaky_relu',
]);

/** True when the tree calls an op that mathjs cannot differentiate. */
export function usesUndifferentiable(root: Node): boolean {
  if (root.type !== 'call') return false;
  return MATHJS_CANNOT_DIFFERENTIATE.has(root.op) || root.args.some(usesUndifferentiable);
}

/**
 * The functions with no mathjs oracle. The special functions of src/engine/special.ts: mathjs's erf and gamma are approximations
 * (ours are within a few ulp of mpmath, test/special.test.ts), mathjs has no digamma or
 * polygamma and differentiates none of them, so no mathjs oracle applies: test/ops.test.ts and
 * test/functions.test.ts check them against closed forms and central differences.
 */
export const SPECIAL: ReadonlySet<string> = new Set([
  'erf',
  'erfc',
  'gamma',
  'lgamma',
  'digamma',
  'polygamma',
  'gelu',
  // mathjs's max and min compare within its tolerance (max(0, 1e-108) is 0), its hypot rounds
  // otherwise than Math.hypot, and it differentiates none of them: test/special-ops.test.ts
  'max',
  'min',
  'hypot',
]);

/** Every op whose arguments are all expressions (diff(f, x) takes a variable name: tested apart). */
// The ops on whole values (sum, matmul, reshape: stage 4) take tensors: test/tensor-ops.test.ts.
const FREE = [...OPS.values()].filter(
  (op) => op.variableArgs === undefined && !SPECIAL.has(op.name) && op.array === undefined,
);
/** Ops through which no gradient ever flows (comparisons, steps): flat, so no derivative oracle applies. */
const flat = (op: OpSpec): boolean => backwardTerms(op, Array(op.arity).fill(true)).every((t) => t === null);
/** The smooth ops (piecewise, away from kinks): what the derivative oracles are asked about. */
const SMOOTH = FREE.filter((op) => !flat(op) && op.name !== 'cond');
export const UNARY = SMOOTH.filter((op) => op.arity === 1).map((op) => op.name);
export const BINARY = SMOOTH.filter((op) => op.arity === 2).map((op) => op.name);
/** Every op of two arguments, the flat ones (comparisons) too. */
const ALL_BINARY = FREE.filter((op) => op.arity === 2).map((op) => op.name);
const ALL_UNARY = FREE.filter((op) => op.arity === 1).map((op) => op.name);

const leaf: fc.Arbitrary<Node> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('x', 'y').map(variable) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 9 }).map(num) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, 1.5, 0.25, 3.75).map(num) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...CONSTANTS.keys())
      .map((name): Node => ({ type: 'constant', name, value: CONSTANTS.get(name)!, ...at })),
  },
);

/**
 * A random tree over the smooth ops, at most `maxDepth` calls deep (mostly calls, not leaves):
 * what autodiff is checked against mathjs's derivative and central differences on.
 */
export function tree(maxDepth = 4): fc.Arbitrary<Node> {
  if (maxDepth === 0) return leaf;
  const sub = tree(maxDepth - 1);
  return fc.oneof(
    { weight: 1, arbitrary: leaf },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...UNARY), sub).map(([op, a]) => call(op, [a])) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...BINARY), sub, sub).map(([op, a, b]) => call(op, [a, b])) },
  );
}

/**
 * A random tree over every op of the grammar: comparisons, steps and the conditional too. For the
 * properties that hold everywhere (same value as mathjs, printing reads back, repeatable).
 */
export function anyTree(maxDepth = 4): fc.Arbitrary<Node> {
  if (maxDepth === 0) return leaf;
  const sub = anyTree(maxDepth - 1);
  return fc.oneof(
    { weight: 1, arbitrary: leaf },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...ALL_UNARY), sub).map(([op, a]) => call(op, [a])) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...ALL_BINARY), sub, sub).map(([op, a, b]) => call(op, [a, b])) },
    { weight: 1, arbitrary: fc.tuple(sub, sub, sub).map(([c, a, b]) => call('cond', [c, a, b])) },
  );
}

/**
 * A point for x and y spread evenly over [-3, 3] (six decimals): `point` takes doubles evenly by
 * their bits, so most of its values are tiny, too few for an op defined on 0.05 < x < 0.95 alone.
 */
const spread = fc.integer({ min: -3_000_000, max: 3_000_000 }).map((k) => k / 1e6);
export const spreadPoint: fc.Arbitrary<Map<string, number>> = fc.tuple(spread, spread).map(
  ([x, y]) =>
    new Map([
      ['x', x],
      ['y', y],
    ]),
);

/** A point for x and y. */
export const point: fc.Arbitrary<Map<string, number>> = fc
  .tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }))
  .map(
    ([x, y]) =>
      new Map([
        ['x', x],
        ['y', y],
      ]),
  );

/**
 * True when every step of the tree at `values` is well inside its op's domain: away from kinks,
 * poles and domain edges by a margin far wider than the central difference's step, and with
 * moderate values and gradients (so a central difference and a 1e-10 comparison are meaningful).
 */
export function wellInside(root: Node, values: ReadonlyMap<string, number>): boolean {
  const graph = build(root, values);
  for (const s of graph.steps) {
    const v = s.output.data as number;
    if (!Number.isFinite(v) || Math.abs(v) > 1e4) return false;
    const inputs = s.output.creator?.inputs;
    if (inputs === undefined) continue; // constants only: no gradient flows through
    const [u, w] = inputs.map((i) => i.data as number);
    const fromInteger = (t: number): number => Math.abs(t - Math.round(t));
    switch (s.op.name) {
      case 'log':
      case 'sqrt':
      case 'log10':
      case 'log2':
        if (u < 0.05) return false;
        break;
      case 'log1p':
        if (u < -0.95) return false;
        break;
      case 'asin':
      case 'acos':
      case 'atanh':
        if (Math.abs(u) > 0.95) return false;
        break;
      case 'relu':
      case 'abs':
      case 'leaky_relu':
      case 'acot':
        if (Math.abs(u) < 0.01) return false;
        break;
      case 'tan':
        if (Math.abs(Math.cos(u)) < 0.1) return false;
        break;
      case 'csc':
      case 'cot':
        if (Math.abs(Math.sin(u)) < 0.1) return false;
        break;
      case 'div':
        if (Math.abs(w) < 0.05) return false;
        break;
      case 'pow':
        if (u < 0.05 && (inputs[1].requiresGrad || !Number.isInteger(w))) return false;
        // x^0 near x = 0: mathjs's c·x^(c-1) is 0·Infinity (NaN); ours is 0 (PyTorch's convention)
        if (w === 0 && !Number.isFinite(1 / u)) return false;
        break;
      case 'cbrt':
      case 'csch':
      case 'acsch':
        if (Math.abs(u) < 0.05) return false;
        break;
      // mathjs's coth overflows past 354 (its symbolic derivatives then are NaN): not near there
      case 'coth':
        if (Math.abs(u) < 0.05 || Math.abs(u) > 300) return false;
        break;
      case 'nthRoot':
        if (u < 0.05 || Math.abs(w) < 0.5) return false;
        break;
      case 'asec':
      case 'acsc':
      case 'acoth':
        if (Math.abs(u) < 1.05) return false;
        break;
      case 'acosh':
        if (u < 1.05) return false;
        break;
      case 'asech':
        if (u < 0.05 || u > 0.95) return false;
        break;
      case 'atan2':
        if (Math.hypot(u, w) < 0.1 || (w < 0 && Math.abs(u) < 0.01)) return false;
        break;
      case 'floor':
      case 'ceil':
      case 'fix':
        if (fromInteger(u) < 0.01) return false;
        break;
      case 'round':
        if (fromInteger(u - 0.5) < 0.01) return false;
        break;
      case 'mod':
        if (Math.abs(w) < 0.05 || fromInteger(u / w) < 0.01) return false;
        break;
    }
  }
  if (!noJumpWithin(root, values, graph.steps)) return false;
  const r = differentiate(graph);
  return Object.values(r.gradient).every((g) => typeof g === 'number' && Number.isFinite(g) && Math.abs(g) < 1e6);
}

/**
 * Which side of its jumps or kink each step is on, for the ops that have them (floor's integer, the
 * quadrant of atan2 left of the origin, the sign of relu's input): a central difference across one
 * measures the jump, not the slope.
 */
const JUMPS = new Set(['floor', 'ceil', 'round', 'fix', 'mod', 'atan2', 'relu', 'abs', 'leaky_relu', 'acot']);
function side(op: string, output: Variable): number {
  const [u, w] = output.creator?.inputs.map((i) => i.data as number) ?? [];
  switch (op) {
    case 'floor':
    case 'ceil':
    case 'round':
    case 'fix':
      return output.data as number;
    case 'mod':
      return Math.floor(u / w);
    case 'atan2':
      return w < 0 ? Math.sign(u) : 2;
    case 'relu':
    case 'abs':
    case 'leaky_relu':
    case 'acot':
      return Math.sign(u);
    default:
      return 0;
  }
}

/** True when no step crosses a jump or kink while any variable moves by the central difference's step. */
function noJumpWithin(root: Node, values: ReadonlyMap<string, number>, steps: readonly ForwardStep[]): boolean {
  const here = steps.map((s) => side(s.op.name, s.output));
  if (!steps.some((s) => JUMPS.has(s.op.name))) return true;
  for (const [name, v] of values) {
    const span = 6e-6 * Math.max(1, Math.abs(v));
    for (const shifted of [v - span, v + span]) {
      const moved = build(root, new Map(values).set(name, shifted)).steps;
      if (moved.some((s, i) => !Object.is(side(s.op.name, s.output), here[i]))) return false;
    }
  }
  return true;
}

/** Ops computed by a more accurate formula than mathjs's (see mathjsDiffers). */
export const ACCURATE: ReadonlySet<string> = new Set(['csch', 'coth', 'acsch', 'acoth']);

/** The conditional mathjs forms (mathjs lacks these functions): the comparison each one makes. */
const SWITCHES: Readonly<Record<string, number>> = { leaky_relu: 0, softplus: 20 };

/**
 * True when some step of the tree is computed by mathjs otherwise than by us, at `values`, in one
 * of the known ways:
 * - csch, coth, acsch and acoth: ours are 1/sinh, 1/tanh, asinh(1/x) and atanh(1/x), where
 *   mathjs's exponential and logarithmic formulas cancel (acsch(-2.4e-5) off by 1e-4): the values
 *   differ in the last bits wherever they are computed; test/functions.test.ts checks ours
 *   against mathjs to 1e-12 away from the cancellation, and against the closed forms;
 * - asech where mathjs's formula is not finite but the function is: ours is the function's value
 *   there (see ops.ts);
 * - leaky_relu and softplus, whose mathjs forms compare (`x > 0 ? ...`), within mathjs's
 *   tolerance of the switch: mathjs's `>` is false for nearly equal numbers (1e-16 > 0 is false),
 *   so it takes the other branch.
 */
export function mathjsDiffers(root: Node, values: ReadonlyMap<string, number>, math: Mathjs): boolean {
  let differs = false;
  evaluateTree(root, values, (op, args, ours) => {
    if (ACCURATE.has(op)) differs = true;
    if (op === 'asech') {
      const theirs = (math[op] as (x: number) => number)(args[0]);
      if (Number.isFinite(ours) && !Number.isFinite(theirs)) differs = true;
    }
    // relu's mathjs form (x+|x|)/2 is NaN at -Infinity, where relu is 0
    if (op === 'relu' && args[0] === -Infinity) differs = true;
    const at = SWITCHES[op];
    if (at !== undefined && args[0] > at !== math.larger(args[0], at)) differs = true;
  });
  return differs;
}

/** The tree's value at `values` with no graph kept, calling `visit` with each call's op, inputs and value. */
function evaluateTree(
  root: Node,
  values: ReadonlyMap<string, number>,
  visit: (op: string, args: number[], value: number) => void,
): number {
  return noGrad(() =>
    fold<number>(root, (node, args) => {
      switch (node.type) {
        case 'number':
        case 'constant':
          return node.value;
        case 'variable':
          return values.get(node.name)!;
        case 'call': {
          const value = OPS.get(node.op)!.fn(...args.map((a) => new Variable(a))).data as number;
          visit(node.op, args, value);
          return value;
        }
        default:
          throw new Error(`internal: evaluateTree takes scalar trees, not a ${node.type}`);
      }
    }),
  );
}

/**
 * True when no power in the tree has a negative base and a fractional exponent at `values`: there
 * we give NaN by design (never a complex number) where mathjs gives a real root, (-8)^(1/3) = -2.
 */
export function realPowersOnly(root: Node, values: ReadonlyMap<string, number>): boolean {
  let real = true;
  evaluateTree(root, values, (op, args) => {
    if (op === 'pow' && args[0] < 0 && !Number.isInteger(args[1])) real = false;
  });
  return real;
}

/**
 * A random tree that uses the matrix syntax (issue 16): literals (with rows or nested), indexing
 * with `:`, `end` and ranges, ranges, the postfix transpose and the dotted operators, over the
 * ops mathjs writes as we do. For the printers: print and read back, and mathjs's reading of the mathjs form.
 */
/** Ops that mathjs writes as we do (an operator, or a call of the same name), so trees compare as they are. */
const SAME_IN_MATHJS = FREE.filter(
  (op) =>
    op.symbol !== undefined ||
    op.mathjs === `${op.name}(${Array.from({ length: op.arity }, (_, i) => `{${i}}`).join(', ')})`,
);
const SAME_UNARY = SAME_IN_MATHJS.filter((op) => op.arity === 1).map((op) => op.name);
const SAME_BINARY = SAME_IN_MATHJS.filter((op) => op.arity === 2).map((op) => op.name);

export function matrixTree(maxDepth = 3): fc.Arbitrary<Node> {
  if (maxDepth === 0) return leaf;
  const sub = matrixTree(maxDepth - 1);
  const end: Node = { type: 'end', ...at };
  const colon: Node = { type: 'colon', ...at };
  const range = (args: Node[]): Node => ({ type: 'range', args, ...at });
  const entry = fc.oneof(
    { weight: 3, arbitrary: sub },
    { weight: 1, arbitrary: fc.constant(colon) },
    { weight: 1, arbitrary: fc.constant(end) },
    { weight: 1, arbitrary: sub.map((a) => range([a, end])) },
    { weight: 1, arbitrary: sub.map((a) => call('sub', [end, a])) },
  );
  const dotted = (op: string, a: Node, b: Node): Node => ({ ...(call(op, [a, b]) as CallNode), dotted: true });
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...SAME_UNARY), sub).map(([op, a]) => call(op, [a])) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...SAME_BINARY), sub, sub).map(([op, a, b]) => call(op, [a, b])) },
    { weight: 1, arbitrary: fc.tuple(sub, sub, sub).map(([c, a, b]) => call('cond', [c, a, b])) },
    {
      weight: 2,
      arbitrary: fc.array(sub, { minLength: 1, maxLength: 3 }).map((args): Node => ({ type: 'matrix', args, ...at })),
    },
    {
      weight: 1,
      arbitrary: fc.array(fc.array(sub, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 3 }).map(
        (rows): Node => ({
          type: 'matrix',
          rows: true,
          args: rows.map((r): Node => ({ type: 'matrix', args: r, ...at })),
          ...at,
        }),
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('x', 'y').map(variable), fc.array(entry, { minLength: 1, maxLength: 2 }))
        .map(([x, es]): Node => ({ type: 'index', args: [x, ...es], ...at })),
    },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => range([a, b])) },
    { weight: 1, arbitrary: fc.tuple(sub, sub, sub).map(([a, s, b]) => range([a, s, b])) },
    {
      weight: 1,
      arbitrary: sub.map((a): Node => ({ type: 'call', op: 'transpose', args: [a], form: 'postfix', ...at })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('mul', 'div', 'pow'), sub, sub).map(([op, a, b]) => dotted(op, a, b)),
    },
  );
}
