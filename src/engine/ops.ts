/**
 * The operations, one definition each: forward (in the primitives, so the same text gives the
 * engine's value and the fused kernel's code) and backward (in the differentiable ops below, so
 * backward with `createGraph` yields higher-order derivatives), side by side, then a lowercase
 * factory, as in DeZero's functions.py. The rule the trace prints (`2·x·gy`) and the kernel's code
 * are derived from these definitions (src/engine/op.ts); nothing restates them.
 *
 * "keeps" says what backward reads: an input (`xs`) or the output (`y`). Every op defined here is
 * in the registry, in this order; adding a function is adding its definition (and its tests).
 */
import { Config } from './config.js';
import { gradients } from './gradients.js';
import {
  axisOf,
  concat as concatValue,
  det as detValue,
  eye,
  index as indexValue,
  indexGrad as indexGradValue,
  inv as invValue,
  keptShape,
  matmul as matmulValue,
  plus,
  plusSquare,
  reduce,
  reshape as reshapeValue,
  shapeFrom,
  shapeValue,
  stack as stackValue,
  times,
  trace as traceValue,
  transpose as transposeValue,
} from './arrays.js';
import { defineOp, registerBroadcastOps } from './op.js';
import type { Arg, Prims } from './primitives.js';
import {
  ShapeError,
  Tensor,
  broadcastTo as broadcastToValue,
  elementsOf,
  elementwise,
  sameShape,
  shapeOf,
  sumTo as sumToValue,
  type Value,
} from './tensor.js';
import { asVariable, registerGradientAdd, Variable } from './variable.js';

type In = Variable | Value;

// ---- arithmetic ------------------------------------------------------------------------------

/** keeps: nothing. */
export const Add = defineOp({
  name: 'add',
  label: 'Add',
  arity: 2,
  symbol: '+',
  mathjs: '({0}) + ({1})',
  description: 'x + y',
  forward: (m, x0, x1) => m.add(x0, x1),
  backward: (gy) => [gy, gy],
});
export const add = (x0: In, x1: In): Variable => new Add().call(x0, x1);
registerGradientAdd(add);

/** keeps: nothing. */
export const Sub = defineOp({
  name: 'sub',
  label: 'Sub',
  arity: 2,
  symbol: '-',
  mathjs: '({0}) - ({1})',
  description: 'x - y',
  forward: (m, x0, x1) => m.sub(x0, x1),
  backward: (gy) => [gy, neg(gy)],
});
export const sub = (x0: In, x1: In): Variable => new Sub().call(x0, x1);

/** keeps: both inputs. */
export const Mul = defineOp({
  name: 'mul',
  label: 'Mul',
  arity: 2,
  symbol: '*',
  mathjs: '({0}) * ({1})',
  description: 'x * y, also 2x',
  forward: (m, x0, x1) => m.mul(x0, x1),
  backward: (gy, [x0, x1]) => [mul(gy, x1), mul(gy, x0)],
});
export const mul = (x0: In, x1: In): Variable => new Mul().call(x0, x1);

/** keeps: both inputs. */
export const Div = defineOp({
  name: 'div',
  label: 'Div',
  arity: 2,
  symbol: '/',
  mathjs: '({0}) / ({1})',
  description: 'x / y',
  forward: (m, x0, x1) => m.div(x0, x1),
  backward: (gy, [x0, x1]) => [div(gy, x1), mul(gy, div(neg(x0), square(x1)))],
});
export const div = (x0: In, x1: In): Variable => new Div().call(x0, x1);

/**
 * keeps: both inputs and the output. d(x^c)/dx = c*x^(c-1)*gy, computed only when x needs a
 * gradient and never through exp(c*log(x)), so a negative base with an integer exponent has a
 * finite gradient; an exponent of exactly 0 gives 0 (PyTorch). d(x^c)/dc = x^c*log(x)*gy, computed
 * only when c needs a gradient, and 0 where x = 0 and c >= 0 (the limit; PyTorch's convention).
 * Both edges are taken by giving the formula safe operands (x^(1-1) = 1, log(1) = 0) rather than
 * by choosing between two formulas: a formula not taken would still be differentiated by a
 * higher-order pass, and its NaN would reach the gradient.
 */
export const Pow = defineOp({
  name: 'pow',
  label: 'Pow',
  arity: 2,
  symbol: '^',
  callable: true, // pow(x, y), mathjs's function form of ^
  mathjs: '({0}) ^ ({1})',
  domain: 'x >= 0, or x < 0 with an integer exponent',
  description: 'x ^ y (also x ** y), right-associative',
  // Math.pow(-Infinity, 0.5) is Infinity; the domain rule (x < 0 needs an integer exponent) says NaN.
  forward: (m, x, c) => m.where(m.mul(m.eq(x, -Infinity), m.not(m.eq(m.floor(c), c))), NaN, m.pow(x, c)),
  backward: (gy, [x, c], y) => {
    // Each side only when it needs a gradient: 2^x has no use for d/d(2).
    const zero = eq(c, 0);
    const gx = x.requiresGrad ? mul(mul(where(zero, 0, c), pow(x, sub(where(zero, 1, c), 1))), gy) : null;
    if (!c.requiresGrad) return [gx, null];
    return [gx, mul(mul(y, log(where(mul(eq(x, 0), ge(c, 0)), 1, x))), gy)];
  },
});
export const pow = (x: In, c: In): Variable => new Pow().call(x, c);

/** keeps: nothing. */
export const Neg = defineOp({
  name: 'neg',
  label: 'Neg',
  arity: 1,
  symbol: '-',
  mathjs: '-({0})',
  description: '-x',
  forward: (m, x) => m.neg(x),
  backward: (gy) => [neg(gy)],
});
export const neg = (x: In): Variable => new Neg().call(x);

/** keeps: the input. */
export const Square = defineOp({
  name: 'square',
  label: 'Square',
  arity: 1,
  mathjs: '({0})^2',
  description: 'x squared',
  forward: (m, x) => m.mul(x, x),
  backward: (gy, [x]) => [mul(mul(2, x), gy)],
});
export const square = (x: In): Variable => new Square().call(x);

/** keeps: the output. Infinity at 0. */
export const Sqrt = defineOp({
  name: 'sqrt',
  label: 'Sqrt',
  arity: 1,
  mathjs: 'sqrt({0})',
  domain: 'x >= 0',
  description: "square root; sqrt'(0) = Infinity",
  forward: (m, x) => m.sqrt(x),
  // max(y, 0): at x = -0, y is -0 and 2·y would give the gradient -Infinity; sqrt'(0) is Infinity
  // from either side (max(-0, 0) is +0; abs(y) would make the second derivative at 0 NaN, not -Infinity).
  backward: (gy, _, y) => [div(gy, mul(2, max(y, 0)))],
});
export const sqrt = (x: In): Variable => new Sqrt().call(x);

// ---- exponentials and logarithms -------------------------------------------------------------

/** keeps: the output. */
export const Exp = defineOp({
  name: 'exp',
  label: 'Exp',
  arity: 1,
  mathjs: 'exp({0})',
  description: 'e to the x',
  forward: (m, x) => m.exp(x),
  backward: (gy, _, y) => [mul(gy, y)],
});
export const exp = (x: In): Variable => new Exp().call(x);

/** keeps: the input. */
export const Log = defineOp({
  name: 'log',
  label: 'Log',
  arity: 1,
  mathjs: 'log({0})',
  domain: 'x > 0',
  description: 'natural logarithm',
  forward: (m, x) => m.log(x),
  backward: (gy, [x]) => [div(gy, x)],
});
export const log = (x: In): Variable => new Log().call(x);

// ---- trigonometric ---------------------------------------------------------------------------

/** keeps: the input. */
export const Sin = defineOp({
  name: 'sin',
  label: 'Sin',
  arity: 1,
  mathjs: 'sin({0})',
  description: 'sine (radians)',
  forward: (m, x) => m.sin(x),
  backward: (gy, [x]) => [mul(gy, cos(x))],
});
export const sin = (x: In): Variable => new Sin().call(x);

/** keeps: the input. */
export const Cos = defineOp({
  name: 'cos',
  label: 'Cos',
  arity: 1,
  mathjs: 'cos({0})',
  description: 'cosine (radians)',
  forward: (m, x) => m.cos(x),
  backward: (gy, [x]) => [mul(gy, neg(sin(x)))],
});
export const cos = (x: In): Variable => new Cos().call(x);

/** keeps: the output. */
export const Tan = defineOp({
  name: 'tan',
  label: 'Tan',
  arity: 1,
  mathjs: 'tan({0})',
  description: 'tangent (radians)',
  forward: (m, x) => m.tan(x),
  backward: (gy, _, y) => [mul(gy, add(1, square(y)))],
});
export const tan = (x: In): Variable => new Tan().call(x);

/** keeps: the input. */
export const Asin = defineOp({
  name: 'asin',
  label: 'Asin',
  arity: 1,
  mathjs: 'asin({0})',
  domain: '-1 <= x <= 1',
  description: 'inverse sine',
  forward: (m, x) => m.asin(x),
  backward: (gy, [x]) => [div(gy, sqrt(sub(1, square(x))))],
});
export const asin = (x: In): Variable => new Asin().call(x);

