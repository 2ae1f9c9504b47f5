/**
 * The one table of operations, keyed by the name the parser sees. The parser, the graph builder,
 * the trace, `--help` and (in later issues) completion and the symbolic check all read it: adding
 * a function is one entry here plus its op in ops.ts and its tests.
 *
 * In `rules` and `symbolic`, `{0}` and `{1}` stand for the inputs and `{y}` for the output.
 */
import * as ops from './ops.js';
import { diff } from './gradients.js';
import type { Variable } from './variable.js';

export interface OpSpec {
  /** The name in expressions: `sin` in `sin(x)`; for operators, the function the parser maps to. */
  readonly name: string;
  /** The class name, as in `Sin.backward(...)`. */
  readonly label: string;
  readonly arity: 1 | 2;
  /** The differentiable factory: builds the Function and returns its output. */
  readonly fn: (...xs: Variable[]) => Variable;
  /** The infix symbol when the op is written as an operator (`+`), else undefined. */
  readonly symbol?: string;
  /** The backward rule for each input, for the trace: `gy` is the gradient arriving from the output. */
  readonly rules: readonly string[];
  /** The same function in mathjs's grammar, for the symbolic oracle and `--symbolic`. */
  readonly symbolic: string;
  /**
   * Code templates for the fused batch kernel (src/batch/compile.ts), as JavaScript expressions on
   * plain numbers: `forward` gives the output from `{0}`/`{1}`; `backward[i]` gives the gradient
   * flowing into input i from `{0}`, `{1}`, the output `{y}` and the arriving gradient `{g}`. Each
   * mirrors the op's own backward operation for operation (same order, same rounding), so the
   * fused kernel and the engine agree to the last bit. Placeholders are replaced only by names the
   * compiler makes; no user text ever reaches the generated code. Absent: batches containing the
   * op run on the engine point by point.
   */
  readonly kernel?: KernelTemplates & {
    /** Cheaper templates for when input 1 is the constant `value` (pow's x^2). */
    readonly whenSecondIs?: KernelTemplates & { readonly value: number };
  };
  /** One line for `--help` and completion. */
  readonly description: string;
  /** True when the op may be called by name in an expression (operators have their symbol only). */
  readonly callable: boolean;
  /** Where the op is defined, when that is not everywhere: for the domain warning (`x > 0`). */
  readonly domain?: string;
  /**
   * A kink at `at`: the one-sided derivatives there (`left`, `right`) and the one autodiff uses
   * (PyTorch's convention), for `--check` to explain a disagreement.
   */
  readonly kink?: { readonly at: number; readonly left: number; readonly right: number; readonly convention: number };
  /**
   * Positions of arguments that must be written as a variable name (the `x` in `diff(f, x)`); the
   * parser rejects anything else there. Undefined: every argument is an expression.
   */
  readonly variableArgs?: readonly number[];
}

export interface KernelTemplates {
  readonly forward: string;
  readonly backward: readonly string[];
}

type Entry = Omit<OpSpec, 'fn' | 'callable'> & { fn: (...xs: Variable[]) => Variable; callable?: boolean };

