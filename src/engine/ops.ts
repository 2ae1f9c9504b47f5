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
import { defineOp } from './op.js';
import { asVariable, registerGradientAdd, type Variable } from './variable.js';

type In = Variable | number;

// ---- arithmetic ------------------------------------------------------------------------------

/** keeps: nothing. */
export const Add = defineOp({
  name: 'add', label: 'Add', arity: 2, symbol: '+', mathjs: '({0}) + ({1})', description: 'x + y',
  forward: (m, x0, x1) => m.add(x0, x1),
  backward: (gy) => [gy, gy],
});
export const add = (x0: In, x1: In): Variable => new Add().call(x0, x1);
registerGradientAdd(add);

/** keeps: nothing. */
export const Sub = defineOp({
  name: 'sub', label: 'Sub', arity: 2, symbol: '-', mathjs: '({0}) - ({1})', description: 'x - y',
  forward: (m, x0, x1) => m.sub(x0, x1),
  backward: (gy) => [gy, neg(gy)],
});
export const sub = (x0: In, x1: In): Variable => new Sub().call(x0, x1);

/** keeps: both inputs. */
export const Mul = defineOp({
  name: 'mul', label: 'Mul', arity: 2, symbol: '*', mathjs: '({0}) * ({1})', description: 'x * y, also 2x',
  forward: (m, x0, x1) => m.mul(x0, x1),
  backward: (gy, [x0, x1]) => [mul(gy, x1), mul(gy, x0)],
});
export const mul = (x0: In, x1: In): Variable => new Mul().call(x0, x1);

/** keeps: both inputs. */
export const Div = defineOp({
  name: 'div', label: 'Div', arity: 2, symbol: '/', mathjs: '({0}) / ({1})', description: 'x / y',
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
  name: 'pow', label: 'Pow', arity: 2, symbol: '^', mathjs: '({0}) ^ ({1})',
  domain: 'x >= 0, or x < 0 with an integer exponent', description: 'x ^ y (also x ** y), right-associative',
  forward: (m, x, c) => m.pow(x, c),
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
  name: 'neg', label: 'Neg', arity: 1, symbol: '-', mathjs: '-({0})', description: '-x',
  forward: (m, x) => m.neg(x),
  backward: (gy) => [neg(gy)],
});
export const neg = (x: In): Variable => new Neg().call(x);

/** keeps: the input. */
export const Square = defineOp({
  name: 'square', label: 'Square', arity: 1, mathjs: '({0})^2', description: 'x squared',
  forward: (m, x) => m.mul(x, x),
  backward: (gy, [x]) => [mul(mul(2, x), gy)],
});
export const square = (x: In): Variable => new Square().call(x);

/** keeps: the output. Infinity at 0. */
export const Sqrt = defineOp({
  name: 'sqrt', label: 'Sqrt', arity: 1, mathjs: 'sqrt({0})', domain: 'x >= 0',
  description: "square root; sqrt'(0) = Infinity",
  forward: (m, x) => m.sqrt(x),
  backward: (gy, _, y) => [div(gy, mul(2, y))],
});
export const sqrt = (x: In): Variable => new Sqrt().call(x);

// ---- exponentials and logarithms -------------------------------------------------------------

/** keeps: the output. */
export const Exp = defineOp({
  name: 'exp', label: 'Exp', arity: 1, mathjs: 'exp({0})', description: 'e to the x',
  forward: (m, x) => m.exp(x),
  backward: (gy, _, y) => [mul(gy, y)],
});
export const exp = (x: In): Variable => new Exp().call(x);

/** keeps: the input. */
export const Log = defineOp({
  name: 'log', label: 'Log', arity: 1, mathjs: 'log({0})', domain: 'x > 0', description: 'natural logarithm',
  forward: (m, x) => m.log(x),
  backward: (gy, [x]) => [div(gy, x)],
});
export const log = (x: In): Variable => new Log().call(x);

// ---- trigonometric ---------------------------------------------------------------------------

/** keeps: the input. */
export const Sin = defineOp({
  name: 'sin', label: 'Sin', arity: 1, mathjs: 'sin({0})', description: 'sine (radians)',
  forward: (m, x) => m.sin(x),
  backward: (gy, [x]) => [mul(gy, cos(x))],
});
export const sin = (x: In): Variable => new Sin().call(x);