/** keeps: the input. */
export const Acos = defineOp({
  name: 'acos',
  label: 'Acos',
  arity: 1,
  mathjs: 'acos({0})',
  domain: '-1 <= x <= 1',
  description: 'inverse cosine',
  forward: (m, x) => m.acos(x),
  backward: (gy, [x]) => [neg(div(gy, sqrt(sub(1, square(x)))))],
});
export const acos = (x: In): Variable => new Acos().call(x);

/** keeps: the input. */
export const Atan = defineOp({
  name: 'atan',
  label: 'Atan',
  arity: 1,
  mathjs: 'atan({0})',
  description: 'inverse tangent',
  forward: (m, x) => m.atan(x),
  backward: (gy, [x]) => [div(gy, add(1, square(x)))],
});
export const atan = (x: In): Variable => new Atan().call(x);

/** keeps: the input and the output. */
export const Sec = defineOp({
  name: 'sec',
  label: 'Sec',
  arity: 1,
  mathjs: 'sec({0})',
  domain: 'cos(x) != 0',
  description: 'secant 1/cos(x)',
  forward: (m, x) => m.div(1, m.cos(x)),
  backward: (gy, [x], y) => [mul(mul(gy, y), tan(x))],
});
export const sec = (x: In): Variable => new Sec().call(x);

// ---- hyperbolic ------------------------------------------------------------------------------

/** keeps: the output. Exactly 0 where tanh saturates. */
export const Tanh = defineOp({
  name: 'tanh',
  label: 'Tanh',
  arity: 1,
  mathjs: 'tanh({0})',
  description: 'hyperbolic tangent',
  forward: (m, x) => m.tanh(x),
  backward: (gy, _, y) => [mul(gy, sub(1, mul(y, y)))],
});
export const tanh = (x: In): Variable => new Tanh().call(x);

/** keeps: the input. */
export const Sinh = defineOp({
  name: 'sinh',
  label: 'Sinh',
  arity: 1,
  mathjs: 'sinh({0})',
  description: 'hyperbolic sine',
  forward: (m, x) => m.sinh(x),
  backward: (gy, [x]) => [mul(gy, cosh(x))],
});
export const sinh = (x: In): Variable => new Sinh().call(x);

/** keeps: the input. */
export const Cosh = defineOp({
  name: 'cosh',
  label: 'Cosh',
  arity: 1,
  mathjs: 'cosh({0})',
  description: 'hyperbolic cosine',
  forward: (m, x) => m.cosh(x),
  backward: (gy, [x]) => [mul(gy, sinh(x))],
});
export const cosh = (x: In): Variable => new Cosh().call(x);

// ---- activations and kinks -------------------------------------------------------------------

/** keeps: the output. */
export const Sigmoid = defineOp({
  name: 'sigmoid',
  label: 'Sigmoid',
  arity: 1,
  mathjs: '1 / (1 + exp(-({0})))',
  description: 'logistic 1/(1+exp(-x))',
  forward: (m, x) => m.div(1, m.add(1, m.exp(m.neg(x)))),
  backward: (gy, _, y) => [mul(mul(gy, y), sub(1, y))],
});
export const sigmoid = (x: In): Variable => new Sigmoid().call(x);

/** keeps: the input. relu'(0) = 0 (PyTorch). */
export const ReLU = defineOp({
  // mathjs: (x+|x|)/2, not max(0, x): mathjs's max compares within its tolerance (max(0, 1e-108)
  // is 0) and its derivative has no max. (x+|x|)/2 is NaN at -Infinity, where relu is 0.
  name: 'relu',
  label: 'ReLU',
  arity: 1,
  mathjs: '(({0}) + abs({0})) / 2',
  description: "max(x, 0); relu'(0) = 0",
  kink: { at: 0, left: 0, right: 1, convention: 0 },
  forward: (m, x) => m.max(0, x),
  backward: (gy, [x]) => [mul(gy, step(x))],
});
export const relu = (x: In): Variable => new ReLU().call(x);

/** keeps: the input. abs'(0) = 0 (PyTorch). */
export const Abs = defineOp({
  name: 'abs',
  label: 'Abs',
  arity: 1,
  mathjs: 'abs({0})',
  description: "absolute value; abs'(0) = 0",
  kink: { at: 0, left: -1, right: 1, convention: 0 },
  forward: (m, x) => m.abs(x),
  backward: (gy, [x]) => [mul(gy, sign(x))],
});
export const abs = (x: In): Variable => new Abs().call(x);

// ---- steps and selections: what backward rules choose with -----------------------------------

/** keeps: nothing. The sign, -1, 0 or 1 (NaN for NaN); its derivative is 0 everywhere. */
export const Sign = defineOp({
  name: 'sign',
  label: 'Sign',
  arity: 1,
  mathjs: 'sign({0})',
  description: "the sign of x: -1, 0 or 1; sign' = 0 (PyTorch)",
  kink: { at: 0, left: 0, right: 0, convention: 0 },
  forward: (m, x) => m.sign(x),
  backward: () => [null],
});
export const sign = (x: In): Variable => new Sign().call(x);

/** keeps: nothing. 1 where x > 0, else 0 (NaN for NaN): relu's derivative; its own is 0. */
export const Step = defineOp({
  internal: true,
  name: 'step',
  label: 'Step',
  arity: 1,
  mathjs: '(({0}) > 0 ? 1 : 0)',
  ruleForm: '({0}>0)',
  description: '1 where x > 0, else 0',
  kink: { at: 0, left: 0, right: 0, convention: 0 },
  forward: (m, x) => m.step(x),
  backward: () => [null],
});
export const step = (x: In): Variable => new Step().call(x);

/** keeps: nothing. 1 where x0 == x1, else 0; no gradient flows through a comparison. */
export const Eq = defineOp({
  internal: true,
  name: 'eq',
  label: 'Eq',
  arity: 2,
  symbol: '==',
  mathjs: '(({0}) == ({1}) ? 1 : 0)',
  description: 'x == y',
  forward: (m, x0, x1) => m.eq(x0, x1),
  backward: () => [null, null],
});
export const eq = (x0: In, x1: In): Variable => new Eq().call(x0, x1);

/** keeps: nothing. 1 where x0 >= x1, else 0. */
export const Ge = defineOp({
  internal: true,
  name: 'ge',
  label: 'Ge',
  arity: 2,
  symbol: '>=',
  mathjs: '(({0}) >= ({1}) ? 1 : 0)',
  description: 'x >= y',
  forward: (m, x0, x1) => m.ge(x0, x1),
  backward: () => [null, null],
});
export const ge = (x0: In, x1: In): Variable => new Ge().call(x0, x1);

/** keeps: the condition. a where c is true (neither 0 nor NaN), else b; the gradient goes to the branch taken. */
export const Where = defineOp({
  internal: true,
  name: 'where',
  label: 'Where',
  arity: 3,
  mathjs: '(({0}) ? ({1}) : ({2}))',
  description: 'c ? a : b',
  forward: (m, c, a, b) => m.where(c, a, b),
  backward: (gy, [c]) => [null, where(c, gy, 0), where(c, 0, gy)],
});
/** A condition known before the run (a constant) picks its branch at once; while tracing nothing is known. */
export const where = (c: In, a: In, b: In): Variable => {
  const cond = asVariable(c);
  if (!Config.tracing && cond.creator === null && !cond.requiresGrad && typeof cond.data === 'number')
    return asVariable(cond.data ? a : b);
  return new Where().call(cond, a, b);
};

// ---- comparisons and the conditional ----------------------------------------------------------

/** A comparison as mathjs makes it (within its relative 1e-12): value 1 or 0, no gradient. */
function comparison(name: string, label: string, symbol: string, mathjs: string, description: string) {
  return defineOp({
    name,
    label,
    arity: 2,
    symbol,
    callable: true,
    mathjs: `({0}) ${mathjs} ({1})`,
    description: `${description}: 1 or 0 (as mathjs: equal within a relative 1e-12); gradient 0`,
    forward: (m, x0, x1) => m[name as 'equal'](x0, x1),
    backward: () => [null, null],
  });
}
export const Smaller = comparison('smaller', 'Smaller', '<', '<', 'x < y');
export const Larger = comparison('larger', 'Larger', '>', '>', 'x > y');
export const SmallerEq = comparison('smallerEq', 'SmallerEq', '<=', '<=', 'x <= y');
export const LargerEq = comparison('largerEq', 'LargerEq', '>=', '>=', 'x >= y');
export const Equal = comparison('equal', 'Equal', '==', '==', 'x == y');
export const Unequal = comparison('unequal', 'Unequal', '!=', '!=', 'x != y');

/**
 * keeps: the condition. mathjs's `c ? a : b`: a where c is true (neither 0 nor NaN), else b. The
 * gradient flows into the branch taken only (`routes`): the other branch's backward never runs, so
 * `x > 0 ? sqrt(x) : 0` at -1 has gradient 0, not NaN.
 */
