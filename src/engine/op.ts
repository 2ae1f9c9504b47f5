/**
 * What an op is: one definition holding its forward (in the primitives of primitives.ts) and its
 * backward (in the differentiable ops, as DeZero's functions.py), with its name, arity, help line,
 * domain, kink convention and mathjs form. Everything else that restates the derivative is derived
 * from that definition: `backwardTerms` runs the backward once over stand-in Variables and keeps
 * the graph it built, which the trace prints as the rule (`2·x·gy`) and the batch compiler turns
 * into the fused kernel's code.
 */
import { Config } from './config.js';
import { NUM, type Prims } from './primitives.js';
import { elementwise, sameShape, scalarOf, shapeOf, sizeOf, Tensor, type Value } from './tensor.js';
import { DFunction, Variable } from './variable.js';

/**
 * A kink or a jump: the one-sided derivatives at `at`, and the one autodiff uses (PyTorch's
 * convention). With a `period`, at every `at + k·period` (floor's jumps at the integers).
 */
export interface Kink {
  readonly at: number;
  readonly left: number;
  readonly right: number;
  readonly convention: number;
  readonly period?: number;
}

export interface OpDefinition {
  /** The name in expressions: `sin` in `sin(x)`; for operators, the function the parser maps to. */
  readonly name: string;
  /** The Function's class name, as the trace prints it: `Sin` in `Sin.backward(...)`. */
  readonly label: string;
  /** How many arguments the op takes in an expression (its Function always gets this many). */
  readonly arity: number;
  /**
   * The values of trailing arguments an expression may leave out: `leaky_relu(x)` is
   * `leaky_relu(x, 0.2)`. The op's Function gets them as constants, so its forward and backward
   * always see `arity` inputs. Default: none.
   */
  readonly defaults?: readonly number[];
  /** Any number of arguments from `arity` on (`max(a, b, c)`); the Function gets them all. */
  readonly variadic?: boolean;
  /** The value, in the primitives: `(m, x) => m.sin(x)`. */
  readonly forward: <T>(m: Prims<T>, ...xs: T[]) => T;
  /**
   * The gradient flowing into each input, built with the differentiable ops from the arriving
   * gradient `gy`, the inputs `xs` and the output `y`; null where no gradient flows. It must not
   * read `.data` (the trace of it would hold at one point only): write a data-dependent choice
   * with `where`. It may read `requiresGrad` to skip an input no gradient is wanted for.
   */
  readonly backward: (gy: Variable, xs: readonly Variable[], y: Variable) => (Variable | null)[];
  /**
   * Which inputs a gradient flows into at this point, when that depends on the point: a value in
   * the primitives per input, truthy for "flows" (null: never). Only the conditional has it: the
   * branch not taken gets no gradient at all, so nothing computed there (a NaN) can reach one.
   * The backward itself stays free of `.data`; the engine and the fused kernel apply the routes.
   */
  readonly routes?: <T>(m: Prims<T>, ...xs: T[]) => (T | number | null)[];
  /** One line for `--help` and completion. */
  readonly description: string;
  /**
   * The same function in mathjs's grammar (`{0}`, `{1}` are the arguments), for --check and
   * --symbolic; null where mathjs has no such function (the check is then numerical only).
   */
  readonly mathjs: string | null;
  /** The form mathjs's `derivative` is given instead, where it mis-differentiates or lacks `mathjs`. */
  readonly mathjsForDerivative?: string;
  /** The infix or prefix symbol when the op is written as an operator (`+`); operators are not callable by name. */
  readonly symbol?: string;
  /** How the op reads inside a rule when that is neither `name(args)` nor its symbol: `({0}>0)`. */
  readonly ruleForm?: string;
  /** True for the ops only backward rules are written with (`step`, `where`): expressions cannot name them. */
  readonly internal?: boolean;
  /** False for ops that are written with their symbol only. Default: true for ops without a symbol. */
  readonly callable?: boolean;
  /** Where the op is defined, when that is not everywhere: for the domain warning (`x > 0`). */
  readonly domain?: string;
  readonly kink?: Kink;
  /** Positions of arguments that must be a variable name (the `x` of `diff(f, x)`). */
  readonly variableArgs?: readonly number[];
  /** False when the graph depends on the point (`diff`): many points then run on the engine. Default true. */
  readonly fusible?: boolean;
  /** The differentiable factory, when it is more than applying the op's Function (`diff`). */
  readonly fn?: (...xs: Variable[]) => Variable;
  /**
   * The value on whole values, for an op that is not elementwise (matmul, sum, reshape: stage 4).
   * Without it the op is elementwise: on Tensors its `forward` is applied element by element with
   * numpy broadcasting (src/engine/tensor.ts). With it, the engine computes the value with it,
   * always: `forward` is then only the scalar form a fused kernel compiles (max, min), or never
   * called for an op that is not fusible. Either way the engine sums each gradient back to its
   * input's shape where they differ.
   */
  readonly array?: (...xs: Value[]) => Value;
}