/** keeps: the input. */
export const Cos = defineOp({
  name: 'cos', label: 'Cos', arity: 1, mathjs: 'cos({0})', description: 'cosine (radians)',
  forward: (m, x) => m.cos(x),
  backward: (gy, [x]) => [mul(gy, neg(sin(x)))],
});
export const cos = (x: In): Variable => new Cos().call(x);

/** keeps: the output. */
export const Tan = defineOp({
  name: 'tan', label: 'Tan', arity: 1, mathjs: 'tan({0})', description: 'tangent (radians)',
  forward: (m, x) => m.tan(x),
  backward: (gy, _, y) => [mul(gy, add(1, square(y)))],
});
export const tan = (x: In): Variable => new Tan().call(x);

/** keeps: the input. */
export const Asin = defineOp({
  name: 'asin', label: 'Asin', arity: 1, mathjs: 'asin({0})', domain: '-1 <= x <= 1', description: 'inverse sine',
  forward: (m, x) => m.asin(x),
  backward: (gy, [x]) => [div(gy, sqrt(sub(1, square(x))))],
});
export const asin = (x: In): Variable => new Asin().call(x);

/** keeps: the input. */
export const Acos = defineOp({
  name: 'acos', label: 'Acos', arity: 1, mathjs: 'acos({0})', domain: '-1 <= x <= 1', description: 'inverse cosine',
  forward: (m, x) => m.acos(x),
  backward: (gy, [x]) => [neg(div(gy, sqrt(sub(1, square(x)))))],
});
export const acos = (x: In): Variable => new Acos().call(x);

/** keeps: the input. */
export const Atan = defineOp({
  name: 'atan', label: 'Atan', arity: 1, mathjs: 'atan({0})', description: 'inverse tangent',
  forward: (m, x) => m.atan(x),
  backward: (gy, [x]) => [div(gy, add(1, square(x)))],
});
export const atan = (x: In): Variable => new Atan().call(x);

/** keeps: the input and the output. */
export const Sec = defineOp({
  name: 'sec', label: 'Sec', arity: 1, mathjs: 'sec({0})', domain: 'cos(x) != 0', description: 'secant 1/cos(x)',
  forward: (m, x) => m.div(1, m.cos(x)),
  backward: (gy, [x], y) => [mul(mul(gy, y), tan(x))],
});
export const sec = (x: In): Variable => new Sec().call(x);

// ---- hyperbolic ------------------------------------------------------------------------------

/** keeps: the output. Exactly 0 where tanh saturates. */
export const Tanh = defineOp({
  name: 'tanh', label: 'Tanh', arity: 1, mathjs: 'tanh({0})', description: 'hyperbolic tangent',
  forward: (m, x) => m.tanh(x),
  backward: (gy, _, y) => [mul(gy, sub(1, mul(y, y)))],
});
export const tanh = (x: In): Variable => new Tanh().call(x);

/** keeps: the input. */
export const Sinh = defineOp({
  name: 'sinh', label: 'Sinh', arity: 1, mathjs: 'sinh({0})', description: 'hyperbolic sine',
  forward: (m, x) => m.sinh(x),
  backward: (gy, [x]) => [mul(gy, cosh(x))],
});
export const sinh = (x: In): Variable => new Sinh().call(x);

/** keeps: the input. */
export const Cosh = defineOp({
  name: 'cosh', label: 'Cosh', arity: 1, mathjs: 'cosh({0})', description: 'hyperbolic cosine',
  forward: (m, x) => m.cosh(x),
  backward: (gy, [x]) => [mul(gy, sinh(x))],
});
export const cosh = (x: In): Variable => new Cosh().call(x);

// ---- activations and kinks -------------------------------------------------------------------

/** keeps: the output. */
export const Sigmoid = defineOp({
  name: 'sigmoid', label: 'Sigmoid', arity: 1, mathjs: '1 / (1 + exp(-({0})))', description: 'logistic 1/(1+exp(-x))',
  forward: (m, x) => m.div(1, m.add(1, m.exp(m.neg(x)))),
  backward: (gy, _, y) => [mul(mul(gy, y), sub(1, y))],
});
export const sigmoid = (x: In): Variable => new Sigmoid().call(x);

/** keeps: the input. relu'(0) = 0 (PyTorch). */
export const ReLU = defineOp({
  // mathjs: (x+|x|)/2 rather than max(x, 0), which mathjs's derivative does not support
  name: 'relu', label: 'ReLU', arity: 1, mathjs: '(({0}) + abs({0})) / 2', description: "max(x, 0); relu'(0) = 0",
  kink: { at: 0, left: 0, right: 1, convention: 0 },
  forward: (m, x) => m.max(0, x),
  backward: (gy, [x]) => [mul(gy, step(x))],
});
export const relu = (x: In): Variable => new ReLU().call(x);