export const Cond = defineOp({
  name: 'cond',
  label: 'Cond',
  arity: 3,
  symbol: '?',
  mathjs: '(({0}) ? ({1}) : ({2}))',
  description: 'c ? a : b: the gradient flows through the branch taken only',
  forward: (m, c, a, b) => m.where(c, a, b),
  backward: (gy) => [null, gy, gy],
  routes: (m, c) => [null, c, m.not(c)],
});
export const cond = (c: In, a: In, b: In): Variable => new Cond().call(c, a, b);

// ---- several arguments --------------------------------------------------------------------------

/** The share of a max or min each input gets: at a tie the gradient is split equally (PyTorch's amax). */
function tieShares(gy: Variable, xs: readonly Variable[], y: Variable): Variable[] {
  const hits = xs.map((x) => eq(x, y));
  // max(x) of one tensor reduces it: the ties are among its elements.
  const count = xs.length === 1 && xs[0].ndim > 0 ? sum(hits[0]) : hits.reduce((a, b) => add(a, b));
  return hits.map((h) => mul(div(h, count), gy));
}

/**
 * The per-element functions the array forms below hand to elementwise, each defined once:
 * elementwise compiles a loop for each function it is given (a closure made per call would cost a
 * compile per call).
 */
const largest = (m: Prims<number>, ...ns: number[]): number => ns.reduce((a, b) => m.max(a, b));
const smallest = (m: Prims<number>, ...ns: number[]): number => ns.reduce((a, b) => m.min(a, b));
const expLess = (_: Prims<number>, a: number, b: number): number => Math.exp(a - b);
const quotient = (_: Prims<number>, a: number, b: number): number => a / b;
const logPlus = (_: Prims<number>, t: number, b: number): number => Math.log(t) + b;

/** keeps: the inputs and the output. The largest argument; a tie shares the gradient equally. */
export const Max = defineOp({
  name: 'max',
  label: 'Max',
  arity: 1,
  variadic: true,
  mathjs: 'max({...})',
  description:
    'the largest of its arguments (any number), or of the elements of one tensor; at a tie the gradient is shared equally',
  forward: (m, ...xs) => xs.reduce((a, b) => m.max(a, b)),
  // One tensor: its largest element; else elementwise, with broadcasting (the backward rules'
  // max(y, 0) is elementwise: mathjs's max(A, dim) along a dimension is not this op's).
  array: (...xs) =>
    xs.length === 1 ? reduce('max', xs[0], null, -Infinity, Math.max) : elementwise('max', largest, xs),
  backward: tieShares,
});
export const max = (...xs: In[]): Variable => new Max().call(...xs);

/** keeps: the inputs and the output. The smallest argument; a tie shares the gradient equally. */
export const Min = defineOp({
  name: 'min',
  label: 'Min',
  arity: 1,
  variadic: true,
  mathjs: 'min({...})',
  description:
    'the smallest of its arguments (any number), or of the elements of one tensor; at a tie the gradient is shared equally',
  forward: (m, ...xs) => xs.reduce((a, b) => m.min(a, b)),
  // One tensor: its smallest element; else elementwise, with broadcasting.
  array: (...xs) =>
    xs.length === 1 ? reduce('min', xs[0], null, Infinity, Math.min) : elementwise('min', smallest, xs),
  backward: tieShares,
});
export const min = (...xs: In[]): Variable => new Min().call(...xs);

/** keeps: the inputs and the output. d hypot/dx_i = x_i/hypot; 0 at the origin (a subgradient). */
export const Hypot = defineOp({
  name: 'hypot',
  label: 'Hypot',
  arity: 2,
  variadic: true,
  mathjs: 'hypot({...})',
  description: "sqrt(x^2 + y^2 + ...), any number of arguments, without overflow; hypot' = 0 at the origin",
  forward: (m, ...xs) => m.hypot(...xs),
  backward: (gy, xs, y) => xs.map((x) => mul(div(x, where(eq(y, 0), 1, y)), gy)),
});
export const hypot = (...xs: In[]): Variable => new Hypot().call(...xs);

// ---- special functions (src/engine/special.ts) ---------------------------------------------

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** keeps: the input. d erf(x) = 2/sqrt(pi)·exp(-x²). */
export const Erf = defineOp({
  name: 'erf',
  label: 'Erf',
  arity: 1,
  mathjs: 'erf({0})',
  description: 'the error function',
  forward: (m, x) => m.erf(x),
  backward: (gy, [x]) => [mul(mul(TWO_OVER_SQRT_PI, exp(neg(square(x)))), gy)],
});
export const erf = (x: In): Variable => new Erf().call(x);

/** keeps: the input. erfc(x) = 1 - erf(x), accurate in the tail (erfc(10) ~ 2e-45). */
export const Erfc = defineOp({
  name: 'erfc',
  label: 'Erfc',
  arity: 1,
  mathjs: '(1 - erf({0}))',
  description: 'the complementary error function 1 - erf(x)',
  forward: (m, x) => m.erfc(x),
  backward: (gy, [x]) => [mul(neg(mul(TWO_OVER_SQRT_PI, exp(neg(square(x))))), gy)],
});
export const erfc = (x: In): Variable => new Erfc().call(x);

/** keeps: the input and the output. d gamma(x) = gamma(x)·digamma(x); poles at 0, -1, -2, ... */
export const Gamma = defineOp({
  name: 'gamma',
  label: 'Gamma',
  arity: 1,
  mathjs: 'gamma({0})',
  domain: 'x not 0, -1, -2, ...',
  description: "the gamma function, (x-1)! at the integers; gamma' = gamma·digamma",
  forward: (m, x) => m.gamma(x),
  backward: (gy, [x], y) => [mul(mul(y, digamma(x)), gy)],
});
export const gamma = (x: In): Variable => new Gamma().call(x);

/** keeps: the input. d lgamma(x) = digamma(x). */
export const Lgamma = defineOp({
  name: 'lgamma',
  label: 'Lgamma',
  arity: 1,
  mathjs: 'lgamma({0})',
  domain: 'x >= 0 (as mathjs: NaN for x < 0)',
  description: "log(gamma(x)); lgamma' = digamma",
  forward: (m, x) => m.lgamma(x),
  backward: (gy, [x]) => [mul(digamma(x), gy)],
});
export const lgamma = (x: In): Variable => new Lgamma().call(x);

/** keeps: the input. d digamma(x) = polygamma(1, x). mathjs has no digamma: --check is numerical. */
export const Digamma = defineOp({
  name: 'digamma',
  label: 'Digamma',
  arity: 1,
  mathjs: null,
  domain: 'x not 0, -1, -2, ...',
  description: "psi(x) = lgamma'(x) (PyTorch's digamma); digamma' = polygamma(1, x)",
  forward: (m, x) => m.digamma(x),
  backward: (gy, [x]) => [mul(polygamma(1, x), gy)],
});
export const digamma = (x: In): Variable => new Digamma().call(x);

/** keeps: both inputs. d polygamma(n, x)/dx = polygamma(n + 1, x); n is a whole number, no gradient. */
export const Polygamma = defineOp({
  name: 'polygamma',
  label: 'Polygamma',
  arity: 2,
  mathjs: null,
  domain: 'n = 0, 1, 2, ...; x not 0, -1, -2, ...',
  description: "polygamma(n, x): the n-th derivative of digamma (PyTorch's); NaN unless n is a whole number",
  forward: (m, n, x) => m.polygamma(n, x),
  backward: (gy, [n, x]) => [null, mul(polygamma(add(n, 1), x), gy)],
});
export const polygamma = (n: In, x: In): Variable => new Polygamma().call(n, x);

/** keeps: the input. gelu(x) = x·Phi(x) = x·erfc(-x/sqrt(2))/2, the exact form (PyTorch's default). */
export const Gelu = defineOp({
  name: 'gelu',
  label: 'Gelu',
  arity: 1,
  mathjs: '({0}) * (1 + erf(({0}) / sqrt(2))) / 2',
  description: "x·Phi(x), the exact erf form; gelu' = Phi(x) + x·phi(x)",
  forward: (m, x) => m.mul(m.mul(0.5, x), m.erfc(m.mul(m.neg(x), SQRT1_2))),
  backward: (gy, [x]) => [
    mul(add(mul(0.5, erfc(mul(neg(x), SQRT1_2))), mul(mul(x, INV_SQRT_2PI), exp(mul(-0.5, square(x))))), gy),
  ],
});
export const gelu = (x: In): Variable => new Gelu().call(x);

// ---- calculus --------------------------------------------------------------------------------

/**
 * diff(f, x): df/dx as a differentiable value (book step 36). Backward from f with `createGraph`,
 * so the result has a graph and can itself be differentiated (`diff(diff(sin(x), x), x)`); the
 * Function `Diff` is the identity on it, so the derivative appears in the graph as one named step
 * and the gradient flowing into it continues into the gradient graph that computed it. Its graph
 * depends on the point, so many points run on the engine, point by point.
 */
