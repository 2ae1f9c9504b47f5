/**
 * Roots of an expression, or of as many expressions as variables: Newton's method with the
 * derivative (the Jacobian, a gradient per equation, for several), the secant method, and
 * bisection on a bracket with a sign change. As in minimize.ts, each method is a generator of
 * iterates and one driver (RootSearch) records them and decides when to stop.
 */
import { ShapeError } from '../engine/tensor.js';
import type { Node } from '../expr/ast.js';
import { build, variableNames } from '../expr/build.js';
import { parse } from '../expr/parse.js';
import type { Values } from './grad.js';
import { short, startMap } from './minimize.js';
import { Search, type Stop, type StopReason, thinning } from './search.js';
import { norm, objectiveOf, solveLinear, type Objective } from './objective.js';

export type RootMethod = 'newton' | 'secant' | 'bisect';
export const ROOT_METHODS: readonly RootMethod[] = ['newton', 'secant', 'bisect'];
export const ROOT_METHOD_INFO: Readonly<Record<RootMethod, { title: string; iters: number }>> = {
  newton: { title: "Newton's method", iters: 100 },
  secant: { title: 'the secant method', iters: 100 },
  bisect: { title: 'bisection', iters: 200 },
};

export interface RootOptions {
  /** Default: 'newton'. */
  method?: RootMethod;
  /** [a, b]: bisection's bracket (f(a) and f(b) of opposite signs); the secant's two first points. */
  bracket?: readonly [number, number];
  /** Stop after this many steps; default ROOT_METHOD_INFO[method].iters. */
  iters?: number;
  /**
   * Converged when a step is at most tol * (1 + |x|) (the point after it is the last), or the
   * residual is exactly 0; for bisection, when half the bracket is. Default 1e-10.
   */
  tol?: number;
  /** As MinimizeOptions.trajectory: 'all' (default) or 'thinned'. */
  trajectory?: 'all' | 'thinned';
  /** As MinimizeOptions.keepEvery. */
  keepEvery?: number;
}

export interface RootIterate {
  k: number;
  x: number[];
  /** Each equation's value at x. */
  residual: number[];
  /** The residual's Euclidean norm (|f(x)| for one equation). */
  norm: number;
}

export interface RootResult {
  /** The equations, as given. */
  expressions: string[];
  method: RootMethod;
  names: string[];
  iters: number;
  tol: number;
  trajectory: RootIterate[];
  point: Record<string, number>;
  residual: number[];
  norm: number;
  iterations: number;
  evaluations: number;
  reason: StopReason;
  detail: string;
  /** Bisection: the bracket given, ordered [a, b]. */
  startBracket?: [number, number];
  /** Bisection: the bracket at the end, a sign change between its ends. */
  bracket?: [number, number];
}

/** Why a root search cannot start or go on: no sign change, a flat derivative, a singular Jacobian, a shape. */
export class RootError extends RangeError {
  constructor(
    message: string,
    readonly kind: 'no sign change' | 'flat' | 'singular' | 'shape' | 'not finite',
  ) {
    super(message);
    this.name = 'RootError';
  }
}

/** An equation: its parse tree and its text (the expression's own, or the piece of `[f, g]`). */
export interface Equation {
  root: Node;
  source: string;
}

/**
 * `"[f, g]"` as its equations, each parsed in place (an error's position is in the whole text);
 * any other text is one equation.
 */
export function equationsOf(text: string): Equation[] {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('[') && trimmed.endsWith(']'))) return [{ root: parse(text), source: text }];
  const open = text.indexOf('[');
  const close = text.lastIndexOf(']');
  const pieces: [number, number][] = [];
  let depth = 0;
  let from = open + 1;
  for (let i = open + 1; i < close; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      pieces.push([from, i]);
      from = i + 1;
    }
  }
  pieces.push([from, close]);
  return pieces.map(([a, b]) => {
    // Blank the rest of the text so that positions in errors stay those of the whole.
    const blanked = ' '.repeat(a) + text.slice(a, b) + ' '.repeat(text.length - b);
    return { root: parse(blanked), source: text.slice(a, b).trim() };
  });
}

