/**
 * Minimizing an expression with its gradient, as the book does by hand: gradient descent (step
 * 28), DeZero's MomentumSGD and Adam (dezero/optimizers.py), Newton's method with the exact
 * Hessian from double backprop (steps 29 and 33), and L-BFGS (Nocedal & Wright, Numerical
 * Optimization, 2nd ed.: the two-loop recursion, Algorithm 7.4, with the strong Wolfe line search
 * of Algorithms 3.5 and 3.6). Each method is a generator of iterates; one driver (Minimization)
 * records them and decides when to stop, so the CLI can run it a slice at a time (a progress line,
 * Ctrl-C) and the library all at once (`minimize`).
 */
import { elementsOf, shapeOf, Tensor, valueFrom, type Value } from '../engine/tensor.js';
import type { Node } from '../expr/ast.js';
import { build, variableNames } from '../expr/build.js';
import { parse } from '../expr/parse.js';
import { norm, objectiveOf, solveLinear, tensorObjectiveOf, type Objective } from './objective.js';
import { Search, type Stop, type StopReason, thinning } from './search.js';

export { keepIterate, type StopReason, THINNED_SIZE, type Thinning, thinning } from './search.js';

export type Method = 'gd' | 'momentum' | 'adam' | 'newton' | 'lbfgs';
export const METHODS: readonly Method[] = ['lbfgs', 'gd', 'momentum', 'adam', 'newton'];

/** Each method's name for people, its fixed constants and its defaults (lr for the first-order ones, iters). */
export const METHOD_INFO: Readonly<Record<Method, { title: string; lr?: number; constants?: string; iters: number }>> =
  {
    lbfgs: { title: 'L-BFGS', iters: 1000 },
    gd: { title: 'gradient descent', lr: 0.001, iters: 1000 },
    momentum: { title: 'momentum SGD', lr: 0.001, constants: 'momentum 0.9', iters: 1000 },
    adam: { title: 'Adam', lr: 0.001, constants: 'beta1 0.9, beta2 0.999, eps 1e-8', iters: 1000 },
    newton: { title: "Newton's method", iters: 100 },
  };

/** The default tolerance: on the gradient norm (on the step, for Newton). */
export const DEFAULT_TOL = 1e-10;

export interface MinimizeOptions {
  /** Default: 'lbfgs'. */
  method?: Method;
  /** The learning rate of gd, momentum (DeZero's lr) and adam (DeZero's alpha); default 0.001. */
  lr?: number;
  /** Stop after this many updates; default: METHOD_INFO[method].iters. */
  iters?: number;
  /**
   * Converged when the gradient norm is at most tol; for Newton, when a step is at most
   * tol * (1 + |x|) (the point after it is the last) or the gradient is exactly 0. Default 1e-10.
   */
  tol?: number;
  /**
   * Which iterates the record keeps: 'all' (the default), or 'thinned' for long runs whose every
   * iterate is not needed: all of them up to THINNED_SIZE, then only those whose k is a multiple
   * of 10, then of 100, ... (and always the start, the newest and the multiples of `keepEvery`),
   * so that memory stays bounded.
   */
  trajectory?: 'all' | 'thinned';
  /** With 'thinned': keep every iterate whose k is a multiple of this too (the rows to print). */
  keepEvery?: number;
  /**
   * The variables to minimize over (default: every variable of the expression); the others keep
   * their values from the start, as data: `{ wrt: ['w'] }` for sum((X*w - y).^2) with X and y given.
   */
  wrt?: readonly string[];
}

/** The start: a value for every variable, each a number or a vector or matrix. */
export type Start = Readonly<Record<string, Value>> | ReadonlyMap<string, Value>;

/** One point of the path: k = 0 is the start, k the number of updates made to reach it. */
export interface Iterate {
  k: number;
  /** The point, one coordinate per name (a vector or matrix flattened row-major, as `shapes` say). */
  x: number[];
  value: number;
  /** The Euclidean norm of the gradient at x. */
  gradNorm: number;
}