export const Diff = defineOp({
  name: 'diff',
  label: 'Diff',
  arity: 2,
  mathjs: 'derivative({0}, {1})',
  variableArgs: [1],
  fusible: false,
  description: 'diff(f, x): df/dx at the current values, itself differentiable',
  forward: (_, g) => g,
  backward: (gy) => [gy],
  fn: (f, x) => {
    const [g] = gradients(f, [x], { createGraph: true });
    return new Diff().call(g);
  },
});
export const diff = (f: Variable, x: Variable): Variable => new Diff().call(f, x);

// ---- powers and logarithms, continued ----------------------------------------------------------

/** In the primitives: 1 where a is finite, else 0 (NaN, ±Infinity); a - a is exactly 0 for finite a. */
function isFiniteValue<T>(m: Prims<T>, a: Arg<T>): T {
  return m.eq(m.sub(a, a), 0);
}

/** keeps: the input. mathjs's cube, x*x*x (not Math.pow(x, 3), which rounds differently). */
export const Cube = defineOp({
  name: 'cube',
  label: 'Cube',
  arity: 1,
  mathjs: 'cube({0})',
  description: 'x cubed, x*x*x',
  forward: (m, x) => m.mul(m.mul(x, x), x),
  backward: (gy, [x]) => [mul(mul(3, square(x)), gy)],
});
export const cube = (x: In): Variable => new Cube().call(x);

/** keeps: the output. The real cube root, negative for x < 0; Infinity at 0. */
export const Cbrt = defineOp({
  name: 'cbrt',
  label: 'Cbrt',
  arity: 1,
  mathjs: 'cbrt({0})',
  description: "real cube root (cbrt(-8) = -2); cbrt'(0) = Infinity",
  forward: (m, x) => m.cbrt(x),
  backward: (gy, _, y) => [div(gy, mul(3, square(y)))],
});
export const cbrt = (x: In): Variable => new Cbrt().call(x);

/**
 * keeps: both inputs and the output. mathjs's nthRoot(x, n): |x|^(1/n) with x's sign, so a
 * negative x has a real root when n is an odd integer; a negative n is the reciprocal root.
 * nthRoot(0, n) is 0 (Infinity for n < 0) and nthRoot(±Infinity, n) is ±Infinity (0 for n < 0).
 * Where mathjs refuses (n = 0, or x < 0 with n not an odd integer) the value is NaN. d/dx is
 * gy/(n·y^(n-1)), Infinity at 0 for n > 1 as cbrt's; d/dn = -y·log|x|/n²·gy, computed only when n
 * needs a gradient, and 0 where x = 0 (the limit; Pow's d/dc convention).
 */
export const NthRoot = defineOp({
  name: 'nthRoot',
  label: 'NthRoot',
  arity: 2,
  defaults: [2], // nthRoot(x) is the square root, as mathjs
  mathjs: 'nthRoot({0}, {1})',
  domain: 'x >= 0, or x < 0 with an odd integer n; n != 0',
  description: 'nthRoot(x, n): the real n-th root (nthRoot(-8, 3) = -2), as mathjs',
  forward: (m, x, n) => {
    const inverse = m.step(m.neg(n)); // n < 0
    const r = m.abs(n);
    const odd = m.eq(m.sub(r, m.mul(2, m.floor(m.div(r, 2)))), 1); // r % 2 === 1
    const root = m.pow(m.abs(x), m.div(1, r));
    const signed = m.where(m.step(m.neg(x)), m.neg(root), root);
    const finite = m.where(inverse, m.div(1, signed), signed);
    const refused = m.where(m.eq(n, 0), 1, m.mul(m.step(m.neg(x)), m.sub(1, odd)));
    const atZero = m.where(inverse, Infinity, 0);
    const atInfinity = m.where(inverse, 0, x); // also NaN for NaN, as mathjs (0 for n < 0)
    return m.where(refused, NaN, m.where(m.eq(x, 0), atZero, m.where(isFiniteValue(m, x), finite, atInfinity)));
  },
  backward: (gy, [x, n], y) => {
    const gx = x.requiresGrad ? div(gy, mul(n, pow(y, sub(n, 1)))) : null;
    if (!n.requiresGrad) return [gx, null];
    return [gx, neg(div(mul(mul(y, log(where(eq(x, 0), 1, abs(x)))), gy), square(n)))];
  },
});
export const nthRoot = (x: In, n: In): Variable => new NthRoot().call(x, n);

/** keeps: the input. */
export const Log10 = defineOp({
  name: 'log10',
  label: 'Log10',
  arity: 1,
  mathjs: 'log10({0})',
  domain: 'x > 0',
  description: 'base-10 logarithm',
  forward: (m, x) => m.log10(x),
  backward: (gy, [x]) => [div(gy, mul(x, log(10)))],
});
export const log10 = (x: In): Variable => new Log10().call(x);

/** keeps: the input. */
export const Log2 = defineOp({
  name: 'log2',
  label: 'Log2',
  arity: 1,
  mathjs: 'log2({0})',
  domain: 'x > 0',
  description: 'base-2 logarithm',
  forward: (m, x) => m.log2(x),
  backward: (gy, [x]) => [div(gy, mul(x, log(2)))],
});
export const log2 = (x: In): Variable => new Log2().call(x);

/** keeps: the input. log(1 + x), accurate for small x. */
export const Log1p = defineOp({
  name: 'log1p',
  label: 'Log1p',
  arity: 1,
  mathjs: 'log1p({0})',
  domain: 'x > -1',
  description: 'log(1 + x), accurate near 0',
  forward: (m, x) => m.log1p(x),
  backward: (gy, [x]) => [div(gy, add(1, x))],
});
export const log1p = (x: In): Variable => new Log1p().call(x);

/** keeps: the input. exp(x) - 1, accurate for small x. */
export const Expm1 = defineOp({
  name: 'expm1',
  label: 'Expm1',
  arity: 1,
  mathjs: 'expm1({0})',
  description: 'exp(x) - 1, accurate near 0',
  forward: (m, x) => m.expm1(x),
  backward: (gy, [x]) => [mul(gy, exp(x))],
});
export const expm1 = (x: In): Variable => new Expm1().call(x);

// ---- trigonometric, continued: mathjs's definitions --------------------------------------------

/** keeps: the input and the output. */
export const Csc = defineOp({
  name: 'csc',
  label: 'Csc',
  arity: 1,
  mathjs: 'csc({0})',
  domain: 'sin(x) != 0',
  description: 'cosecant 1/sin(x)',
  forward: (m, x) => m.div(1, m.sin(x)),
  backward: (gy, [x], y) => [neg(mul(mul(gy, y), cot(x)))],
});
export const csc = (x: In): Variable => new Csc().call(x);

/** keeps: the output. mathjs's 1/tan(x); d/dx = -(1 + cot²). */
export const Cot = defineOp({
  name: 'cot',
  label: 'Cot',
  arity: 1,
  mathjs: 'cot({0})',
  domain: 'sin(x) != 0',
  description: 'cotangent 1/tan(x)',
  forward: (m, x) => m.div(1, m.tan(x)),
  backward: (gy, _, y) => [neg(mul(gy, add(1, square(y))))],
});
export const cot = (x: In): Variable => new Cot().call(x);

/** keeps: the input. mathjs's acos(1/x). */
export const Asec = defineOp({
  name: 'asec',
  label: 'Asec',
  arity: 1,
  mathjs: 'asec({0})',
  domain: '|x| >= 1',
  description: 'inverse secant acos(1/x)',
  forward: (m, x) => m.acos(m.div(1, x)),
  backward: (gy, [x]) => [div(gy, mul(abs(x), sqrt(sub(square(x), 1))))],
});
export const asec = (x: In): Variable => new Asec().call(x);

/** keeps: the input. mathjs's asin(1/x). */
export const Acsc = defineOp({
  name: 'acsc',
  label: 'Acsc',
  arity: 1,
  mathjs: 'acsc({0})',
  domain: '|x| >= 1',
  description: 'inverse cosecant asin(1/x)',
  forward: (m, x) => m.asin(m.div(1, x)),
  backward: (gy, [x]) => [neg(div(gy, mul(abs(x), sqrt(sub(square(x), 1)))))],
});
export const acsc = (x: In): Variable => new Acsc().call(x);

/**
 * keeps: the input. mathjs's atan(1/x), which jumps at 0: acot(0) = pi/2, acot(-0) = -pi/2, and
 * acot(x) < 0 for x < 0 (not the continuous pi/2 - atan(x)). Its derivative is -1/(1+x²) on both
 * sides; at 0 too (-1, the one-sided derivatives: the jump itself has none).
 */
export const Acot = defineOp({
  name: 'acot',
  label: 'Acot',
  arity: 1,
  mathjs: 'acot({0})',
  description: 'inverse cotangent atan(1/x) (mathjs): jumps at 0, acot(0) = pi/2, acot(-0) = -pi/2',
  kink: { at: 0, left: -1, right: -1, convention: -1 },
  forward: (m, x) => m.atan(m.div(1, x)),
  backward: (gy, [x]) => [neg(div(gy, add(1, square(x))))],
});
export const acot = (x: In): Variable => new Acot().call(x);