export interface OpSpec extends OpDefinition {
  /** Its position in DEFINED (the registry's ALL_OPS): the tape's op code. */
  readonly index: number;
  /** The fewest arguments an expression may give: `arity` less the `defaults`. */
  readonly minArity: number;
  readonly internal: boolean;
  readonly callable: boolean;
  readonly fusible: boolean;
  /** Applies the op: builds its Function on the inputs and returns the output. */
  readonly fn: (...xs: (Variable | Value)[]) => Variable;
}

/** The Function of an op: forward on plain numbers, backward on Variables, both from the definition. */
export class OpFunction extends DFunction {
  readonly label: string;
  constructor(readonly op: OpSpec) {
    super();
    this.label = op.label;
  }
  forward(...xs: Value[]): Value {
    const op = this.op;
    if (op.array !== undefined) return op.array(...xs);
    for (let i = 0; i < xs.length; i++) if (typeof xs[i] !== 'number') return elementwise(op.name, op.forward, xs);
    return op.forward(NUM, ...(xs as number[]));
  }
  backward(gy: Variable): (Variable | null)[] {
    const inputs = this.inputs;
    const gxs = this.op.backward(gy, inputs, this.outputs[0]);
    let tensors = typeof gy.data !== 'number';
    for (let i = 0; i < inputs.length && !tensors; i++) tensors = typeof inputs[i].data !== 'number';
    if (this.op.routes !== undefined && !Config.allRoutes) {
      if (!tensors) {
        const open = this.op.routes(NUM, ...inputs.map((x) => x.data as number));
        for (let i = 0; i < gxs.length; i++) if (!open[i]) gxs[i] = null;
      } else {
        // Element by element: a gradient flows into the elements whose route is open.
        const routes = this.op.routes;
        for (let i = 0; i < gxs.length; i++) {
          const gx = gxs[i];
          if (gx === null) continue;
          const open = elementwise(
            this.op.name,
            routeOf(routes, i),
            inputs.map((x) => x.data),
          );
          gxs[i] = gate(open, gx);
        }
      }
    }
    // DeZero step 40: a gradient that was broadcast is summed back to its input's shape, here
    // once for every op (scalars never pass this point). An input that wants no gradient (a
    // constant: the 1 of `1 + y^2`) gets none, as Variable.backward drops it: no sum for it.
    if (tensors)
      for (let i = 0; i < gxs.length; i++) {
        const gx = gxs[i];
        if (gx === null || sameShape(gx.shape, shapeOf(inputs[i].data))) continue;
        gxs[i] = inputs[i].requiresGrad ? sumTo(gx, inputs[i].shape) : null;
      }
    return gxs;
  }
}

type Routes = NonNullable<OpDefinition['routes']>;
const ROUTES = new WeakMap<Routes, ((m: Prims<number>, ...ns: number[]) => number)[]>();

/** Input i's route as a function of the elements, made once per op and input: elementwise compiles a loop per function. */
function routeOf(routes: Routes, i: number): (m: Prims<number>, ...ns: number[]) => number {
  let list = ROUTES.get(routes);
  if (list === undefined) ROUTES.set(routes, (list = []));
  list[i] ??= (m, ...ns) => Number(routes(m, ...ns)[i] ?? 0);
  return list[i];
}

