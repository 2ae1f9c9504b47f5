/**
 * fast-check generators shared by the property tests and the fuzzer: random syntax trees over
 * every op in the registry, and points where the tree is well inside every op's domain.
 */
import fc from 'fast-check';
import type { Node } from '../../src/expr/ast.js';
import { build } from '../../src/expr/build.js';
import { backwardTerms, CONSTANTS, OPS, type OpSpec } from '../../src/engine/registry.js';
import { differentiate } from '../../src/api/grad.js';
import { noGrad } from '../../src/engine/config.js';
import { Variable } from '../../src/engine/variable.js';
import { fold } from '../../src/expr/walk.js';

const at = { start: 0, end: 0 };
export const num = (value: number): Node => ({ type: 'number', value, text: String(value), ...at });
export const variable = (name: string): Node => ({ type: 'variable', name, ...at });
export const call = (op: string, args: Node[]): Node => ({
  type: 'call', op, args, ...at,
  form: op === 'neg' ? 'prefix' : op === 'cond' ? 'conditional' : OPS.get(op)!.symbol !== undefined ? 'infix' : 'function',
});

/** Every op whose arguments are all expressions (diff(f, x) takes a variable name: tested apart). */
const FREE = [...OPS.values()].filter((op) => op.variableArgs === undefined);
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
  { weight: 1, arbitrary: fc.constantFrom(...CONSTANTS.keys()).map((name): Node => ({ type: 'constant', name, value: CONSTANTS.get(name)!, ...at })) },
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

/** A point for x and y. */
export const point: fc.Arbitrary<Map<string, number>> = fc
  .tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }))
  .map(([x, y]) => new Map([['x', x], ['y', y]]));

/**
 * True when every step of the tree at `values` is well inside its op's domain: away from kinks,
 * poles and domain edges by a margin far wider than the central difference's step, and with
 * moderate values and gradients (so a central difference and a 1e-10 comparison are meaningful).
 */
export function wellInside(root: Node, values: ReadonlyMap<string, number>): boolean {
  const graph = build(root, values);
  for (const s of graph.steps) {
    const v = s.output.data;
    if (!Number.isFinite(v) || Math.abs(v) > 1e4) return false;
    const inputs = s.output.creator?.inputs;
    if (inputs === undefined) continue; // constants only: no gradient flows through
    const [u, w] = inputs.map((i) => i.data);
    switch (s.op.name) {
      case 'log': case 'sqrt': if (u < 0.05) return false; break;
      case 'asin': case 'acos': if (Math.abs(u) > 0.95) return false; break;
      case 'relu': case 'abs': if (Math.abs(u) < 0.01) return false; break;
      case 'tan': if (Math.abs(Math.cos(u)) < 0.1) return false; break;
      case 'div': if (Math.abs(w) < 0.05) return false; break;
      case 'pow': if (u < 0.05 && (inputs[1].requiresGrad || !Number.isInteger(w))) return false; break;
    }
  }
  const r = differentiate(graph);
  return Object.values(r.gradient).every((g) => Number.isFinite(g) && Math.abs(g) < 1e6);
}

/**
 * True when no power in the tree has a negative base and a fractional exponent at `values`: there
 * we give NaN by design (never a complex number) where mathjs gives a real root, (-8)^(1/3) = -2.
 */
export function realPowersOnly(root: Node, values: ReadonlyMap<string, number>): boolean {
  let real = true;
  noGrad(() => fold<number>(root, (node, args) => {
    switch (node.type) {
      case 'number': case 'constant': return node.value;
      case 'variable': return values.get(node.name)!;
      case 'call':
        if (node.op === 'pow' && args[0] < 0 && !Number.isInteger(args[1])) real = false;
        return OPS.get(node.op)!.fn(...args.map((a) => new Variable(a))).data;
    }
  }));
  return real;
}