/**
 * keeps: both inputs. atan2(y, x), the angle of the point (x, y) in [-pi, pi]: it jumps across the
 * negative x axis (atan2(0, -1) = pi, atan2(-0, -1) = -pi). d/dy = x/(x²+y²), d/dx = -y/(x²+y²);
 * both are NaN at the origin (0/0), as PyTorch's.
 */
export const Atan2 = defineOp({
  name: 'atan2',
  label: 'Atan2',
  arity: 2,
  mathjs: 'atan2({0}, {1})',
  description: 'atan2(y, x): the angle of (x, y), in [-pi, pi]; its gradient is NaN at (0, 0)',
  forward: (m, y, x) => m.atan2(y, x),
  backward: (gy, [y, x]) => {
    const r2 = add(square(y), square(x));
    return [mul(gy, div(x, r2)), mul(gy, div(neg(y), r2))];
  },
});
export const atan2 = (y: In, x: In): Variable => new Atan2().call(y, x);

// ---- hyperbolic, continued: mathjs's definitions, computed as mathjs does ----------------------

/** keeps: the input and the output. mathjs's 2/(e^x + e^-x). */
export const Sech = defineOp({
  name: 'sech',
  label: 'Sech',
  arity: 1,
  mathjs: 'sech({0})',
  description: 'hyperbolic secant 1/cosh(x)',
  forward: (m, x) => m.div(2, m.add(m.exp(x), m.exp(m.neg(x)))),
  backward: (gy, [x], y) => [neg(mul(mul(gy, y), tanh(x)))],
});
export const sech = (x: In): Variable => new Sech().call(x);

/**
 * keeps: the input and the output. 1/sinh(x), and Infinity at 0 (and -0, as mathjs's). mathjs's
 * |2/(e^x - e^-x)|·sign(x) cancels near 0 (off by 1e-8 relative at 6e-8).
 */
export const Csch = defineOp({
  name: 'csch',
  label: 'Csch',
  arity: 1,
  mathjs: 'csch({0})',
  domain: 'x != 0',
  description: 'hyperbolic cosecant 1/sinh(x)',
  forward: (m, x) => m.where(m.eq(x, 0), Infinity, m.div(1, m.sinh(x))),
  backward: (gy, [x], y) => [neg(mul(mul(gy, y), coth(x)))],
});
export const csch = (x: In): Variable => new Csch().call(x);

/**
 * keeps: the output. 1/tanh(x), Infinity at 0 (and -0, as mathjs's). mathjs's formula,
 * (e^2x + 1)/(e^2x - 1), cancels near 0 (off by 1e-10 relative at 1.7e-5) and is NaN past 354
 * (Infinity/Infinity). d/dx = 1 - coth².
 */
export const Coth = defineOp({
  name: 'coth',
  label: 'Coth',
  arity: 1,
  mathjs: 'coth({0})',
  domain: 'x != 0',
  description: 'hyperbolic cotangent 1/tanh(x)',
  forward: (m, x) => m.where(m.eq(x, 0), Infinity, m.div(1, m.tanh(x))),
  backward: (gy, _, y) => [mul(gy, sub(1, square(y)))],
});
export const coth = (x: In): Variable => new Coth().call(x);

/** keeps: the input. */
export const Asinh = defineOp({
  name: 'asinh',
  label: 'Asinh',
  arity: 1,
  mathjs: 'asinh({0})',
  description: 'inverse hyperbolic sine',
  forward: (m, x) => m.asinh(x),
  backward: (gy, [x]) => [div(gy, sqrt(add(square(x), 1)))],
});
export const asinh = (x: In): Variable => new Asinh().call(x);

/** keeps: the input. Infinity at 1. */
export const Acosh = defineOp({
  name: 'acosh',
  label: 'Acosh',
  arity: 1,
  mathjs: 'acosh({0})',
  domain: 'x >= 1',
  description: "inverse hyperbolic cosine; acosh'(1) = Infinity",
  forward: (m, x) => m.acosh(x),
  backward: (gy, [x]) => [div(gy, sqrt(sub(square(x), 1)))],
});
export const acosh = (x: In): Variable => new Acosh().call(x);

/** keeps: the input. ±Infinity at ±1. */
export const Atanh = defineOp({
  name: 'atanh',
  label: 'Atanh',
  arity: 1,
  mathjs: 'atanh({0})',
  domain: '-1 < x < 1',
  description: 'inverse hyperbolic tangent',
  forward: (m, x) => m.atanh(x),
  backward: (gy, [x]) => [div(gy, sub(1, square(x)))],
});
export const atanh = (x: In): Variable => new Atanh().call(x);

/**
 * keeps: the input. mathjs's log(sqrt(1/x² - 1) + 1/x), Infinity at 0. Where that is not finite
 * for x > 0 while 1/x is (x < 1e-154: 1/x² overflows) it is acosh(1/x), which does not overflow.
 */
export const Asech = defineOp({
  name: 'asech',
  label: 'Asech',
  arity: 1,
  mathjs: 'asech({0})',
  domain: '0 < x <= 1',
  description: 'inverse hyperbolic secant acosh(1/x)',
  forward: (m, x) => {
    const v = m.div(1, x);
    const r = m.log(m.add(m.sqrt(m.sub(m.mul(v, v), 1)), v));
    return m.where(m.mul(m.step(x), m.mul(m.sub(1, isFiniteValue(m, r)), isFiniteValue(m, v))), m.acosh(v), r);
  },
  backward: (gy, [x]) => [neg(div(gy, mul(x, sqrt(sub(1, square(x))))))],
});
export const asech = (x: In): Variable => new Asech().call(x);

/**
 * keeps: the input. asinh(1/x), Infinity at 0 and -Infinity at -0. mathjs's formula,
 * log(1/x + sqrt(1/x² + 1)), cancels for x < 0 (acsch(-2.4e-5) off by 1e-4 relative) and for
 * large |x| (off by 1e-8 at 1e8), so the value is computed as asinh's.
 */
export const Acsch = defineOp({
  name: 'acsch',
  label: 'Acsch',
  arity: 1,
  mathjs: 'acsch({0})',
  domain: 'x != 0',
  description: 'inverse hyperbolic cosecant asinh(1/x)',
  forward: (m, x) => m.asinh(m.div(1, x)),
  backward: (gy, [x]) => [neg(div(gy, mul(abs(x), sqrt(add(1, square(x))))))],
});
export const acsch = (x: In): Variable => new Acsch().call(x);

/**
 * keeps: the input. sign(x)·log1p(2/(|x| - 1))/2 for finite x (atanh(1/x), with no rounding of 1/x
 * to amplify near ±1), and 0 otherwise: 0 at ±Infinity and, as mathjs, also at NaN. ±Infinity at
 * ±1. mathjs's formula, (log((x+1)/x) + log(x/(x-1)))/2, cancels for large |x| (off by 1e-8
 * relative at 2e5).
 */
export const Acoth = defineOp({
  // mathjs's derivative of acoth has the wrong sign (-1/(1-x^2)): it differentiates atanh(1/x)
  name: 'acoth',
  label: 'Acoth',
  arity: 1,
  mathjs: 'acoth({0})',
  mathjsForDerivative: 'atanh(1 / ({0}))',
  domain: '|x| > 1',
  description: 'inverse hyperbolic cotangent atanh(1/x)',
  forward: (m, x) =>
    m.where(isFiniteValue(m, x), m.mul(m.sign(x), m.mul(0.5, m.log1p(m.div(2, m.sub(m.abs(x), 1))))), 0),
  backward: (gy, [x]) => [div(gy, sub(1, square(x)))],
});
export const acoth = (x: In): Variable => new Acoth().call(x);

// ---- steps and jumps: mathjs's values, gradient 0 (PyTorch) -----------------------------------

/** mathjs's nearlyEqual(a, b) at its default tolerances (relTol 1e-12, absTol 1e-15), 1 or 0, for finite a and b. */
function nearlyEqual<T>(m: Prims<T>, a: Arg<T>, b: Arg<T>): T {
  return m.ge(m.max(m.mul(1e-12, m.max(m.abs(a), m.abs(b))), 1e-15), m.abs(m.sub(a, b)));
}

/**
 * mathjs's floor: Math.floor(x), except that an x nearly equal to round(x) (and not to its floor)
 * is round(x), which absorbs rounding error: floor(2.9999999999999996) = 3.
 */
function mathjsFloor<T>(m: Prims<T>, x: Arg<T>): T {
  const f = m.floor(x);
  const r = m.mathjsRound(x);
  return m.where(m.eq(f, r), f, m.where(m.mul(nearlyEqual(m, x, r), m.sub(1, nearlyEqual(m, x, f))), r, f));
}

/** mathjs's ceil, the same way: ceil(2.0000000000000004) = 2. */
function mathjsCeil<T>(m: Prims<T>, x: Arg<T>): T {
  const c = m.ceil(x);
  const r = m.mathjsRound(x);
  return m.where(m.eq(c, r), c, m.where(m.mul(nearlyEqual(m, x, r), m.sub(1, nearlyEqual(m, x, c))), r, c));
}