/**
 * The differentiable `sum_to` and the elementwise `where` that every op's backward may need on
 * tensors. ops.ts defines them and registers them here, so this module does not import ops.ts.
 */
let sumTo: (x: Variable, shape: readonly number[]) => Variable = () => {
  throw new Error('internal: ops.ts was not loaded before backward');
};
let gate: (open: Value, gx: Variable) => Variable = sumTo as never;
export function registerBroadcastOps(ops: {
  sumTo: (x: Variable, shape: readonly number[]) => Variable;
  gate: (open: Value, gx: Variable) => Variable;
}): void {
  sumTo = ops.sumTo;
  gate = ops.gate;
}

/** An op's Function class: `new Square().call(x)` as in the book's step 6, with its definition as `Square.op`. */
export interface OpClass {
  new (): OpFunction;
  op: OpSpec;
}

/** Every op defineOp has made, in the order they were defined: the registry reads it. */
export const DEFINED: OpSpec[] = [];

/**
 * An op's spec: its definition, read through getters, and what is derived from it. Not a copy of
 * the definition (`{ ...def, ... }`): some 80 copies, each of an object of its own shape, were
 * ~0.3 ms of every start (V8 looks up each property of each shape the first time); one class
 * gives every spec the same shape.
 */
class Spec implements OpSpec {
  readonly index = DEFINED.length;
  readonly minArity: number;
  readonly internal: boolean;
  readonly callable: boolean;
  readonly fusible: boolean;
  readonly fn: OpSpec['fn'];
  constructor(private readonly def: OpDefinition) {
    const defaults = def.defaults ?? [];
    const minArity = def.arity - defaults.length;
    this.minArity = minArity;
    this.internal = def.internal ?? false;
    this.callable = !this.internal && (def.callable ?? def.symbol === undefined);
    this.fusible = def.fusible ?? true;
    this.fn =
      (def.fn as OpSpec['fn'] | undefined) ??
      ((...xs: (Variable | Value)[]): Variable =>
        new OpFunction(this).call(...xs, ...defaults.slice(xs.length - minArity)));
  }
  get name() {
    return this.def.name;
  }
  get label() {
    return this.def.label;
  }
  get arity() {
    return this.def.arity;
  }
  get defaults() {
    return this.def.defaults;
  }
  get variadic() {
    return this.def.variadic;
  }
  get forward() {
    return this.def.forward;
  }
  get backward() {
    return this.def.backward;
  }
  get routes() {
    return this.def.routes;
  }
  get description() {
    return this.def.description;
  }
  get mathjs() {
    return this.def.mathjs;
  }
  get mathjsForDerivative() {
    return this.def.mathjsForDerivative;
  }
  get symbol() {
    return this.def.symbol;
  }
  get ruleForm() {
    return this.def.ruleForm;
  }
  get domain() {
    return this.def.domain;
  }
  get kink() {
    return this.def.kink;
  }
  get variableArgs() {
    return this.def.variableArgs;
  }
  get array() {
    return this.def.array;
  }
}
/** Fails to compile when a field of OpDefinition has no getter in Spec (it would read undefined). */
const everyField: Record<Exclude<keyof OpDefinition, keyof Spec>, never> = {};
void everyField;

/** Makes an op from its definition: its spec (for the registry) and its Function class. */
export function defineOp(def: OpDefinition): OpClass {
  const spec: OpSpec = new Spec(def);
  // A plain constructor function rather than a subclass per op: `new Square()` gives its
  // OpFunction all the same, and some 70 classes cost about a millisecond at every start.
  const Op = function Op(this: unknown): OpFunction {
    return new OpFunction(spec);
  } as unknown as OpClass & { op: OpSpec };
  Op.op = spec;
  DEFINED.push(spec);
  return Op;
}

// ---- the backward as data ----------------------------------------------------------------------