interface RootPoint {
  x: Float64Array;
  residual: Float64Array;
}

type RootRun = Generator<RootPoint, Stop, void>;

/** Bisection's brackets, at the start and now. */
interface Ends {
  start: [number, number];
  bracket: [number, number];
}

interface System {
  names: string[];
  equations: Objective[];
  tol: number;
}

function residualAt(sys: System, x: ArrayLike<number>, jacobian?: number[][]): RootPoint {
  const g = new Float64Array(x.length);
  const residual = Float64Array.from(sys.equations, (f, i) => {
    const v = f.evaluate(x, g);
    if (jacobian !== undefined) jacobian[i] = Array.from(g);
    return v;
  });
  return { x: Float64Array.from(x), residual };
}

function at(sys: System, x: ArrayLike<number>): string {
  return sys.names.map((n, i) => `${n} = ${x[i]}`).join(', ');
}

/** Newton: x <- x - J^-1 F(x), J's rows the equations' gradients (one equation: x - f/f'). */
function* newton(sys: System, x0: Float64Array): RootRun {
  const x = Float64Array.from(x0);
  for (let k = 0; ; k++) {
    const jacobian: number[][] = [];
    const p = residualAt(sys, x, jacobian);
    yield p;
    if (p.residual.every((r) => r === 0)) return { reason: 'converged', detail: 'the residual is 0' };
    const d = solveLinear(jacobian, p.residual);
    if (d === undefined || d.some((v) => !Number.isFinite(v))) {
      if (sys.names.length === 1) {
        throw new RootError(
          `the derivative is ${jacobian[0][0]} at ${at(sys, x)} (iteration ${k}): Newton's step is undefined there`,
          'flat',
        );
      }
      throw new RootError(
        `the Jacobian is singular at ${at(sys, x)} (iteration ${k}): Newton's step is undefined there`,
        'singular',
      );
    }
    for (let i = 0; i < x.length; i++) x[i] -= d[i];
    const size = norm(d);
    if (size <= sys.tol * (1 + norm(x))) {
      yield residualAt(sys, x);
      return {
        reason: 'converged',
        detail: `the last step, ${short(size)}, is at most tol ${sys.tol} times 1 + |x|`,
      };
    }
  }
}

/** The secant method: x2 = x1 - f1 (x1 - x0) / (f1 - f0). */
function* secant(sys: System, x0: number, x1: number): RootRun {
  let a = residualAt(sys, [x0]);
  yield a;
  let b = residualAt(sys, [x1]);
  yield b;
  for (let k = 1; ; k++) {
    if (b.residual[0] === 0) return { reason: 'converged', detail: 'the residual is 0' };
    const [fa, fb] = [a.residual[0], b.residual[0]];
    if (fa === fb) {
      throw new RootError(
        `the secant through ${sys.names[0]} = ${a.x[0]} and ${b.x[0]} is flat (f is ${fb} at both, iteration ${k}): its step is undefined`,
        'flat',
      );
    }
    const step = (fb * (b.x[0] - a.x[0])) / (fb - fa);
    const next = b.x[0] - step;
    a = b;
    b = residualAt(sys, [next]);
    yield b;
    if (Math.abs(step) <= sys.tol * (1 + Math.abs(next))) {
      return {
        reason: 'converged',
        detail: `the last step, ${short(Math.abs(step))}, is at most tol ${sys.tol} times 1 + |x|`,
      };
    }
  }
}