/** keeps: nothing. No gradient flows: 0 everywhere, at the jumps (the integers) too (PyTorch). */
export const Floor = defineOp({
  name: 'floor',
  label: 'Floor',
  arity: 1,
  mathjs: 'floor({0})',
  description: 'largest integer <= x (as mathjs: 1e-12 from an integer is it); gradient 0',
  kink: { at: 0, period: 1, left: 0, right: 0, convention: 0 },
  forward: (m, x) => mathjsFloor(m, x),
  backward: () => [null],
});
export const floor = (x: In): Variable => new Floor().call(x);

/** keeps: nothing. Gradient 0, at the jumps too. */
export const Ceil = defineOp({
  name: 'ceil',
  label: 'Ceil',
  arity: 1,
  mathjs: 'ceil({0})',
  description: 'smallest integer >= x (as mathjs: 1e-12 from an integer is it); gradient 0',
  kink: { at: 0, period: 1, left: 0, right: 0, convention: 0 },
  forward: (m, x) => mathjsCeil(m, x),
  backward: () => [null],
});
export const ceil = (x: In): Variable => new Ceil().call(x);

/** keeps: nothing. mathjs's round: halves away from zero (round(-2.5) = -3). Gradient 0, at the jumps too. */
export const Round = defineOp({
  name: 'round',
  label: 'Round',
  arity: 1,
  mathjs: 'round({0})',
  description: 'nearest integer, halves away from zero (mathjs): round(-2.5) = -3; gradient 0',
  kink: { at: 0.5, period: 1, left: 0, right: 0, convention: 0 },
  forward: (m, x) => m.mathjsRound(x),
  backward: () => [null],
});
export const round = (x: In): Variable => new Round().call(x);

/** keeps: nothing. mathjs's fix: floor for x > 0, ceil otherwise. Gradient 0, at the jumps too. */
export const Fix = defineOp({
  name: 'fix',
  label: 'Fix',
  arity: 1,
  mathjs: 'fix({0})',
  description: 'x rounded toward zero: fix(-2.7) = -2 (mathjs); gradient 0',
  kink: { at: 0, period: 1, left: 0, right: 0, convention: 0 },
  forward: (m, x) => m.where(m.step(x), mathjsFloor(m, x), mathjsCeil(m, x)),
  backward: () => [null],
});
export const fix = (x: In): Variable => new Fix().call(x);

/**
 * keeps: both inputs. mathjs's mod: x - y·floor(x/y) with mathjs's floor, so the result has the
 * sign of y (mod(-5, 3) = 1, mod(5, -3) = -1: Python's % and PyTorch's remainder, not
 * JavaScript's %), and mod(x, 0) = x. d/dx = 1; d/dy = -floor(x/y) (PyTorch's remainder), and 0
 * where y = 0 (mod(x, 0) = x does not depend on y). The value jumps by y where x/y is an integer;
 * there too the gradient is the formula's, as PyTorch's. (Its jumps move with y, so the op has no
 * `kink`: that describes one input's.)
 */
export const Mod = defineOp({
  name: 'mod',
  label: 'Mod',
  arity: 2,
  mathjs: 'mod({0}, {1})',
  description: 'mod(x, y) = x - y*floor(x/y), the sign of y (mathjs); mod(x, 0) = x; d/dy = -floor(x/y)',
  forward: (m, x, y) => m.where(m.eq(y, 0), x, m.sub(x, m.mul(y, mathjsFloor(m, m.div(x, y))))),
  backward: (gy, [x, y]) => [gy, where(eq(y, 0), 0, mul(gy, neg(floor(div(x, y)))))],
});
export const mod = (x: In, y: In): Variable => new Mod().call(x, y);

// ---- machine-learning activations (PyTorch's and DeZero's definitions) -------------------------

/**
 * keeps: the input. PyTorch's softplus: log(1 + e^x) as log1p(exp(x)), and x itself past x = 20
 * (its threshold), so it never overflows. d/dx = sigmoid(x), and 1 past 20 (the derivative of x).
 * mathjs has no softplus: its form is the same conditional.
 */
export const Softplus = defineOp({
  name: 'softplus',
  label: 'Softplus',
  arity: 1,
  mathjs: '(({0}) > 20 ? ({0}) : log1p(exp({0})))',
  description: 'log(1+exp(x)), and x past 20 (PyTorch): never overflows',
  forward: (m, x) => m.where(m.ge(20, x), m.log1p(m.exp(x)), x),
  backward: (gy, [x]) => [mul(gy, where(ge(20, x), sigmoid(x), 1))],
});
export const softplus = (x: In): Variable => new Softplus().call(x);

/** keeps: the input. x·sigmoid(x), written x/(1 + e^-x) as PyTorch computes it. */
export const SiLU = defineOp({
  name: 'silu',
  label: 'SiLU',
  arity: 1,
  mathjs: '({0}) / (1 + exp(-({0})))',
  description: 'x*sigmoid(x) (swish)',
  forward: (m, x) => m.div(x, m.add(1, m.exp(m.neg(x)))),
  backward: (gy, [x]) => {
    const s = sigmoid(x);
    return [mul(mul(gy, s), add(1, mul(x, sub(1, s))))];
  },
});
export const silu = (x: In): Variable => new SiLU().call(x);

/**
 * keeps: both inputs. DeZero's F.leaky_relu: x where x > 0, else slope·x; the slope is 0.2 when
 * left out. Its gradient is 1 for x > 0 and the slope for x <= 0, at 0 too (DeZero's mask and
 * PyTorch's convention); d/d(slope) is x for x <= 0, else 0.
 */
export const LeakyReLU = defineOp({
  name: 'leaky_relu',
  label: 'LeakyReLU',
  arity: 2,
  defaults: [0.2],
  mathjs: '(({0}) > 0 ? ({0}) : ({0}) * ({1}))',
  description: 'leaky_relu(x, slope): x if x > 0, else slope*x (slope 0.2 if left out); gradient slope at 0',
  kink: { at: 0, left: 0.2, right: 1, convention: 0.2 },
  forward: (m, x, slope) => m.where(m.step(x), x, m.mul(x, slope)),
  backward: (gy, [x, slope]) => [
    mul(gy, where(step(x), 1, slope)),
    slope.requiresGrad ? mul(gy, where(step(x), 0, x)) : null,
  ],
});
export const leakyRelu = (x: In, slope: In = 0.2): Variable => new LeakyReLU().call(x, slope);

// ---- stage 4: tensors (DeZero steps 37-44) ---------------------------------------------------
//
// The ops below work on whole values (their `array`), not element by element: a reduction, a
// reshape, a product of matrices. Their backward is written in the differentiable ops as the
// others', so higher order follows; each returns gradients of its inputs' own shapes. Shapes are
// structure, not data: a backward may read `x.shape` (and a constant `dim`).

/** The forward in primitives of an op that is not elementwise: never called (the engine calls `array`). */
const wholeValue = (): never => {
  throw new Error('internal: an op on whole values has no elementwise forward');
};

/** A shape as an argument: a list of sizes, or a constant vector. */
type ShapeIn = readonly number[] | In;
const shapeArg = (s: ShapeIn): In => (Array.isArray(s) ? shapeValue(s as readonly number[]) : (s as In));
const shapeList = (op: string, s: ShapeIn): readonly number[] =>
  Array.isArray(s) ? (s as readonly number[]) : shapeFrom(op, asVariable(s as In).data);

/** keeps: the input's shape. x summed down to a shape (DeZero's sum_to): the backward of a broadcast. */
export const SumTo = defineOp({
  internal: true,
  name: 'sum_to',
  label: 'SumTo',
  arity: 2,
  mathjs: null,
  fusible: false,
  description: 'sum_to(x, shape): x summed down to shape, the backward of a broadcast (DeZero step 40)',
  forward: wholeValue,
  array: (x, shape) => sumToValue('sum_to', x, shapeFrom('sum_to', shape)),
  backward: (gy, [x]) => [broadcastTo(gy, x.shape), null],
});
/** x itself when it already has the shape (DeZero's `if x.shape == shape: return as_variable(x)`). */
export const sumTo = (x: In, shape: ShapeIn): Variable => {
  const v = asVariable(x);
  const s = shapeList('sum_to', shape);
  return sameShape(v.shape, s) ? v : new SumTo().call(v, shapeArg(shape));
};

/** keeps: the input's shape. x repeated along the axes it is broadcast on (numpy's broadcast_to). */
export const BroadcastTo = defineOp({
  internal: true,
  name: 'broadcast_to',
  label: 'BroadcastTo',
  arity: 2,
  mathjs: null,
  fusible: false,
  description: 'broadcast_to(x, shape): x repeated to shape by numpy broadcasting (DeZero step 40)',
  forward: wholeValue,
  array: (x, shape) => broadcastToValue('broadcast_to', x, shapeFrom('broadcast_to', shape)),
  backward: (gy, [x]) => [sumTo(gy, x.shape), null],
});
export const broadcastTo = (x: In, shape: ShapeIn): Variable => {
  const v = asVariable(x);
  const s = shapeList('broadcast_to', shape);
  return sameShape(v.shape, s) ? v : new BroadcastTo().call(v, shapeArg(shape));
};