export interface MinimizeResult<V extends Value = Value> {
  expression: string;
  method: Method;
  /** The variables minimized over, in order of first appearance: the coordinates of every `x`. */
  names: string[];
  /** Each name's shape ([] for a number): a vector or matrix takes that many coordinates of `x`. */
  shapes: Record<string, number[]>;
  /** The settings used (defaults filled in); lr only for the methods that have one. */
  lr?: number;
  iters: number;
  tol: number;
  /** Every iterate, the start first (or, for `trajectory: 'thinned'`, the ones kept; the last is the end). */
  trajectory: Iterate[];
  /** The last point, by name (a number, or a vector or matrix shaped as the start). */
  point: Record<string, V>;
  value: number;
  gradient: Record<string, V>;
  gradNorm: number;
  /** The updates made (the last iterate's k). */
  iterations: number;
  /** How many times value and gradient were computed (a line search computes several a step). */
  evaluations: number;
  reason: StopReason;
  /** One sentence on why: "the gradient norm 3.1e-11 is below tol 1e-10". */
  detail: string;
  /** The iterate with the lowest finite value (the start when none is finite). */
  best: Iterate;
}

interface Point {
  x: Float64Array;
  value: number;
  gradient: Float64Array;
}

interface Settings {
  lr: number;
  tol: number;
}

/** A method: yields each iterate (the start first) and returns when it must stop on its own. */
type MethodRun = Generator<Point, Stop, void>;

function evaluateAt(f: Objective, x: Float64Array): Point {
  const gradient = new Float64Array(x.length);
  const value = f.evaluate(x, gradient);
  return { x: Float64Array.from(x), value, gradient };
}

/** Step 28: x <- x - lr * gx. */
function* gd(f: Objective, x0: Float64Array, s: Settings): MethodRun {
  const x = Float64Array.from(x0);
  for (;;) {
    const p = evaluateAt(f, x);
    yield p;
    for (let i = 0; i < x.length; i++) x[i] -= s.lr * p.gradient[i];
  }
}

/** DeZero's MomentumSGD: v <- momentum * v - lr * gx; x <- x + v. */
function* momentum(f: Objective, x0: Float64Array, s: Settings): MethodRun {
  const x = Float64Array.from(x0);
  const v = new Float64Array(x.length);
  for (;;) {
    const p = evaluateAt(f, x);
    yield p;
    for (let i = 0; i < x.length; i++) {
      v[i] *= 0.9;
      v[i] -= s.lr * p.gradient[i];
      x[i] += v[i];
    }
  }
}

