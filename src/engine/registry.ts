/**
 * The one table of operations, keyed by the name the parser sees: the parser, the graph builder,
 * the trace, `--help`, completion, the symbolic bridge and the batch compiler all read it. Adding
 * a function is one definition in ops.ts (and its tests); test/definitions.test.ts fails when a
 * definition is incomplete.
 */
import './ops.js';
import { DEFINED, type OpSpec } from './op.js';

export type { OpSpec, Kink, Term } from './op.js';

/** Every op defined in ops.ts, in its order: the language's and the internal ones backward rules use. */
export const ALL_OPS: readonly OpSpec[] = DEFINED;

/**
 * Every op of the expression language by name (not the internal ones). A Map, so names such as
 * `constructor` or `__proto__` are never found by accident.
 */
export const OPS: ReadonlyMap<string, OpSpec> = new Map(
  ALL_OPS.filter((op) => !op.internal).map((op) => [op.name, op]),
);

/** The functions an expression may call by name, sorted. */
export const CALLABLE: readonly OpSpec[] = [...OPS.values()]
  .filter((op) => op.callable)
  .sort((a, b) => (a.name < b.name ? -1 : 1)); // not localeCompare: it loads ICU's collator at start-up

/** Named constants. */
export const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
]);

export function getOp(name: string): OpSpec {
  const op = OPS.get(name);
  if (op === undefined) throw new Error(`internal: no op named ${name}`);
  return op;
}

/** The op a Function of the engine applies, or undefined for a Function that is not an op. */
export { opOf } from './op.js';
export { backwardTerms } from './op.js';
