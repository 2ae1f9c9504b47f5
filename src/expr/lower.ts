/**
 * The matrix syntax lowered to the engine's ops (issue 16): what the builder needs to know about
 * a Variable's shape, ranges as constant vectors (mathjs's `range`, both ends included), and
 * 1-based index entries resolved to the 0-based constants the engine's `index` takes. Every op is
 * called through the registry by its name, so this compiles whether or not the engine has it.
 */
import type { Node } from './ast.js';
import { ExprError } from './errors.js';
import { noGrad } from '../engine/config.js';
import { elementsOf, MAX_ELEMENTS, shapeText, TensorError } from '../engine/tensor.js';
import { OPS, type OpSpec } from '../engine/registry.js';
import { Variable } from '../engine/variable.js';

/** A Variable's shape: [] for a number. */
export const shapeOf = (v: Variable): readonly number[] => v.shape;

export const isScalar = (v: Variable): boolean => v.ndim === 0;

/**
 * The op named `name`, or an error at `node` when this build has no such op (the tensor engine's
 * ops come with issue 16's engine half).
 */
export function opFor(name: string, node: Node, source: string): OpSpec {
  const op = OPS.get(name);
  if (op === undefined) {
    throw new ExprError(
      `vectors and matrices need the engine's ${name}, which this build does not have`,
      source,
      node.start,
    );
  }
  return op;
}

/** Calls `op`; an engine error about shapes or sizes becomes an error at `at()` in the source. */
export function applyAt(op: OpSpec, args: (Variable | number)[], source: string, at: () => number): Variable {
  try {
    return op.fn(...args);
  } catch (e) {
    throw located(e, source, at());
  }
}

/** The engine's typed errors about values (shapes, sizes, indices) located at `at`; anything else as it is. */
export function located(e: unknown, source: string, at: number): unknown {
  if (e instanceof ExprError || !(e instanceof Error)) return e;
  if (e instanceof TensorError) {
    const err = new ExprError(e.message, source, at);
    (err as { cause?: unknown }).cause = e;
    return err;
  }
  return e;
}

/** How many Variables one `stack` call takes at most: a spread of more would risk the call stack. */
const CHUNK = 4096;

/**
 * A constant vector (no gradient, not in the graph) holding `values`, built with the engine's
 * `stack` (and `concat` past CHUNK elements). `name` is how the trace shows it.
 */
export function constantVector(values: readonly number[], node: Node, source: string, name?: string): Variable {
  const stack = opFor('stack', node, source);
  const v = noGrad(() => {
    const part = (from: number, to: number): Variable =>
      stack.fn(...values.slice(from, to).map((x) => new Variable(x, null, false)));
    if (values.length <= CHUNK) return part(0, values.length);
    const parts: Variable[] = [];
    for (let i = 0; i < values.length; i += CHUNK) parts.push(part(i, Math.min(values.length, i + CHUNK)));
    return opFor('concat', node, source).fn(...parts);
  });
  v.name = name ?? vectorName(values);
  return v;
}

/** `[0, 1, 2]`, or `[0, 1, 2, ..., 99]` for a long one. */
function vectorName(values: readonly number[]): string {
  const shown = values.length <= 6 ? values : [...values.slice(0, 3), '...', ...values.slice(-1)];
  return `[${shown.join(', ')}]`;
}

/** mathjs's nearlyEqual with its default tolerances, which its range uses to include the end. */
function nearlyEqual(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= Math.max(1e-12 * Math.max(Math.abs(a), Math.abs(b)), 1e-15);
}

/**
 * The elements of `start:step:end` as mathjs's range makes them: start, start+step, ... (each by
 * one more addition, as mathjs), while not past `end` (within mathjs's tolerance). Errors at
 * `node`: a part that is not a finite number, a zero step, an empty range or one too large.
 */
export function rangeValues(start: number, step: number, end: number, node: Node, source: string): number[] {
  for (const [what, v] of [
    ['start', start],
    ['step', step],
    ['end', end],
  ] as const) {
    if (!Number.isFinite(v))
      throw new ExprError(`the range's ${what} is ${v}: it must be a finite number`, source, node.start);
  }
  if (step === 0) throw new ExprError("the range's step is 0", source, node.start, 'write e.g. 1:2:9');
  const estimate = Math.floor((end - start) / step) + 1;
  if (estimate > MAX_ELEMENTS) {
    throw new ExprError(`the range has ${estimate} elements; the limit is ${MAX_ELEMENTS}`, source, node.start);
  }
  const values: number[] = [];
  const ongoing =
    step > 0 ? (x: number) => x < end || nearlyEqual(x, end) : (x: number) => x > end || nearlyEqual(x, end);
  for (let x = start; ongoing(x) && values.length <= estimate; x += step) values.push(x);
  if (values.length === 0) {
    throw new ExprError(
      `the range ${start}:${step === 1 ? '' : `${step}:`}${end} is empty (an empty vector is not supported)`,
      source,
      node.start,
      step > 0 ? `the end must not be below the start, or write a negative step: ${start}:-1:${end}` : undefined,
    );
  }
  return values;
}

const ORDINAL = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth'];
const ordinal = (k: number): string => ORDINAL[k] ?? `${k + 1}th`;

/**
 * A 1-based index entry's value, checked against the dimension it indexes, as the 0-based
 * constant the engine's `index` takes: a number for a scalar entry (the dimension is dropped), a
 * vector for a vector, range or `:` (it is kept). `entry` is the node, for the message.
 */
export function indexConstant(
  value: Variable | 'colon',
  dim: number,
  size: number,
  ndim: number,
  entry: Node,
  source: string,
): Variable {
  const where = ndim === 1 ? '' : ` of dimension ${dim + 1}`;
  if (value === 'colon') {
    return constantVector(
      Array.from({ length: size }, (_, i) => i),
      entry,
      source,
    );
  }
  const shape = shapeOf(value);
  if (shape.length > 1) {
    throw new ExprError(
      `the ${ordinal(dim)} index is a ${shapeText(shape)} matrix: an index is a number or a vector`,
      source,
      entry.start,
    );
  }
  const values = Array.from(elementsOf(value.data), (i) => {
    if (!Number.isInteger(i)) {
      throw new ExprError(`index ${i}${where} is not an integer (indices count from 1)`, source, entry.start);
    }
    if (i < 1 || i > size) {
      throw new ExprError(
        `index ${i}${where} is out of range: the dimension has size ${size} (indices run from 1 to ${size})`,
        source,
        entry.start,
      );
    }
    return i - 1;
  });
  if (shape.length === 0) return new Variable(values[0], null, false);
  return constantVector(values, entry, source);
}