/** DeZero's Adam: m, v as running means of gx and gx^2, the step lr_t * m / (sqrt(v) + eps). */
function* adam(f: Objective, x0: Float64Array, s: Settings): MethodRun {
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  const x = Float64Array.from(x0);
  const m = new Float64Array(x.length);
  const v = new Float64Array(x.length);
  for (let t = 1; ; t++) {
    const p = evaluateAt(f, x);
    yield p;
    const lr = (s.lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    for (let i = 0; i < x.length; i++) {
      const g = p.gradient[i];
      m[i] += (1 - beta1) * (g - m[i]);
      v[i] += (1 - beta2) * (g * g - v[i]);
      x[i] -= (lr * m[i]) / (Math.sqrt(v[i]) + eps);
    }
  }
}

/** Steps 29 and 33: x <- x - H^-1 gx, the Hessian H from double backprop (one variable: gx / gx2). */
function* newton(f: Objective, x0: Float64Array, s: Settings): MethodRun {
  const x = Float64Array.from(x0);
  for (;;) {
    const p = evaluateAt(f, x);
    yield p;
    if (p.gradient.every((g) => g === 0)) return { reason: 'converged', detail: 'the gradient is 0' };
    const d = solveLinear(f.hessian(x), p.gradient);
    if (d === undefined) {
      return { reason: 'stalled', detail: "the Hessian is singular here, so Newton's step is undefined" };
    }
    for (let i = 0; i < x.length; i++) x[i] -= d[i];
    const size = norm(d);
    if (size <= s.tol * (1 + norm(x))) {
      yield evaluateAt(f, x);
      return {
        reason: 'converged',
        detail: `the last step, ${short(size)}, is at most tol ${s.tol} times 1 + |x|`,
      };
    }
  }
}

/** Pairs (s, y) L-BFGS remembers (Nocedal & Wright suggest 3 to 20). */
const MEMORY = 10;

/** L-BFGS: the two-loop recursion for the direction, a strong Wolfe line search for the step. */
function* lbfgs(f: Objective, x0: Float64Array): MethodRun {
  let p = evaluateAt(f, x0);
  yield p;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  for (;;) {
    let d = direction(p.gradient, S, Y);
    let slope = dot(d, p.gradient);
    if (!(slope < 0)) {
      // Not a descent direction (only by rounding): forget the curvature pairs, go downhill.
      S.length = Y.length = 0;
      d = p.gradient.map((g) => -g);
      slope = dot(d, p.gradient);
    }
    // The first step has no curvature to scale it: at most a unit move (Nocedal & Wright, 6.1).
    const a0 = S.length === 0 ? Math.min(1, 1 / norm(p.gradient)) : 1;
    const next = lineSearch(f, p, d, slope, a0);
    if (next === undefined) {
      if (S.length > 0) {
        S.length = Y.length = 0;
        continue; // try once more along the gradient alone
      }
      return {
        reason: 'stalled',
        detail: `the line search found no lower value downhill (the gradient norm ${short(norm(p.gradient))} is at the rounding level of f)`,
      };
    }
    const s = next.x.map((xi, i) => xi - p.x[i]);
    const y = next.gradient.map((gi, i) => gi - p.gradient[i]);
    // Keep the pair only with positive curvature (strong Wolfe guarantees it but for rounding).
    if (dot(s, y) > 1e-12 * norm(s) * norm(y)) {
      S.push(s);
      Y.push(y);
      if (S.length > MEMORY) S.shift(), Y.shift();
    }
    p = next;
    yield p;
  }
}

/** Algorithm 7.4: -H g, H the inverse Hessian approximation built from the pairs (s_i, y_i). */
function direction(g: Float64Array, S: readonly Float64Array[], Y: readonly Float64Array[]): Float64Array {
  const q = Float64Array.from(g);
  const k = S.length;
  const alpha = new Array<number>(k);
  const rho = S.map((s, i) => 1 / dot(Y[i], s));
  for (let i = k - 1; i >= 0; i--) {
    alpha[i] = rho[i] * dot(S[i], q);
    for (let j = 0; j < q.length; j++) q[j] -= alpha[i] * Y[i][j];
  }
  // H0 = gamma I with gamma = s'y / y'y of the newest pair (7.20).
  const gamma = k > 0 ? dot(S[k - 1], Y[k - 1]) / dot(Y[k - 1], Y[k - 1]) : 1;
  for (let j = 0; j < q.length; j++) q[j] *= gamma;
  for (let i = 0; i < k; i++) {
    const beta = rho[i] * dot(Y[i], q);
    for (let j = 0; j < q.length; j++) q[j] += (alpha[i] - beta) * S[i][j];
  }
  return q.map((v) => -v);
}

/** A trial step of the line search: phi(a) = f(x + a d) and phi'(a) = g(x + a d)'d. */
interface Trial extends Point {
  a: number;
  slope: number;
}

const C1 = 1e-4; // sufficient decrease (Armijo)
const C2 = 0.9; // curvature, the usual value for quasi-Newton methods

/**
 * Algorithm 3.5: a step satisfying the strong Wolfe conditions along d from p (slope = phi'(0) < 0),
 * trying a0 first and doubling it while f keeps falling. Returns undefined when no step lowers f
 * (a value that is not finite counts as too high).
 */
function lineSearch(f: Objective, p: Point, d: Float64Array, slope: number, a0: number): Trial | undefined {
  const at = (a: number): Trial => {
    const t = evaluateAt(
      f,
      p.x.map((xi, i) => xi + a * d[i]),
    );
    return { ...t, value: Number.isNaN(t.value) ? Infinity : t.value, a, slope: dot(t.gradient, d) };
  };
  const start: Trial = { ...p, a: 0, slope };
  const armijo = (t: Trial): boolean => t.value <= p.value + C1 * t.a * slope;
  let prev = start;
  let a = a0;
  for (let i = 0; i < 40; i++) {
    const t = at(a);
    if (nearlyWolfe(start, t)) return t;
    if (!armijo(t) || (i > 0 && t.value >= prev.value)) return zoom(at, start, prev, t);
    if (Math.abs(t.slope) <= -C2 * slope) return t;
    if (t.slope >= 0) return zoom(at, start, t, prev);
    prev = t;
    a *= 2;
  }
  return prev.a > 0 ? prev : undefined;
}

/**
 * Near a minimum the decrease left is at the rounding level of f and sufficient decrease cannot
 * be told from noise. Hager and Zhang's approximate Wolfe conditions (SIAM J. Optim. 16, 2005,
 * (4.1) and (4.2)) then accept a step by its slope: f no higher than f(0) + eps|f(0)| and
 * sigma phi'(0) <= phi'(a) <= (2 delta - 1) phi'(0), delta and sigma as C1 and C2.
 */
function nearlyWolfe(start: Trial, t: Trial): boolean {
  return (
    t.value <= start.value + 1e-12 * Math.abs(start.value) &&
    C2 * start.slope <= t.slope &&
    t.slope <= (2 * C1 - 1) * start.slope
  );
}

/**
 * Algorithm 3.6: narrows [lo, hi] (lo satisfies sufficient decrease and is the lower end in value)
 * to a strong Wolfe step, each trial at the minimum of the cubic through both ends (3.59), kept
 * inside the interval's middle 80% or else its midpoint.
 */
function zoom(at: (a: number) => Trial, start: Trial, lo: Trial, hi: Trial): Trial | undefined {
  const armijo = (t: Trial): boolean => t.value <= start.value + C1 * t.a * start.slope;
  for (let j = 0; j < 50; j++) {
    const low = Math.min(lo.a, hi.a);
    const width = Math.abs(hi.a - lo.a);
    if (width <= Number.EPSILON * Math.max(lo.a, hi.a)) break;
    let a = cubicMinimum(lo, hi);
    if (!(a >= low + 0.1 * width && a <= low + 0.9 * width)) a = (lo.a + hi.a) / 2;
    const t = at(a);
    if (nearlyWolfe(start, t)) return t;
    if (!armijo(t) || t.value >= lo.value) {
      hi = t;
      continue;
    }
    if (Math.abs(t.slope) <= -C2 * start.slope) return t;
    if (t.slope * (hi.a - lo.a) >= 0) hi = lo;
    lo = t;
  }
  // Out of trials: the lowest point that satisfies sufficient decrease, if it moved at all.
  return lo.a > 0 && lo.value < start.value ? lo : undefined;
}

/** The minimizer of the cubic matching phi and phi' at both ends (Nocedal & Wright 3.59); NaN if none. */
function cubicMinimum(a: Trial, b: Trial): number {
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.a - b.a);
  const disc = d1 * d1 - a.slope * b.slope;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b.a - a.a) * Math.sqrt(disc);
  return b.a - ((b.a - a.a) * (b.slope + d2 - d1)) / (b.slope - a.slope + 2 * d2);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Numbers in details: 3 significant digits. */