/** Bisection: the midpoint each step, keeping the half whose ends have opposite signs. */
function* bisect(sys: System, bracket: [number, number], ends: Ends): RootRun {
  let [a, b] = bracket[0] <= bracket[1] ? bracket : [bracket[1], bracket[0]];
  const fa = residualAt(sys, [a]).residual[0];
  const fb = residualAt(sys, [b]).residual[0];
  const name = sys.names[0];
  if (!Number.isFinite(fa) || !Number.isFinite(fb)) {
    throw new RootError(`f is not finite at an end of the bracket: f(${a}) = ${fa}, f(${b}) = ${fb}`, 'not finite');
  }
  if (fa !== 0 && fb !== 0 && Math.sign(fa) === Math.sign(fb)) {
    throw new RootError(
      `no sign change in the bracket: f(${a}) = ${fa} and f(${b}) = ${fb} have the same sign, so bisection cannot start`,
      'no sign change',
    );
  }
  ends.start = [a, b];
  ends.bracket = [a, b];
  if (fa === 0 || fb === 0) {
    const end = fa === 0 ? a : b;
    yield residualAt(sys, [end]);
    return { reason: 'converged', detail: `f is 0 at the bracket's end ${name} = ${end}` };
  }
  const signA = Math.sign(fa);
  for (;;) {
    // The midpoint is within half the bracket of a root.
    const half = (b - a) / 2;
    const m = a + half;
    const p = residualAt(sys, [m]);
    yield p;
    const fm = p.residual[0];
    if (fm === 0) return { reason: 'converged', detail: 'the residual is 0' };
    if (Number.isNaN(fm)) throw new RootError(`f is NaN at ${name} = ${m}, inside the bracket`, 'not finite');
    if (half <= sys.tol * (1 + Math.abs(m))) {
      return {
        reason: 'converged',
        detail: `half the bracket, ${short(half)}, is at most tol ${sys.tol} times 1 + |x|`,
      };
    }
    if (m === a || m === b) {
      return { reason: 'converged', detail: 'the bracket is two neighbouring doubles: no midpoint between them' };
    }
    if (Math.sign(fm) === signA) a = m;
    else b = m;
    ends.bracket = [a, b];
  }
}

const DIVERGED = 1e12;

/** A root search in progress (as Minimization): `step()` computes the next iterate, false once stopped; it throws RootError where the method cannot go on (a flat derivative, no sign change). */
export class RootSearch extends Search<RootPoint, RootIterate, RootResult> {
  readonly method: RootMethod;
  readonly names: string[];
  readonly iters: number;
  readonly tol: number;
  private readonly sys: System;
  protected readonly run: RootRun;
  private readonly ends: Ends = { start: [NaN, NaN], bracket: [NaN, NaN] };
  private readonly x0: Float64Array;

  /**
   * `equations`: one expression, `"[f, g]"`, or a list. Newton needs a start for every variable;
   * the secant method a start or a bracket (its two first points), bisection a bracket.
   */
  constructor(equations: string | Node | readonly (string | Node)[], start: Values = {}, options: RootOptions = {}) {
    super(thinning(options));
    const list: Equation[] = (Array.isArray(equations) ? equations : [equations]).flatMap((e: string | Node) =>
      typeof e === 'string' ? equationsOf(e) : [{ root: e, source: '' }],
    );
    this.method = options.method ?? 'newton';
    if (!ROOT_METHODS.includes(this.method)) {
      throw new RangeError(`unknown method '${this.method}': one of ${ROOT_METHODS.join(', ')}`);
    }
    const info = ROOT_METHOD_INFO[this.method];
    this.iters = options.iters ?? info.iters;
    this.tol = options.tol ?? 1e-10;
    if (!(Number.isInteger(this.iters) && this.iters > 0)) {
      throw new RangeError(`iters must be a positive integer, got ${this.iters}`);
    }
    if (!(this.tol >= 0)) throw new RangeError(`tol must be 0 or more, got ${this.tol}`);
    const names = [...new Set(list.flatMap((e) => variableNames(e.root)))];
    this.names = names;
    if (names.length === 0) throw new RootError('the expression has no variable to solve for', 'shape');
    if (names.length !== list.length) {
      const eq = `${list.length} equation${list.length === 1 ? '' : 's'}`;
      throw new RootError(
        `${eq} in ${names.length} variables (${names.join(', ')}): a root needs as many equations as variables`,
        'shape',
      );
    }
    if (this.method !== 'newton' && names.length > 1) {
      throw new RootError(`${info.title} solves one equation in one variable; for several use newton`, 'shape');
    }
    this.sys = { names, equations: list.map((e) => objectiveOf(e.root, names, e.source)), tol: this.tol };
    const bracket = options.bracket;
    if (
      bracket !== undefined &&
      !(bracket.length === 2 && bracket.every(Number.isFinite) && bracket[0] !== bracket[1])
    ) {
      throw new RangeError(`a bracket is two different finite numbers, got ${bracket.join(', ')}`);
    }
    const given = new Map<string, number>();
    for (const [n, v] of startMap(start)) {
      // The start is typed as numbers; a vector or matrix from JavaScript is refused by name.
      if (typeof v !== 'number') throw new ShapeError('root', [v.shape], `of ${n}: root takes numbers for now`);
      given.set(n, v);
    }
    const needsStart = this.method === 'newton' || (this.method === 'secant' && bracket === undefined);
    if (this.method === 'bisect' && bracket === undefined) {
      throw new RootError('bisection needs a bracket [a, b] with a sign change', 'shape');
    }
    if (needsStart) {
      // build reports the first variable without a start at its place in the text.
      list.forEach((e) => build(e.root, given, e.source));
    }
    this.x0 = Float64Array.from(names, (n) => given.get(n) ?? (bracket === undefined ? NaN : bracket[0]));
    const x0 = this.x0[0];
    const runs: Record<RootMethod, () => RootRun> = {
      newton: () => newton(this.sys, this.x0),
      secant: () =>
        bracket !== undefined
          ? secant(this.sys, bracket[0], bracket[1])
          : secant(this.sys, x0, x0 * (1 + 1e-4) + (x0 >= 0 ? 1e-4 : -1e-4)),
      bisect: () => bisect(this.sys, [bracket![0], bracket![1]], this.ends),
    };
    this.run = runs[this.method]();
  }