// The generic backward step of every elementwise op on tensors (src/engine/op.ts).
registerBroadcastOps({ sumTo, gate: (open, gx) => where(new Variable(open, null, false), gx, 0) });

/** The reduction's axis: null for all of x, else the 0-based axis the 1-based `dim` names. */
const axisArg = (op: string, x: Value, dim: Value | undefined, extra: number): number | null => {
  if (extra > 0) throw new ShapeError(op, [shapeOf(x)], 'takes one value and at most one dimension');
  return dim === undefined ? null : axisOf(op, shapeOf(x), dim);
};
/** gy, the result of a reduction of x along `dim` (or all of it), laid out again in x's shape. */
const unreduce = (gy: Variable, x: Variable, dim: Variable | undefined): Variable =>
  broadcastTo(dim === undefined ? gy : reshape(gy, keptShape(x.shape, axisOf('sum', x.shape, dim.data))), x.shape);
/** How many elements a reduction of x along `dim` (or all of it) folds into each result. */
const reducedCount = (x: Variable, dim: Variable | undefined): number =>
  dim === undefined ? x.size : x.shape[axisOf('mean', x.shape, dim.data)];

/** keeps: the input's shape. The sum of all elements, or along dimension `dim` (1-based, dropped). */
export const Sum = defineOp({
  name: 'sum',
  label: 'Sum',
  arity: 1,
  variadic: true,
  mathjs: 'sum({...})',
  fusible: false,
  description: 'sum(x): the sum of all elements; sum(x, dim) along dimension dim (1-based), which is dropped',
  forward: wholeValue,
  array: (x, dim, ...extra) => reduce('sum', x, axisArg('sum', x, dim, extra.length), 0, plus),
  backward: (gy, [x, dim]) => (dim === undefined ? [unreduce(gy, x, dim)] : [unreduce(gy, x, dim), null]),
});
export const sum = (x: In, dim?: In): Variable => (dim === undefined ? new Sum().call(x) : new Sum().call(x, dim));

/** keeps: the input's shape. The mean of all elements, or along dimension `dim` (1-based, dropped). */
export const Mean = defineOp({
  name: 'mean',
  label: 'Mean',
  arity: 1,
  variadic: true,
  mathjs: 'mean({...})',
  fusible: false,
  description: 'mean(x): the mean of all elements; mean(x, dim) along dimension dim (1-based)',
  forward: wholeValue,
  array: (x, dim, ...extra) => {
    const axis = axisArg('mean', x, dim, extra.length);
    const n = axis === null ? elementsOf(x).length : shapeOf(x)[axis];
    const s = reduce('mean', x, axis, 0, plus);
    return typeof s === 'number'
      ? s / n
      : Tensor.from(
          s.shape,
          s.data.map((v) => v / n),
          'mean',
        );
  },
  backward: (gy, [x, dim]) => {
    const gx = div(unreduce(gy, x, dim), reducedCount(x, dim));
    return dim === undefined ? [gx] : [gx, null];
  },
});
export const mean = (x: In, dim?: In): Variable => (dim === undefined ? new Mean().call(x) : new Mean().call(x, dim));

/**
 * keeps: the input and the output. The product of all elements, or along `dim`. Its gradient is
 * y/x per element, so it is NaN where an element is 0.
 */
export const Prod = defineOp({
  name: 'prod',
  label: 'Prod',
  arity: 1,
  variadic: true,
  mathjs: 'prod({...})',
  fusible: false,
  description: 'prod(x): the product of all elements; prod(x, dim) along dimension dim (1-based)',
  forward: wholeValue,
  array: (x, dim, ...extra) => reduce('prod', x, axisArg('prod', x, dim, extra.length), 1, times),
  backward: (gy, [x, dim], y) => {
    const gx = mul(unreduce(gy, x, dim), div(unreduce(y, x, dim), x));
    return dim === undefined ? [gx] : [gx, null];
  },
});
export const prod = (x: In, dim?: In): Variable => (dim === undefined ? new Prod().call(x) : new Prod().call(x, dim));

/** keeps: the input's shape. x's elements in a new shape of the same size (DeZero step 38). */
export const Reshape = defineOp({
  name: 'reshape',
  label: 'Reshape',
  arity: 2,
  mathjs: 'reshape({0}, {1})',
  fusible: false,
  description: 'reshape(x, [m, n]): the same elements, row by row, in a new shape',
  forward: wholeValue,
  array: (x, shape) => reshapeValue('reshape', x, shapeFrom('reshape', shape)),
  backward: (gy, [x]) => [reshape(gy, x.shape), null],
});
export const reshape = (x: In, shape: ShapeIn): Variable => {
  const v = asVariable(x);
  return sameShape(v.shape, shapeList('reshape', shape)) ? v : new Reshape().call(v, shapeArg(shape));
};

/** keeps: nothing. A matrix's axes swapped; a vector or a number unchanged, as mathjs (DeZero step 38). */
export const Transpose = defineOp({
  name: 'transpose',
  label: 'Transpose',
  arity: 1,
  mathjs: 'transpose({0})',
  fusible: false,
  description: "transpose(A), also A': rows become columns; a vector or a number is unchanged",
  forward: wholeValue,
  array: (x) => transposeValue('transpose', x),
  backward: (gy) => [transpose(gy)],
});
export const transpose = (x: In): Variable => new Transpose().call(x);

/**
 * keeps: both inputs. mathjs's `*` for two non-scalars: the matrix product (DeZero step 41):
 * gx = gy·Wᵀ and gW = xᵀ·gy, with vectors as mathjs treats them (a vector on the left is a row,
 * on the right a column; two vectors give their dot product). A number on either side scales.
 */
export const MatMul = defineOp({
  name: 'matmul',
  label: 'MatMul',
  arity: 2,
  mathjs: '({0}) * ({1})',
  fusible: false,
  description: 'matmul(A, B), what A * B is for two non-scalars: the matrix product (vectors as mathjs)',
  forward: wholeValue,
  array: (a, b) => matmulValue('matmul', a, b),
  backward: (gy, [a, b]) => {
    const [na, nb] = [a.ndim, b.ndim];
    if (na === 0 || nb === 0 || (na === 1 && nb === 1)) return [mul(gy, b), mul(gy, a)];
    if (na === 2 && nb === 2) return [matmul(gy, transpose(b)), matmul(transpose(a), gy)];
    if (na === 2) return [matmul(reshape(gy, [a.shape[0], 1]), reshape(b, [1, b.shape[0]])), matmul(transpose(a), gy)];
    return [matmul(b, gy), matmul(reshape(a, [a.shape[0], 1]), reshape(gy, [1, b.shape[1]]))];
  },
});
export const matmul = (a: In, b: In): Variable => new MatMul().call(a, b);

/** keeps: both inputs. The dot product of two vectors of one length. */
export const Dot = defineOp({
  name: 'dot',
  label: 'Dot',
  arity: 2,
  mathjs: 'dot({0}, {1})',
  fusible: false,
  description: 'dot(a, b): the sum of a.*b, for two vectors of one length',
  forward: wholeValue,
  array: (a, b) => {
    const [sa, sb] = [shapeOf(a), shapeOf(b)];
    if (sa.length !== 1 || !sameShape(sa, sb))
      throw new ShapeError('dot', [sa, sb], 'are not two vectors of one length');
    return matmulValue('dot', a, b);
  },
  backward: (gy, [a, b]) => [mul(gy, b), mul(gy, a)],
});
export const dot = (a: In, b: In): Variable => new Dot().call(a, b);

/** keeps: the input and the output. A vector's 2-norm (a number's absolute value); 0 gradient at 0. */
export const Norm = defineOp({
  name: 'norm',
  label: 'Norm',
  arity: 1,
  mathjs: 'norm({0})',
  fusible: false,
  description: "norm(v): a vector's length sqrt(sum(v.^2)); norm' = v/norm(v), 0 at the origin",
  forward: wholeValue,
  array: (x) => {
    const s = shapeOf(x);
    if (s.length > 1)
      throw new ShapeError(
        'norm',
        [s],
        "is a matrix: mathjs's norm of a matrix is its largest singular value (not supported); sqrt(sum(A.^2)) is the Frobenius norm",
      );
    return Math.sqrt(reduce('norm', x, null, 0, plusSquare) as number);
  },
  backward: (gy, [x], y) => [mul(gy, div(x, where(eq(y, 0), 1, y)))],
});
export const norm = (x: In): Variable => new Norm().call(x);

/** keeps: the input's shape. The sum of a square matrix's diagonal; its gradient is gy·I. */
export const Trace = defineOp({
  name: 'trace',
  label: 'Trace',
  arity: 1,
  mathjs: 'trace({0})',
  fusible: false,
  description: 'trace(A): the sum of the diagonal of a square matrix',
  forward: wholeValue,
  array: (x) => (typeof x === 'number' ? x : traceValue('trace', x)),
  backward: (gy, [x]) => [x.ndim === 0 ? gy : mul(gy, eye(x.shape[0]))],
});
export const trace = (x: In): Variable => new Trace().call(x);

