/**
 * The operations. Each is one small class with forward (plain numbers) and backward (built from
 * these same differentiable ops, so that backward with `createGraph` yields higher-order
 * derivatives), then a lowercase factory, as in DeZero's functions.py.
 *
 * "keeps" says what backward reads: an input (`this.inputs`) or the output (`this.outputs`).
 */
import { DFunction, Variable, registerGradientAdd } from './variable.js';

type In = Variable | number;

// ---- arithmetic ------------------------------------------------------------------------------

/** keeps: nothing. d(x0+x1) = gy, gy */
export class Add extends DFunction {
  readonly label = 'Add';
  forward(x0: number, x1: number): number {
    return x0 + x1;
  }
  backward(gy: Variable): Variable[] {
    return [gy, gy];
  }
}
export const add = (x0: In, x1: In): Variable => new Add().call(x0, x1);
registerGradientAdd(add);

/** keeps: nothing. d(x0-x1) = gy, -gy */
export class Sub extends DFunction {
  readonly label = 'Sub';
  forward(x0: number, x1: number): number {
    return x0 - x1;
  }
  backward(gy: Variable): Variable[] {
    return [gy, neg(gy)];
  }
}
export const sub = (x0: In, x1: In): Variable => new Sub().call(x0, x1);

/** keeps: both inputs. d(x0*x1) = gy*x1, gy*x0 */
export class Mul extends DFunction {
  readonly label = 'Mul';
  forward(x0: number, x1: number): number {
    return x0 * x1;
  }
  backward(gy: Variable): Variable[] {
    const [x0, x1] = this.inputs;
    return [mul(gy, x1), mul(gy, x0)];
  }
}
export const mul = (x0: In, x1: In): Variable => new Mul().call(x0, x1);

/** keeps: both inputs. d(x0/x1) = gy/x1, gy*(-x0/x1^2) */
export class Div extends DFunction {
  readonly label = 'Div';
  forward(x0: number, x1: number): number {
    return x0 / x1;
  }
  backward(gy: Variable): Variable[] {
    const [x0, x1] = this.inputs;
    return [div(gy, x1), mul(gy, div(neg(x0), square(x1)))];
  }
}
export const div = (x0: In, x1: In): Variable => new Div().call(x0, x1);

/** keeps: nothing. d(-x) = -gy */
export class Neg extends DFunction {
  readonly label = 'Neg';
  forward(x: number): number {
    return -x;
  }
  backward(gy: Variable): Variable[] {
    return [neg(gy)];
  }
}
export const neg = (x: In): Variable => new Neg().call(x);

/**
 * keeps: both inputs and the output. d(x^c)/dx = c*x^(c-1)*gy, computed only when x needs a
 * gradient and never through exp(c*log(x)), so a negative base with an integer exponent has a
 * finite gradient; an exponent of exactly 0 gives 0 (PyTorch). d(x^c)/dc = x^c*log(x)*gy, computed only when c needs a gradient, and 0 where x = 0
 * and c >= 0 (the limit; PyTorch's convention).
 */
export class Pow extends DFunction {
  readonly label = 'Pow';
  forward(x: number, c: number): number {
    return Math.pow(x, c);
  }
  backward(gy: Variable): (Variable | null)[] {
    const [x, c] = this.inputs;
    // Each side only when it needs a gradient: 2^x has no use for d/d(2).
    const gx = !x.requiresGrad ? null : c.data === 0 ? mul(gy, 0) : mul(mul(c, pow(x, sub(c, 1))), gy);
    if (!c.requiresGrad) return [gx, null];
    const y = this.outputs[0];
    const gc = x.data === 0 && c.data >= 0 ? mul(gy, 0) : mul(mul(y, log(x)), gy);
    return [gx, gc];
  }
}
export const pow = (x: In, c: In): Variable => new Pow().call(x, c);

/** keeps: the input. d(x^2) = 2*x*gy */
export class Square extends DFunction {
  readonly label = 'Square';
  forward(x: number): number {
    return x * x;
  }
  backward(gy: Variable): Variable[] {
    const [x] = this.inputs;
    return [mul(mul(2, x), gy)];
  }
}
export const square = (x: In): Variable => new Square().call(x);

/** keeps: the output. d(sqrt(x)) = gy/(2*y); Infinity at 0. */
export class Sqrt extends DFunction {
  readonly label = 'Sqrt';
  forward(x: number): number {
    return Math.sqrt(x);
  }
  backward(gy: Variable): Variable[] {
    const y = this.outputs[0];
    return [div(gy, mul(2, y))];
  }
}
export const sqrt = (x: In): Variable => new Sqrt().call(x);

// ---- exponentials and logarithms -------------------------------------------------------------

/** keeps: the output. d(exp(x)) = gy*y */
export class Exp extends DFunction {
  readonly label = 'Exp';
  forward(x: number): number {
    return Math.exp(x);
  }
  backward(gy: Variable): Variable[] {
    const y = this.outputs[0];
    return [mul(gy, y)];
  }
}
export const exp = (x: In): Variable => new Exp().call(x);

/** keeps: the input. d(log(x)) = gy/x */
export class Log extends DFunction {
  readonly label = 'Log';
  forward(x: number): number {
    return Math.log(x);
  }
  backward(gy: Variable): Variable[] {
    const [x] = this.inputs;
    return [div(gy, x)];
  }
}
export const log = (x: In): Variable => new Log().call(x);