export function short(n: number): string {
  const text = n.toPrecision(3);
  return text.includes('e') ? text : String(Number(text));
}

/** A value this many times the start's magnitude (or a point this far out) is divergence. */
const DIVERGED = 1e12;

/**
 * A minimization in progress: `step()` computes the next iterate (the start on the first call)
 * and returns false once the search has stopped; `result()` is the record so far. The CLI runs it
 * a slice at a time (to show progress and to stop on Ctrl-C with `interrupt()`), `minimize` at once.
 */
export class Minimization extends Search<Point, Iterate, MinimizeResult> {
  readonly method: Method;
  readonly names: string[];
  readonly shapes: (readonly number[])[];
  readonly lr: number | undefined;
  readonly iters: number;
  readonly tol: number;
  private readonly f: Objective;
  protected readonly run: MethodRun;
  private readonly start: Float64Array;
  private best: Iterate | undefined;

  constructor(expression: string | Node, start: Start, options: MinimizeOptions = {}) {
    super(thinning(options));
    const source = typeof expression === 'string' ? expression : '';
    const root = typeof expression === 'string' ? parse(expression) : expression;
    this.method = options.method ?? 'lbfgs';
    if (!METHODS.includes(this.method))
      throw new RangeError(`unknown method '${this.method}': one of ${METHODS.join(', ')}`);
    const info = METHOD_INFO[this.method];
    this.lr = info.lr === undefined ? undefined : (options.lr ?? info.lr);
    this.iters = options.iters ?? info.iters;
    this.tol = options.tol ?? DEFAULT_TOL;
    checkSettings(this.lr, this.iters, this.tol);
    const starts = startMap(start);
    const own = variableNames(root);
    for (const n of options.wrt ?? []) {
      if (!own.includes(n)) throw new RangeError(`wrt: the expression has no variable ${n}`);
    }
    const names = options.wrt === undefined ? own : own.filter((n) => options.wrt!.includes(n));
    if (names.length === 0) throw new RangeError('the expression has no variable to minimize over');
    // Every variable needs a start: build reports the first missing one at its place in the text.
    const graph = build(root, starts, source);
    const values = names.map((n) => graph.variables.get(n)!.data);
    this.shapes = values.map((v) => [...shapeOf(v)]);
    const fixed = new Map(own.filter((n) => !names.includes(n)).map((n) => [n, graph.variables.get(n)!.data]));
    const tensors = [...values, ...fixed.values()].some((v) => v instanceof Tensor);
    this.f =
      tensors || fixed.size > 0
        ? tensorObjectiveOf(root, names, this.shapes, fixed, source)
        : objectiveOf(root, undefined, source);
    this.names = this.f.names;
    this.start = Float64Array.from(values.flatMap((v) => Array.from(elementsOf(v))));
    const settings = { lr: this.lr ?? 0, tol: this.tol };
    const runs: Record<Method, () => MethodRun> = {
      gd: () => gd(this.f, this.start, settings),
      momentum: () => momentum(this.f, this.start, settings),
      adam: () => adam(this.f, this.start, settings),
      newton: () => newton(this.f, this.start, settings),
      lbfgs: () => lbfgs(this.f, this.start),
    };
    this.run = runs[this.method]();
  }