const entries: Entry[] = [
  // operators: written with their symbol, so not callable by name
  { name: 'add', label: 'Add', arity: 2, fn: ops.add, symbol: '+', callable: false,
    rules: ['gy', 'gy'], symbolic: '({0}) + ({1})', kernel: { forward: '{0} + {1}', backward: ['{g}', '{g}'] },
    description: 'x + y' },
  { name: 'sub', label: 'Sub', arity: 2, fn: ops.sub, symbol: '-', callable: false,
    rules: ['gy', '-gy'], symbolic: '({0}) - ({1})', kernel: { forward: '{0} - {1}', backward: ['{g}', '-{g}'] },
    description: 'x - y' },
  { name: 'mul', label: 'Mul', arity: 2, fn: ops.mul, symbol: '*', callable: false,
    rules: ['gy·{1}', 'gy·{0}'], symbolic: '({0}) * ({1})', kernel: { forward: '{0} * {1}', backward: ['{g} * {1}', '{g} * {0}'] },
    description: 'x * y, also 2x' },
  { name: 'div', label: 'Div', arity: 2, fn: ops.div, symbol: '/', callable: false,
    rules: ['gy/{1}', 'gy·(-{0}/{1}²)'], symbolic: '({0}) / ({1})', kernel: { forward: '{0} / {1}', backward: ['{g} / {1}', '{g} * (-{0} / ({1} * {1}))'] },
    description: 'x / y' },
  { name: 'pow', label: 'Pow', arity: 2, fn: ops.pow, symbol: '^', callable: false,
    rules: ['{1}·{0}^({1}-1)·gy', '{y}·log({0})·gy'], symbolic: '({0}) ^ ({1})',
    kernel: { forward: 'Math.pow({0}, {1})', backward: ['({1} === 0 ? {g} * 0 : {1} * Math.pow({0}, {1} - 1) * {g})', '({0} === 0 && {1} >= 0 ? {g} * 0 : {y} * Math.log({0}) * {g})'],
      // x^2 with a constant 2 (as in 1 + y^2): V8's Math.pow(x, 2) is exactly x*x and pow(x, 1)
      // is x (checked on 2e7 random bit patterns and the specials), so these agree bit for bit.
      whenSecondIs: { value: 2, forward: '{0} * {0}', backward: ['2 * {0} * {g}'] } },
    domain: 'x >= 0, or x < 0 with an integer exponent', description: 'x ^ y (also x ** y), right-associative' },
  { name: 'neg', label: 'Neg', arity: 1, fn: ops.neg, symbol: '-', callable: false,
    rules: ['-gy'], symbolic: '-({0})', kernel: { forward: '-{0}', backward: ['-{g}'] },
    description: '-x' },
  // functions
  { name: 'square', label: 'Square', arity: 1, fn: ops.square,
    rules: ['2·{0}·gy'], symbolic: '({0})^2', kernel: { forward: '{0} * {0}', backward: ['2 * {0} * {g}'] },
    description: 'x squared' },
  { name: 'sqrt', label: 'Sqrt', arity: 1, fn: ops.sqrt,
    rules: ['gy/(2·sqrt({0}))'], symbolic: 'sqrt({0})', kernel: { forward: 'Math.sqrt({0})', backward: ['{g} / (2 * {y})'] },
    domain: 'x >= 0', description: 'square root; sqrt\'(0) = Infinity' },
  { name: 'exp', label: 'Exp', arity: 1, fn: ops.exp,
    rules: ['exp({0})·gy'], symbolic: 'exp({0})', kernel: { forward: 'Math.exp({0})', backward: ['{g} * {y}'] },
    description: 'e to the x' },
  { name: 'log', label: 'Log', arity: 1, fn: ops.log,
    rules: ['gy/{0}'], symbolic: 'log({0})', kernel: { forward: 'Math.log({0})', backward: ['{g} / {0}'] },
    domain: 'x > 0', description: 'natural logarithm' },
  { name: 'sin', label: 'Sin', arity: 1, fn: ops.sin,
    rules: ['cos({0})·gy'], symbolic: 'sin({0})', kernel: { forward: 'Math.sin({0})', backward: ['{g} * Math.cos({0})'] },
    description: 'sine (radians)' },
  { name: 'cos', label: 'Cos', arity: 1, fn: ops.cos,
    rules: ['-sin({0})·gy'], symbolic: 'cos({0})', kernel: { forward: 'Math.cos({0})', backward: ['{g} * -Math.sin({0})'] },
    description: 'cosine (radians)' },
  { name: 'tan', label: 'Tan', arity: 1, fn: ops.tan,
    rules: ['(1+{y}²)·gy'], symbolic: 'tan({0})', kernel: { forward: 'Math.tan({0})', backward: ['{g} * (1 + {y} * {y})'] },
    description: 'tangent (radians)' },
  { name: 'asin', label: 'Asin', arity: 1, fn: ops.asin,
    rules: ['gy/sqrt(1-{0}²)'], symbolic: 'asin({0})', kernel: { forward: 'Math.asin({0})', backward: ['{g} / Math.sqrt(1 - {0} * {0})'] },
    domain: '-1 <= x <= 1', description: 'inverse sine' },
  { name: 'acos', label: 'Acos', arity: 1, fn: ops.acos,
    rules: ['-gy/sqrt(1-{0}²)'], symbolic: 'acos({0})', kernel: { forward: 'Math.acos({0})', backward: ['-({g} / Math.sqrt(1 - {0} * {0}))'] },
    domain: '-1 <= x <= 1', description: 'inverse cosine' },
  { name: 'atan', label: 'Atan', arity: 1, fn: ops.atan,
    rules: ['gy/(1+{0}²)'], symbolic: 'atan({0})', kernel: { forward: 'Math.atan({0})', backward: ['{g} / (1 + {0} * {0})'] },
    description: 'inverse tangent' },
  { name: 'tanh', label: 'Tanh', arity: 1, fn: ops.tanh,
    rules: ['(1-{y}²)·gy'], symbolic: 'tanh({0})', kernel: { forward: 'Math.tanh({0})', backward: ['{g} * (1 - {y} * {y})'] },
    description: 'hyperbolic tangent' },
  { name: 'sinh', label: 'Sinh', arity: 1, fn: ops.sinh,
    rules: ['cosh({0})·gy'], symbolic: 'sinh({0})', kernel: { forward: 'Math.sinh({0})', backward: ['{g} * Math.cosh({0})'] },
    description: 'hyperbolic sine' },
  { name: 'cosh', label: 'Cosh', arity: 1, fn: ops.cosh,
    rules: ['sinh({0})·gy'], symbolic: 'cosh({0})', kernel: { forward: 'Math.cosh({0})', backward: ['{g} * Math.sinh({0})'] },
    description: 'hyperbolic cosine' },
  { name: 'sigmoid', label: 'Sigmoid', arity: 1, fn: ops.sigmoid,
    rules: ['{y}·(1-{y})·gy'], symbolic: '1 / (1 + exp(-({0})))', kernel: { forward: '1 / (1 + Math.exp(-{0}))', backward: ['{g} * {y} * (1 - {y})'] },
    description: 'logistic 1/(1+exp(-x))' },
  { name: 'relu', label: 'ReLU', arity: 1, fn: ops.relu,
    // symbolic: (x+|x|)/2 rather than max(x, 0), which mathjs's derivative does not support
    rules: ['({0}>0)·gy'], symbolic: '(({0}) + abs({0})) / 2', kernel: { forward: 'Math.max(0, {0})', backward: ['{g} * ({0} > 0 ? 1 : {0} === {0} ? 0 : NaN)'] },
    description: "max(x, 0); relu'(0) = 0", kink: { at: 0, left: 0, right: 1, convention: 0 } },
  { name: 'abs', label: 'Abs', arity: 1, fn: ops.abs,
    rules: ['sign({0})·gy'], symbolic: 'abs({0})', kernel: { forward: 'Math.abs({0})', backward: ['{g} * Math.sign({0})'] },
    description: "absolute value; abs'(0) = 0", kink: { at: 0, left: -1, right: 1, convention: 0 } },
  // calculus: the derivative as a value (book step 36). The builder passes the variable itself as
  // the second input; the op's Function (Diff) is the identity on the gradient graph's output.
  // No kernel: its graph depends on the point, so many points run on the engine, point by point.
  { name: 'diff', label: 'Diff', arity: 2, fn: diff, variableArgs: [1],
    rules: ['gy'], symbolic: 'derivative({0}, {1})',
    description: 'diff(f, x): df/dx at the current values, itself differentiable' },
];

/** Every op by name. A Map, so names such as `constructor` or `__proto__` are never found by accident. */
export const OPS: ReadonlyMap<string, OpSpec> = new Map(
  entries.map((e) => [e.name, { ...e, callable: e.callable ?? true }]),
);

/** Every op by its class label (`Square`), for renderers that start from the engine's Functions. */
export const BY_LABEL: ReadonlyMap<string, OpSpec> = new Map([...OPS.values()].map((op) => [op.label, op]));

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