/** keeps: the input and the output. The determinant; d det(A)/dA = det(A)·inv(A)ᵀ (A must be invertible). */
export const Det = defineOp({
  name: 'det',
  label: 'Det',
  arity: 1,
  mathjs: 'det({0})',
  fusible: false,
  description: "det(A): the determinant of a square matrix; det' = det(A)·inv(A)' (invertible A)",
  forward: wholeValue,
  array: (x) => (typeof x === 'number' ? x : detValue('det', x)),
  backward: (gy, [x], y) => [x.ndim === 0 ? gy : mul(mul(gy, y), transpose(inv(x)))],
});
export const det = (x: In): Variable => new Det().call(x);

/** keeps: the output. The inverse Y of a square matrix; its gradient is -Yᵀ·gy·Yᵀ. */
export const Inv = defineOp({
  name: 'inv',
  label: 'Inv',
  arity: 1,
  mathjs: 'inv({0})',
  fusible: false,
  description: 'inv(A): the inverse of a square matrix (a SingularMatrixError if there is none)',
  forward: wholeValue,
  array: (x) => (typeof x === 'number' ? 1 / x : invValue('inv', x)),
  backward: (gy, _, y) => [neg(matmul(transpose(y), matmul(gy, transpose(y))))],
});
export const inv = (x: In): Variable => new Inv().call(x);

/** v reduced over its last axis with `f` and the axis kept as 1, so it broadcasts against v. */
const lastKept = (v: Variable, f: (v: Variable, dim: number) => Variable): Variable =>
  v.ndim === 0 ? v : reshape(f(v, v.ndim), keptShape(v.shape, v.ndim - 1));

/** The max along the last axis, kept as 1 (numerically stable softmax and logsumexp). */
function lastMax(x: Value): Value {
  const s = shapeOf(x);
  if (s.length === 0) return x;
  return reshapeValue('softmax', reduce('softmax', x, s.length - 1, -Infinity, Math.max), keptShape(s, s.length - 1));
}

/** keeps: the output. exp(x)/sum(exp(x)) over the last axis (DeZero's softmax); gx = y·gy - y·sum(y·gy). */
export const Softmax = defineOp({
  name: 'softmax',
  label: 'Softmax',
  arity: 1,
  mathjs: null,
  fusible: false,
  description: 'softmax(x): exp(x)/sum(exp(x)) over the last dimension (each row of a matrix)',
  forward: wholeValue,
  array: (x) => {
    const s = shapeOf(x);
    const e = elementwise('softmax', expLess, [x, lastMax(x)]);
    if (s.length === 0) return 1;
    const total = reshapeValue('softmax', reduce('softmax', e, s.length - 1, 0, plus), keptShape(s, s.length - 1));
    return elementwise('softmax', quotient, [e, total]);
  },
  backward: (gy, _, y) => {
    const gx = mul(y, gy);
    return [sub(gx, mul(y, lastKept(gx, sum)))];
  },
});
export const softmax = (x: In): Variable => new Softmax().call(x);

/** keeps: the input and the output. log(sum(exp(x))) over the last axis, dropped; gx = gy·softmax(x). */
export const Logsumexp = defineOp({
  name: 'logsumexp',
  label: 'Logsumexp',
  arity: 1,
  mathjs: null,
  fusible: false,
  description: 'logsumexp(x): log(sum(exp(x))) over the last dimension, without overflow',
  forward: wholeValue,
  array: (x) => {
    const s = shapeOf(x);
    if (s.length === 0) return x;
    const m = lastMax(x);
    const e = elementwise('logsumexp', expLess, [x, m]);
    const total = reshapeValue('logsumexp', reduce('logsumexp', e, s.length - 1, 0, plus), keptShape(s, s.length - 1));
    return reshapeValue('logsumexp', elementwise('logsumexp', logPlus, [total, m]), s.slice(0, -1));
  },
  backward: (gy, [x], y) => {
    const keep = (v: Variable): Variable => (x.ndim === 0 ? v : reshape(v, keptShape(x.shape, x.ndim - 1)));
    return [mul(keep(gy), exp(sub(x, keep(y))))];
  },
});
export const logsumexp = (x: In): Variable => new Logsumexp().call(x);

/** keeps: nothing. The shape as a vector (mathjs's size; a number's is empty); no gradient. */
export const Size = defineOp({
  name: 'size',
  label: 'Size',
  arity: 1,
  mathjs: 'size({0})',
  fusible: false,
  description: 'size(x): the shape of x as a vector, [rows, columns] for a matrix; no gradient',
  forward: wholeValue,
  array: (x) => shapeValue(shapeOf(x)),
  backward: () => [null],
});
export const size = (x: In): Variable => new Size().call(x);

/** Every position along each axis of `shape`, as constant index vectors. */
const allOf = (shape: readonly number[]): Tensor[] =>
  shape.map((n) =>
    Tensor.from(
      [n],
      Float64Array.from({ length: n }, (_, i) => i),
    ),
  );

/**
 * keeps: the input's shape and the indices. mathjs's indexing, 0-based, after the builder: one
 * index a dimension, a number (its dimension dropped) or a vector (gathered, kept). Backward
 * scatters gy into zeros of x's shape (DeZero's GetItem and GetItemGrad, step 47).
 */
export const Index = defineOp({
  name: 'index',
  label: 'Index',
  arity: 2,
  variadic: true,
  mathjs: null,
  fusible: false,
  description:
    'index(x, i, j): the elements at 0-based indices (numbers drop a dimension, vectors keep it); x[i, j] is written with brackets',
  forward: wholeValue,
  array: (x, ...indices) => indexValue('index', x, indices),
  backward: (gy, [x, ...indices]) => [indexGrad(gy, x.shape, ...indices), ...indices.map(() => null)],
});
export const index = (x: In, ...indices: In[]): Variable => new Index().call(x, ...indices);

/** keeps: the indices. gy scattered (added) into zeros of a shape: index's backward; its own is index. */
export const IndexGrad = defineOp({
  internal: true,
  name: 'index_grad',
  label: 'IndexGrad',
  arity: 3,
  variadic: true,
  mathjs: null,
  fusible: false,
  description: 'index_grad(g, shape, i, j): g added into zeros of shape at the indices (the backward of index)',
  forward: wholeValue,
  array: (g, shape, ...indices) => indexGradValue('index_grad', g, shapeFrom('index_grad', shape), indices),
  backward: (ggx, [, , ...indices]) => [index(ggx, ...indices), null, ...indices.map(() => null)],
});
export const indexGrad = (g: In, shape: ShapeIn, ...indices: In[]): Variable =>
  new IndexGrad().call(g, shapeArg(shape), ...indices);

/** keeps: the inputs' shape. Values of one shape s stacked into shape [n, ...s]: what `[a, b; c, d]` builds. */
export const Stack = defineOp({
  name: 'stack',
  label: 'Stack',
  arity: 1,
  variadic: true,
  mathjs: '[{...}]',
  fusible: false,
  description: 'stack(a, b, ...): values of one shape as the rows of a new first dimension; [a, b] builds it',
  forward: wholeValue,
  array: (...xs) => stackValue('stack', xs),
  backward: (gy, xs) => xs.map((x, k) => index(gy, k, ...allOf(x.shape))),
});
export const stack = (...xs: In[]): Variable => new Stack().call(...xs);

/**
 * keeps: the inputs' shapes. mathjs's concat(a, b, ..., dim): arrays of one rank joined along
 * dimension dim (1-based; the last when left out). Backward: each input's slice of gy.
 */
export const Concat = defineOp({
  name: 'concat',
  label: 'Concat',
  arity: 1,
  variadic: true,
  mathjs: 'concat({...})',
  fusible: false,
  description: 'concat(a, b, ..., dim): arrays joined along dimension dim (1-based; the last if left out)',
  forward: wholeValue,
  array: (...xs) => {
    const dim = xs.length > 1 && typeof xs[xs.length - 1] === 'number' ? xs.pop()! : undefined;
    if (xs.length === 0) throw new ShapeError('concat', [], 'needs at least one value');
    const s = shapeOf(xs[0]);
    return concatValue('concat', xs, dim === undefined ? s.length - 1 : axisOf('concat', s, dim));
  },
  backward: (gy, inputs) => {
    const hasDim = inputs.length > 1 && inputs[inputs.length - 1].ndim === 0;
    const xs = hasDim ? inputs.slice(0, -1) : inputs;
    const axis = hasDim ? axisOf('concat', xs[0].shape, inputs[inputs.length - 1].data) : xs[0].ndim - 1;
    let start = 0;
    const gxs: (Variable | null)[] = xs.map((x) => {
      const ranges = allOf(gy.shape);
      const n = x.shape[axis];
      ranges[axis] = Tensor.from(
        [n],
        Float64Array.from({ length: n }, (_, i) => start + i),
      );
      start += n;
      return index(gy, ...ranges);
    });
    if (hasDim) gxs.push(null);
    return gxs;
  },
});
export const concat = (...xs: In[]): Variable => new Concat().call(...xs);