/** A backward rule as a tree over the op's inputs, its output, the arriving gradient and constants. */
export type Term =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'output' }
  | { readonly kind: 'gy' }
  | { readonly kind: 'const'; readonly value: Value }
  | { readonly kind: 'apply'; readonly op: OpSpec; readonly args: readonly Term[] };

const traced = new Map<OpSpec, Map<string, readonly (Term | null)[]>>();

/**
 * The op's backward as one Term per input (null where no gradient flows), for inputs that need a
 * gradient where `needsGrad` says so: the backward is run once over stand-in Variables with every
 * function recorded (`Config.tracing`), and the graph it built is read back. Cached.
 */
export function backwardTerms(
  op: OpSpec,
  needsGrad: readonly boolean[],
  shapes?: StepShapes,
): readonly (Term | null)[] {
  let byPattern = traced.get(op);
  if (byPattern === undefined) traced.set(op, (byPattern = new Map()));
  const key =
    needsGrad.map((b) => (b ? '1' : '0')).join('') +
    (shapes === undefined ? '' : JSON.stringify([shapes.inputs, shapes.output]));
  let terms = byPattern.get(key);
  if (terms === undefined) {
    terms = trace(op, needsGrad, shapes);
    byPattern.set(key, terms);
  }
  return terms;
}

/**
 * The shapes of a step's inputs and output, for a backward traced on vectors and matrices: the
 * stand-ins then have those shapes, so `matmul`'s rule reads `matmul(gy, transpose(x))`.
 */
export interface StepShapes {
  inputs: readonly (readonly number[])[];
  output: readonly number[];
}

const standIn = (shape: readonly number[] | undefined): Value =>
  shape === undefined || shape.length === 0 ? NaN : Tensor.from(shape, new Float64Array(sizeOf(shape)).fill(NaN));

/** The traced backward ignores `routes`: it is every gradient the op can send. */
function trace(op: OpSpec, needsGrad: readonly boolean[], shapes?: StepShapes): (Term | null)[] {
  const xs = needsGrad.map((need, i) => new Variable(standIn(shapes?.inputs[i]), null, need));
  const y = new Variable(standIn(shapes?.output));
  const gy = new Variable(standIn(shapes?.output));
  const old = { backprop: Config.enableBackprop, tracing: Config.tracing };
  Config.enableBackprop = true;
  Config.tracing = true;
  let gxs: (Variable | null)[];
  try {
    gxs = op.backward(gy, xs, y);
  } finally {
    Config.enableBackprop = old.backprop;
    Config.tracing = old.tracing;
  }
  const seen = new Map<Variable, Term>();
  const termOf = (v: Variable): Term => {
    let t = seen.get(v);
    if (t !== undefined) return t;
    const index = xs.indexOf(v);
    if (index >= 0) t = { kind: 'input', index };
    else if (v === y) t = { kind: 'output' };
    else if (v === gy) t = { kind: 'gy' };
    else if (v.creator === null) t = { kind: 'const', value: v.data };
    else {
      const f = v.creator;
      if (!(f instanceof OpFunction))
        throw new Error(`internal: ${op.name}'s backward uses ${f.label}, which is not an op`);
      // A rule is a few ops deep: plain recursion is safe here.
      t = { kind: 'apply', op: f.op, args: f.inputs.map(termOf) };
    }
    seen.set(v, t);
    return t;
  };
  return xs.map((_, i) => {
    const g = gxs[i];
    return g === null || g === undefined || !needsGrad[i] ? null : termOf(g);
  });
}

/** A Term's value, given its leaves' values (the trace uses it to show the branch a `where` took). */
export function evaluateTerm(t: Term, leaf: (t: Term) => number): number {
  if (t.kind === 'const') return scalarOf(t.value, 'a rule');
  if (t.kind !== 'apply') return leaf(t);
  return t.op.forward(NUM, ...t.args.map((a) => evaluateTerm(a, leaf)));
}

/** The op a Function of the engine applies, or undefined for a user's own DFunction subclass. */
export function opOf(f: DFunction): OpSpec | undefined {
  return f instanceof OpFunction ? f.op : undefined;
}