// ---- trigonometric ---------------------------------------------------------------------------

/** keeps: the input. d(sin(x)) = gy*cos(x) */
export class Sin extends DFunction {
  readonly label = 'Sin';
  forward(x: number): number {
    return Math.sin(x);
  }
  backward(gy: Variable): Variable[] {
    const [x] = this.inputs;
    return [mul(gy, cos(x))];
  }
}
export const sin = (x: In): Variable => new Sin().call(x);

/** keeps: the input. d(cos(x)) = gy*-sin(x) */
export class Cos extends DFunction {
  readonly label = 'Cos';
  forward(x: number): number {
    return Math.cos(x);
  }
  backward(gy: Variable): Variable[] {
    const [x] = this.inputs;
    return [mul(gy, neg(sin(x)))];
  }
}
export const cos = (x: In): Variable => new Cos().call(x);

/** keeps: the output. d(tan(x)) = gy*(1+y^2) */
export class Tan extends DFunction {
  readonly label = 'Tan';
  forward(x: number): number {
    return Math.tan(x);
  }
  backward(gy: Variable): Variable[] {
    const y = this.outputs[0];
    return [mul(gy, add(1, square(y)))];
  }
}
export const tan = (x: In): Variable => new Tan().call(x);

/** keeps: the input. d(asin(x)) = gy/sqrt(1-x^2) */
export class Asin extends DFunction {
  readonly label = 'Asin';
  forward(x: number): number {
    return Math.asin(x);
  }
  backward(gy: Variable): Variable[] {
    const [x] = this.inputs;
    return [div(gy, sqrt(sub(1, square(x))))];
  }
}
export const asin = (x: In): Variable => new Asin().call(x);

/** keeps: the input. d(acos(x)) = -gy/sqrt(1-x^2) */
export class Acos extends DFunction {
  readonly label = 'Acos';
  forward(x: number): number {
    return Math.acos(x);
  }
  backward(gy: Variable): Variable[] {
    const [x] = this.inputs;
    return [neg(div(gy, sqrt(sub(1, square(x)))))];
  }
}
export const acos = (x: In): Variable => new Acos().call(x);

/** keeps: the input. d(atan(x)) = gy/(1+x^2) */
export class Atan extends DFunction {
  readonly label = 'Atan';
  forward(x: number): number {
    return Math.atan(x);
  }
  backward(gy: Variable): Variable[] {
    const [x] = this.inputs;
    return [div(gy, add(1, square(x)))];
  }
}
export const atan = (x: In): Variable => new Atan().call(x);

// ---- hyperbolic ------------------------------------------------------------------------------

/** keeps: the output. d(tanh(x)) = gy*(1-y*y); exactly 0 where tanh saturates. */
export class Tanh extends DFunction {
  readonly label = 'Tanh';
  forward(x: number): number {
    return Math.tanh(x);
  }
  backward(gy: Variable): Variable[] {
    const y = this.outputs[0];
    return [mul(gy, sub(1, mul(y, y)))];
  }
}
export const tanh = (x: In): Variable => new Tanh().call(x);

/** keeps: the input. d(sinh(x)) = gy*cosh(x) */
export class Sinh extends DFunction {
  readonly label = 'Sinh';
  forward(x: number): number {
    return Math.sinh(x);
  }
  backward(gy: Variable): Variable[] {
    const [x] = this.inputs;
    return [mul(gy, cosh(x))];
  }
}
export const sinh = (x: In): Variable => new Sinh().call(x);

/** keeps: the input. d(cosh(x)) = gy*sinh(x) */
export class Cosh extends DFunction {
  readonly label = 'Cosh';
  forward(x: number): number {
    return Math.cosh(x);
  }
  backward(gy: Variable): Variable[] {
    const [x] = this.inputs;
    return [mul(gy, sinh(x))];
  }
}
export const cosh = (x: In): Variable => new Cosh().call(x);

// ---- activations and kinks -------------------------------------------------------------------

/** keeps: the output. d(sigmoid(x)) = gy*y*(1-y) */
export class Sigmoid extends DFunction {
  readonly label = 'Sigmoid';
  forward(x: number): number {
    return 1 / (1 + Math.exp(-x));
  }
  backward(gy: Variable): Variable[] {
    const y = this.outputs[0];
    return [mul(mul(gy, y), sub(1, y))];
  }
}
export const sigmoid = (x: In): Variable => new Sigmoid().call(x);

/** keeps: the input. d(relu(x)) = gy*(x > 0); relu'(0) = 0 (PyTorch). */
export class ReLU extends DFunction {
  readonly label = 'ReLU';
  forward(x: number): number {
    return Math.max(0, x);
  }
  backward(gy: Variable): Variable[] {
    const [x] = this.inputs;
    return [mul(gy, Number.isNaN(x.data) ? NaN : x.data > 0 ? 1 : 0)];
  }
}
export const relu = (x: In): Variable => new ReLU().call(x);

/** keeps: the input. d(|x|) = gy*sign(x); abs'(0) = 0 (PyTorch). */
export class Abs extends DFunction {
  readonly label = 'Abs';
  forward(x: number): number {
    return Math.abs(x);
  }
  backward(gy: Variable): Variable[] {
    const [x] = this.inputs;
    return [mul(gy, Math.sign(x.data))];
  }
}
export const abs = (x: In): Variable => new Abs().call(x);
