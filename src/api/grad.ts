/**
 * The library entry: `grad(expression, values)` parses, builds the graph at the given values, runs
 * backward and returns the value, the gradient and the trace.
 */
import { parse, parsePostfix } from '../expr/parse.js';
import { toTree, type Postfix } from '../expr/postfix.js';
import { build } from '../expr/build.js';
import type { Node } from '../expr/ast.js';
import { CompiledExpression, valuesMap, type BatchResult, type CompileOptions } from '../batch/run.js';
import { differentiate, type GradResult, type Values } from './differentiate.js';
import { differentiateOnTape } from './differentiate-tape.js';
import type { Trace } from './trace.js';

// What a one-point run needs lives in differentiate.ts, so that it loads no batch code.
export { differentiate, type GradResult, type Values } from './differentiate.js';
import { scalarResult } from './differentiate.js';
import { Tensor, type Value } from '../engine/tensor.js';

/** Values where some variables hold many points: `{ x: Float64Array }`. */
export type BatchValues =
  | Readonly<Record<string, Float64Array | ArrayLike<number> | number>>
  | ReadonlyMap<string, Float64Array | ArrayLike<number> | number>;

/**
 * Value and gradient of `expression` at `values`.
 *
 *     grad('square(exp(square(x)))', { x: 0.5 }).gradient.x  // 3.297442541400256
 *
 * Throws ExprError (with a position) for a syntax error, its MissingValueError for a variable
 * without a value. Values for names the expression does not use are ignored.
 */
export function grad(expression: string | Node, values?: Values): GradResult<number>;
/**
 * Value and gradient where some values are vectors or matrices (`tensor([[1, 2], [3, 4]])`): the
 * gradients are shaped like their variables; an output that is not a scalar is seeded with ones
 * (DeZero's `np.ones_like`), so the gradients are those of the sum of its elements.
 */
export function grad(expression: string | Node, values: TensorValues): GradResult<Value>;
/**
 * Value and gradient at many points: any value that is an array (`Float64Array` or any array of
 * numbers) makes a batch. Equal lengths pair up; numbers and arrays of one value repeat.
 * Returns `value` and `gradient[name]` as `Float64Array`s. The graph is compiled into one fused
 * loop (src/batch/compile.ts) that agrees with the engine bit for bit.
 *
 *     grad('tanh(x)', { x: new Float64Array([0, 0.5, 1]) }).gradient.x
 *
 * `{ simd: true }` runs the batch on the WebAssembly SIMD kernel: faster, with exp, sin, cos and
 * tanh within a stated number of ulps instead of `Math`'s bits (see CompileOptions, README).
 *
 * Throws ExprError for a bad expression, RangeError for a missing value or mismatched lengths.
 */
export function grad(expression: string | Node, values: BatchValues, options?: CompileOptions): BatchResult;
export function grad(
  expression: string | Node,
  values: BatchValues | TensorValues = {},
  options: CompileOptions = {},
): GradResult<Value> | BatchResult {
  const map = valuesMap(values);
  const tensors = [...map.values()].some((x) => x instanceof Tensor);
  if (!tensors && [...map.values()].some((x) => typeof x !== 'number'))
    return compiled(expression, options.simd === true).run(map);
  const source = typeof expression === 'string' ? expression : '';
  if (tensors) return differentiate(build(treeOf(expression), map as Map<string, Value>, source));
  const point = map as Map<string, number>;
  // The numbers from the tape, read off the parser's compact form; the syntax tree and the trace
  // (which needs the Variables) are made when something needs them.
  const form: Postfix | Node = typeof expression === 'string' ? postfixOf(expression) : expression;
  let root = typeof expression === 'string' ? undefined : expression;
  const tree = (): Node => (root ??= toTree(form as Postfix));
  const taped = differentiateOnTape(form, point);
  if (taped === undefined) return scalarResult(differentiate(build(tree(), point, source)));
  return withLazyTrace(scalarResult(taped.result), () => differentiate(build(tree(), point, source)).trace);
}

/**
 * The compact form of an expression, kept by its text: a second grad() of the same text at one
 * point skips the parse (about a third of a call on a small expression). Nothing reads a form but
 * the tape builder and toTree, and neither changes it. A text that does not parse throws every time.
 */
function postfixOf(expression: string): Postfix {
  let form = forms.get(expression);
  if (form === undefined) {
    form = parsePostfix(expression);
    if (forms.size >= 64) forms.clear();
    forms.set(expression, form);
  }
  return form;
}

const forms = new Map<string, Postfix>();

function treeOf(expression: string | Node): Node {
  return typeof expression === 'string' ? parse(expression) : expression;
}

/** `result` whose `trace` is made by `make` on first reading (an ordinary enumerable property after). */
function withLazyTrace<V extends Value>(result: GradResult<V>, make: () => Trace): GradResult<V> {
  let trace: Trace | undefined;
  return Object.defineProperty(result, 'trace', {
    enumerable: true,
    configurable: true,
    get: () => (trace ??= make()),
  });
}

/** Values where some are vectors or matrices: one value each, seen whole by the expression. */
export type TensorValues = Readonly<Record<string, number | Tensor>> | ReadonlyMap<string, number | Tensor>;

/**
 * The compiled form of an expression, kept by its text (or its syntax tree, by identity): a second
 * grad() over arrays of the same expression skips parsing, planning and compiling, and reuses the
 * kernel V8 has already optimised. Nothing in it depends on the points.
 */
function compiled(expression: string | Node, simd: boolean): CompiledExpression {
  const kind = simd ? 1 : 0;
  if (typeof expression !== 'string') {
    let both = byTree.get(expression);
    if (both === undefined) byTree.set(expression, (both = []));
    return (both[kind] ??= new CompiledExpression(expression, '', { simd }));
  }
  const texts = byText[kind];
  let c = texts.get(expression);
  if (c === undefined) {
    c = new CompiledExpression(parse(expression), expression, { simd });
    if (texts.size >= 64) texts.clear();
    texts.set(expression, c);
  }
  return c;
}

/** By text, one map for the Math kernels and one for the SIMD ones. */
const byText = [new Map<string, CompiledExpression>(), new Map<string, CompiledExpression>()];
const byTree = new WeakMap<Node, CompiledExpression[]>();
