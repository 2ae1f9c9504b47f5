/**
 * Higher-order derivatives by double backprop (book steps 32-36). Every backward rule is written
 * with the differentiable ops, so backward run with `createGraph` leaves a gradient that is itself
 * a Variable with a creator: run backward on it and you get the next derivative. Gradients are
 * cleared before and after each pass, or the second pass would add onto the first (step 33).
 *
 * Every walk here uses an explicit stack: a 200,000-deep chain never touches the stack limit.
 */
import { filledLike, scalarOf } from './tensor.js';
import { type DFunction, Variable, type BackwardStep } from './variable.js';

/** Every Variable and Function reachable from `roots` through creators, each once, in creation order. */
export function graphOf(roots: readonly Variable[]): { variables: Variable[]; functions: DFunction[] } {
  const variables = new Set<Variable>();
  const functions = new Set<DFunction>();
  const todo: Variable[] = [...roots];
  while (todo.length > 0) {
    const v = todo.pop()!;
    if (variables.has(v)) continue;
    variables.add(v);
    const f = v.creator;
    if (f === null || functions.has(f)) continue;
    functions.add(f);
    for (const x of f.inputs) todo.push(x);
  }
  return {
    variables: [...variables].sort((a, b) => a.id - b.id),
    functions: [...functions].sort((a, b) => a.outputs[0].id - b.outputs[0].id),
  };
}

/** Sets the gradient of every Variable reachable from `roots` back to null. */
export function clearGrads(roots: readonly Variable[]): void {
  for (const v of graphOf(roots).variables) v.cleargrad();
}

export interface PassOptions {
  /** Build a graph while running backward, so the results can be differentiated again. */
  createGraph?: boolean;
  /** Called for every gradient that flows, as in `Variable.backward`. */
  onStep?: (step: BackwardStep) => void;
}

const constant = (n: number): Variable => new Variable(n, null, false);
/** Zeros of x's shape: the gradient of an x that y does not depend on. */
const zerosLike = (x: Variable): Variable => new Variable(filledLike(x.data, 0), null, false);

/**
 * dy/dx for each x in `xs`, as Variables: one backward pass from y with every gradient in y's
 * graph cleared first and after (so nothing piles up and y's graph is left as it was found). An x
 * that y does not depend on gets the constant 0; y itself gets the constant 1.
 */
export function gradients(y: Variable, xs: readonly Variable[], options: PassOptions = {}): Variable[] {
  if (y.creator === null || !y.requiresGrad)
    return xs.map((x) => (x === y && x.ndim === 0 ? constant(1) : zerosLike(x)));
  clearGrads([y]);
  // retainGrad: an x may be an intermediate; everything is cleared below anyway.
  y.backward({ retainGrad: true, createGraph: options.createGraph ?? false, onStep: options.onStep });
  const gs = xs.map((x) => x.grad ?? zerosLike(x));
  clearGrads([y]);
  return gs;
}

export interface DerivativesOptions {
  /** Build a graph on the last pass too (to draw or inspect the gradient graph of the Nth derivative). */
  keepGraph?: boolean;
  /** Called for each gradient that flows in pass `k` (1-based: pass k computes the k-th derivative). */
  onStep?: (k: number, step: BackwardStep) => void;
  /** Called after pass `k` with the k-th derivative, before pass k+1 starts. */
  onPass?: (k: number, derivative: Variable) => void;
}

/**
 * [dy/dx, d2y/dx2, ..., dny/dxn] by repeated backward with `createGraph` (book steps 33-35): each
 * derivative is a Variable whose graph the next pass differentiates.
 */
export function derivatives(y: Variable, x: Variable, n: number, options: DerivativesOptions = {}): Variable[] {
  const out: Variable[] = [];
  let f = y;
  for (let k = 1; k <= n; k++) {
    const onStep = options.onStep;
    const [g] = gradients(f, [x], {
      createGraph: k < n || options.keepGraph === true,
      onStep: onStep && ((step) => onStep(k, step)),
    });
    out.push(g);
    options.onPass?.(k, g);
    f = g;
  }
  return out;
}

/**
 * The Hessian: H[i][j] = d2y/(dxi dxj), by one backward pass with `createGraph` for the gradient
 * and one backward pass on each of its components.
 */
export function hessian(y: Variable, xs: readonly Variable[]): number[][] {
  const g = gradients(y, xs, { createGraph: true });
  return g.map((gi) => gradients(gi, xs).map((h) => scalarOf(h.data, 'hessian')));
}