  protected iterate(p: Point, k: number): Iterate {
    const it: Iterate = { k, x: Array.from(p.x), value: p.value, gradNorm: norm(p.gradient) };
    if (Number.isFinite(it.value) && (this.best === undefined || it.value < this.best.value)) this.best = it;
    return it;
  }

  result(): MinimizeResult {
    if (this.last === undefined) this.step();
    const p = this.last!;
    const it = this.current!;
    const point: Record<string, Value> = Object.create(null);
    const gradient: Record<string, Value> = Object.create(null);
    const shapes: Record<string, number[]> = Object.create(null);
    let at = 0;
    this.names.forEach((n, i) => {
      const shape = this.shapes[i];
      const size = shape.reduce((a, b) => a * b, 1);
      point[n] = valueFrom(shape, p.x.slice(at, at + size), 'minimize');
      gradient[n] = valueFrom(shape, p.gradient.slice(at, at + size), 'minimize');
      shapes[n] = [...shape];
      at += size;
    });
    const stop = this.stop ?? { reason: 'interrupted', detail: 'still running' };
    return {
      expression: this.f.source,
      method: this.method,
      names: [...this.names],
      shapes,
      ...(this.lr === undefined ? {} : { lr: this.lr }),
      iters: this.iters,
      tol: this.tol,
      trajectory: this.trajectory,
      point,
      value: p.value,
      gradient,
      gradNorm: it.gradNorm,
      iterations: it.k,
      evaluations: this.f.evaluations,
      reason: stop.reason,
      detail: stop.detail,
      best: this.best ?? this.trajectory[0],
    };
  }