  protected iterate(p: RootPoint, k: number): RootIterate {
    return { k, x: Array.from(p.x), residual: Array.from(p.residual), norm: norm(p.residual) };
  }

  result(): RootResult {
    if (this.last === undefined) this.step();
    const p = this.last!;
    const it = this.current!;
    const point: Record<string, number> = Object.create(null);
    this.names.forEach((n, i) => (point[n] = p.x[i]));
    const stop = this.stop ?? { reason: 'interrupted', detail: 'still running' };
    return {
      expressions: this.sys.equations.map((e) => e.source),
      method: this.method,
      names: [...this.names],
      iters: this.iters,
      tol: this.tol,
      trajectory: this.trajectory,
      point,
      residual: it.residual,
      norm: it.norm,
      iterations: it.k,
      evaluations: this.sys.equations[0].evaluations, // each equation is evaluated at every point
      reason: stop.reason,
      detail: stop.detail,
      ...(this.method === 'bisect' ? { startBracket: this.ends.start, bracket: this.ends.bracket } : {}),
    };
  }

  protected check(it: RootIterate): Stop | undefined {
    if (it.residual.some((r) => !Number.isFinite(r)) || it.x.some((v) => !Number.isFinite(v))) {
      return { reason: 'non-finite', detail: `the residual is ${it.residual.join(', ')} at iteration ${it.k}` };
    }
    if (norm(it.x) > DIVERGED * (1 + norm(this.x0.map((v) => (Number.isFinite(v) ? v : 0))))) {
      return { reason: 'diverging', detail: `the iterates ran away to ${at(this.sys, it.x)} (iteration ${it.k})` };
    }
    if (it.k >= this.iters) return { reason: 'iteration limit', detail: `the limit of ${this.iters} iterations` };
    return undefined;
  }
}

/**
 * A root of `equations` (one expression, `"[f, g]"` or a list, as many as variables).
 *
 *     root('x^2 - 2', { x: 1 }).point.x                      // 1.4142135623730951 (Newton)
 *     root('cos(x) - x', {}, { method: 'bisect', bracket: [0, 1] })
 *     root(['x^2 + y^2 - 4', 'x - y'], { x: 1, y: 1 })       // x = y = sqrt(2)
 *
 * Throws ExprError for a bad expression, MissingValueError for a variable without a start,
 * RootError when the search cannot start or go on (no sign change, a flat derivative, a singular
 * Jacobian, a different number of equations and variables), RangeError for a bad option.
 */
export function root(
  equations: string | Node | readonly (string | Node)[],
  start: Values = {},
  options: RootOptions = {},
): RootResult {
  return new RootSearch(equations, start, options).finish();
}