/** keeps: the input. abs'(0) = 0 (PyTorch). */
export const Abs = defineOp({
  name: 'abs', label: 'Abs', arity: 1, mathjs: 'abs({0})', description: "absolute value; abs'(0) = 0",
  kink: { at: 0, left: -1, right: 1, convention: 0 },
  forward: (m, x) => m.abs(x),
  backward: (gy, [x]) => [mul(gy, sign(x))],
});
export const abs = (x: In): Variable => new Abs().call(x);

// ---- steps and selections: what backward rules choose with -----------------------------------

/** keeps: nothing. The sign, -1, 0 or 1 (NaN for NaN); its derivative is 0 everywhere. */
export const Sign = defineOp({
  internal: true,
  name: 'sign', label: 'Sign', arity: 1, mathjs: 'sign({0})', description: 'the sign of x: -1, 0 or 1',
  kink: { at: 0, left: 0, right: 0, convention: 0 },
  forward: (m, x) => m.sign(x),
  backward: () => [null],
});
export const sign = (x: In): Variable => new Sign().call(x);

/** keeps: nothing. 1 where x > 0, else 0 (NaN for NaN): relu's derivative; its own is 0. */
export const Step = defineOp({
  internal: true,
  name: 'step', label: 'Step', arity: 1, mathjs: '(({0}) > 0 ? 1 : 0)', ruleForm: '({0}>0)',
  description: '1 where x > 0, else 0', kink: { at: 0, left: 0, right: 0, convention: 0 },
  forward: (m, x) => m.step(x),
  backward: () => [null],
});
export const step = (x: In): Variable => new Step().call(x);

/** keeps: nothing. 1 where x0 == x1, else 0; no gradient flows through a comparison. */
export const Eq = defineOp({
  internal: true,
  name: 'eq', label: 'Eq', arity: 2, symbol: '==', mathjs: '(({0}) == ({1}) ? 1 : 0)', description: 'x == y',
  forward: (m, x0, x1) => m.eq(x0, x1),
  backward: () => [null, null],
});
export const eq = (x0: In, x1: In): Variable => new Eq().call(x0, x1);

/** keeps: nothing. 1 where x0 >= x1, else 0. */
export const Ge = defineOp({
  internal: true,
  name: 'ge', label: 'Ge', arity: 2, symbol: '>=', mathjs: '(({0}) >= ({1}) ? 1 : 0)', description: 'x >= y',
  forward: (m, x0, x1) => m.ge(x0, x1),
  backward: () => [null, null],
});
export const ge = (x0: In, x1: In): Variable => new Ge().call(x0, x1);

/** keeps: the condition. a where c is true (neither 0 nor NaN), else b; the gradient goes to the branch taken. */
export const Where = defineOp({
  internal: true,
  name: 'where', label: 'Where', arity: 3, mathjs: '(({0}) ? ({1}) : ({2}))', description: 'c ? a : b',
  forward: (m, c, a, b) => m.where(c, a, b),
  backward: (gy, [c]) => [null, where(c, gy, 0), where(c, 0, gy)],
});
/** A condition known before the run (a constant) picks its branch at once; while tracing nothing is known. */
export const where = (c: In, a: In, b: In): Variable => {
  const cond = asVariable(c);
  if (!Config.tracing && cond.creator === null && !cond.requiresGrad) return asVariable(cond.data ? a : b);
  return new Where().call(cond, a, b);
};

// ---- comparisons and the conditional ----------------------------------------------------------