  /** The stops every method shares, checked at each iterate. */
  protected check(it: Iterate): Stop | undefined {
    const p = this.last!;
    const bad = !Number.isFinite(it.value)
      ? `the value is ${it.value}`
      : p.x.some((v) => !Number.isFinite(v))
        ? 'the point is not finite'
        : p.gradient.some((v) => !Number.isFinite(v))
          ? 'the gradient is not finite'
          : undefined;
    if (bad !== undefined) return { reason: 'non-finite', detail: `${bad} at iteration ${it.k}` };
    const f0 = this.trajectory[0].value;
    if (Math.abs(it.value) > DIVERGED * (1 + Math.abs(f0)) || norm(p.x) > DIVERGED * (1 + norm(this.start))) {
      const lr = this.lr === undefined ? '' : ': a smaller learning rate may help';
      return {
        reason: 'diverging',
        detail: `the value went from ${short(f0)} to ${short(it.value)} at iteration ${it.k}${lr}`,
      };
    }
    if (this.method !== 'newton' && it.gradNorm <= this.tol) {
      return {
        reason: 'converged',
        detail: `the gradient norm ${short(it.gradNorm)} is at most tol ${this.tol}`,
      };
    }
    if (it.k >= this.iters) return { reason: 'iteration limit', detail: `the limit of ${this.iters} iterations` };
    return undefined;
  }
}

/**
 * Minimizes `expression` from `start` (a value for every variable).
 *
 *     minimize('100*(y - x^2)^2 + (x - 1)^2', { x: 0, y: 2 }).point  // { x: 1, y: 1 } (L-BFGS)
 *
 * Throws ExprError for a bad expression, MissingValueError for a variable without a start,
 * RangeError for a bad option.
 */
export function minimize(
  expression: string | Node,
  start: Readonly<Record<string, number>> | ReadonlyMap<string, number>,
  options?: MinimizeOptions,
): MinimizeResult<number>;
export function minimize(expression: string | Node, start: Start, options?: MinimizeOptions): MinimizeResult;
export function minimize(expression: string | Node, start: Start, options: MinimizeOptions = {}): MinimizeResult {
  return new Minimization(expression, start, options).finish();
}

function checkSettings(lr: number | undefined, iters: number, tol: number): void {
  if (lr !== undefined && !(lr > 0 && Number.isFinite(lr))) throw new RangeError(`lr must be positive, got ${lr}`);
  if (!(Number.isInteger(iters) && iters > 0)) throw new RangeError(`iters must be a positive integer, got ${iters}`);
  if (!(tol >= 0)) throw new RangeError(`tol must be 0 or more, got ${tol}`);
}

/** The start as a Map (a plain object or a Map, each a number, or a Tensor). */
export function startMap(start: Start): Map<string, Value> {
  if (start === null || typeof start !== 'object') throw new TypeError('the start must be an object or a Map');
  const entries = start instanceof Map ? [...start] : Object.entries(start);
  for (const [name, v] of entries) {
    if (typeof v !== 'number' && !(v instanceof Tensor)) {
      throw new TypeError(`the start of ${name} must be a number or a Tensor, got ${typeof v}`);
    }
  }
  return new Map(entries as [string, Value][]);
}