/** A comparison as mathjs makes it (within its relative 1e-12): value 1 or 0, no gradient. */
function comparison(name: string, label: string, symbol: string, mathjs: string, description: string) {
  return defineOp({
    name, label, arity: 2, symbol, callable: true, mathjs: `({0}) ${mathjs} ({1})`,
    description: `${description}: 1 or 0 (as mathjs: equal within a relative 1e-12); gradient 0`,
    forward: (m, x0, x1) => (m[name as 'equal'])(x0, x1),
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
  name: 'cond', label: 'Cond', arity: 3, symbol: '?', mathjs: '(({0}) ? ({1}) : ({2}))',
  description: 'c ? a : b: the gradient flows through the branch taken only',
  forward: (m, c, a, b) => m.where(c, a, b),
  backward: (gy) => [null, gy, gy],
  routes: (m, c) => [null, c, m.not(c)],
});
export const cond = (c: In, a: In, b: In): Variable => new Cond().call(c, a, b);

// ---- special functions (src/engine/special.ts) ---------------------------------------------

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** keeps: the input. d erf(x) = 2/sqrt(pi)·exp(-x²). */
export const Erf = defineOp({
  name: 'erf', label: 'Erf', arity: 1, mathjs: 'erf({0})', description: 'the error function',
  forward: (m, x) => m.erf(x),
  backward: (gy, [x]) => [mul(mul(TWO_OVER_SQRT_PI, exp(neg(square(x)))), gy)],
});
export const erf = (x: In): Variable => new Erf().call(x);

/** keeps: the input. erfc(x) = 1 - erf(x), accurate in the tail (erfc(10) ~ 2e-45). */
export const Erfc = defineOp({
  name: 'erfc', label: 'Erfc', arity: 1, mathjs: '(1 - erf({0}))', description: 'the complementary error function 1 - erf(x)',
  forward: (m, x) => m.erfc(x),
  backward: (gy, [x]) => [mul(neg(mul(TWO_OVER_SQRT_PI, exp(neg(square(x))))), gy)],
});
export const erfc = (x: In): Variable => new Erfc().call(x);

/** keeps: the input and the output. d gamma(x) = gamma(x)·digamma(x); poles at 0, -1, -2, ... */
export const Gamma = defineOp({
  name: 'gamma', label: 'Gamma', arity: 1, mathjs: 'gamma({0})', domain: 'x not 0, -1, -2, ...',
  description: "the gamma function, (x-1)! at the integers; gamma' = gamma·digamma",
  forward: (m, x) => m.gamma(x),
  backward: (gy, [x], y) => [mul(mul(y, digamma(x)), gy)],
});
export const gamma = (x: In): Variable => new Gamma().call(x);

/** keeps: the input. d lgamma(x) = digamma(x). */
export const Lgamma = defineOp({
  name: 'lgamma', label: 'Lgamma', arity: 1, mathjs: 'lgamma({0})', domain: 'x >= 0 (as mathjs: NaN for x < 0)',
  description: "log(gamma(x)); lgamma' = digamma",
  forward: (m, x) => m.lgamma(x),
  backward: (gy, [x]) => [mul(digamma(x), gy)],
});
export const lgamma = (x: In): Variable => new Lgamma().call(x);

/** keeps: the input. d digamma(x) = polygamma(1, x). mathjs has no digamma: --check is numerical. */
export const Digamma = defineOp({
  name: 'digamma', label: 'Digamma', arity: 1, mathjs: null, domain: 'x not 0, -1, -2, ...',
  description: "psi(x) = lgamma'(x) (PyTorch's digamma); digamma' = polygamma(1, x)",
  forward: (m, x) => m.digamma(x),
  backward: (gy, [x]) => [mul(polygamma(1, x), gy)],
});
export const digamma = (x: In): Variable => new Digamma().call(x);

/** keeps: both inputs. d polygamma(n, x)/dx = polygamma(n + 1, x); n is a whole number, no gradient. */
export const Polygamma = defineOp({
  name: 'polygamma', label: 'Polygamma', arity: 2, mathjs: null, domain: 'n = 0, 1, 2, ...; x not 0, -1, -2, ...',
  description: "polygamma(n, x): the n-th derivative of digamma (PyTorch's); NaN unless n is a whole number",
  forward: (m, n, x) => m.polygamma(n, x),
  backward: (gy, [n, x]) => [null, mul(polygamma(add(n, 1), x), gy)],
});
export const polygamma = (n: In, x: In): Variable => new Polygamma().call(n, x);

/** keeps: the input. gelu(x) = x·Phi(x) = x·erfc(-x/sqrt(2))/2, the exact form (PyTorch's default). */
export const Gelu = defineOp({
  name: 'gelu', label: 'Gelu', arity: 1, mathjs: '({0}) * (1 + erf(({0}) / sqrt(2))) / 2',
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
  name: 'diff', label: 'Diff', arity: 2, mathjs: 'derivative({0}, {1})', variableArgs: [1], fusible: false,
  description: 'diff(f, x): df/dx at the current values, itself differentiable',
  forward: (_, g) => g,
  backward: (gy) => [gy],
  fn: (f, x) => {
    const [g] = gradients(f, [x], { createGraph: true });
    return new Diff().call(g);
  },
});
export const diff = (f: Variable, x: Variable): Variable => new Diff().call(f, x);
