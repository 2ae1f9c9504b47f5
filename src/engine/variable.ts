import { Config, usingBackprop } from './config.js';
import { filledLike, shapeOf, type Value } from './tensor.js';

/** One backward step as the engine saw it: `gx` flowed from `fn`'s output into `fn.inputs[index]`. */
export interface BackwardStep {
  fn: DFunction;
  index: number;
  /** The gradient that arrived from the function's output. */
  gy: Variable;
  input: Variable;
  /** The gradient this step contributed. */
  gx: Variable;
  /** The input's gradient after the contribution was added (equal to gx on the first one). */
  grad: Variable;
  /** True when the input already had a gradient and this step added to it (book step 14). */
  accumulated: boolean;
}

export interface BackwardOptions {
  /** Keep the gradients of intermediate variables (DeZero's `retain_grad`). Default false. */
  retainGrad?: boolean;
  /** Build a graph while running backward, for higher-order derivatives (DeZero's `create_graph`). */
  createGraph?: boolean;
  /** Called once for every gradient that flows into a variable, in the order backward runs. */
  onStep?: (step: BackwardStep) => void;
}

let nextId = 0;

/**
 * A box holding a value, the gradient that flows back into it, and the function that created it
 * (book steps 1, 7). The value is a number or a Tensor (stage 4); its gradient has its shape.
 * `requiresGrad` is false for constants and for values computed from constants only: backward
 * neither computes nor stores their gradients.
 */
export class Variable {
  data: Value;
  name: string | null;
  grad: Variable | null = null;
  creator: DFunction | null = null;
  generation = 0;
  requiresGrad: boolean;
  /** Creation order: breaks ties between functions of equal generation, so traces are stable. */
  readonly id: number = nextId++;

  constructor(data: Value, name: string | null = null, requiresGrad = true) {
    // A Tensor of shape [] is kept as its number: the scalar paths see numbers only.
    this.data = typeof data === 'number' || data.shape.length > 0 ? data : data.data[0];
    this.name = name;
    this.requiresGrad = requiresGrad;
  }

  /** The value's shape: [] for a number (DeZero's `Variable.shape`). */
  get shape(): readonly number[] {
    return shapeOf(this.data);
  }
  get ndim(): number {
    return typeof this.data === 'number' ? 0 : this.data.shape.length;
  }
  get size(): number {
    return typeof this.data === 'number' ? 1 : this.data.data.length;
  }

  setCreator(func: DFunction): void {
    this.creator = func;
    this.generation = func.generation + 1;
  }

  cleargrad(): void {
    this.grad = null;
  }

  /**
   * Reverse-mode differentiation from this variable (book steps 7-18). One loop, no recursion:
   * a 200,000-deep chain never touches the stack limit.
   */
  backward(options: BackwardOptions = {}): void {
    const { retainGrad = false, createGraph = false, onStep } = options;
    // The seed: dy/dy = 1, ones of y's shape (DeZero's `np.ones_like`).
    if (this.grad === null) this.grad = new Variable(filledLike(this.data, 1), null, false);

    // Phase 1: functions waiting for backward, highest generation first, each added once.
    const funcs = new GenerationQueue();
    const seen = new Set<DFunction>();
    const addFunc = (f: DFunction): void => {
      if (!seen.has(f)) {
        seen.add(f);
        funcs.push(f);
      }
    };
    if (this.creator !== null) addFunc(this.creator);

    // Phase 2: pop a function, ask it for its inputs' gradients, accumulate them with add.
    while (funcs.size > 0) {
      const f = funcs.pop();
      const gy = f.outputs[0].grad;
      if (gy === null) continue;
      usingBackprop(createGraph, () => {
        const gxs = f.backward(gy);
        for (let i = 0; i < f.inputs.length; i++) {
          const x = f.inputs[i];
          const gx = gxs[i];
          if (!x.requiresGrad || gx === null) continue;
          const accumulated = x.grad !== null;
          x.grad = x.grad === null ? gx : add(x.grad, gx);
          if (onStep) onStep({ fn: f, index: i, gy, input: x, gx, grad: x.grad, accumulated });
          if (x.creator !== null) addFunc(x.creator);
        }
      });
      // Phase 3: an intermediate's gradient is no longer needed once its creator has run.
      if (!retainGrad) for (const y of f.outputs) y.grad = null;
    }
  }
}

/**
 * The base of every operation (DeZero's `Function`, renamed so it does not shadow TypeScript's
 * global `Function`). Subclasses give `forward` on plain numbers and `backward` on Variables.
 */
export abstract class DFunction {
  inputs: Variable[] = [];
  outputs: Variable[] = [];
  generation = 0;
  /** The class name the trace prints, e.g. `Square` in `Square.backward(y.grad)`. */
  abstract readonly label: string;

  call(...args: (Variable | Value)[]): Variable {
    const inputs = args.map(asVariable);
    const ys = this.forward(...inputs.map((x) => x.data));
    const output = new Variable(ys, null, false);
    // Only functions that a gradient could flow through join the graph (book step 18); while an
    // op's backward is traced, all of them do.
    if (Config.enableBackprop && (Config.tracing || inputs.some((x) => x.requiresGrad))) {
      output.requiresGrad = true;
      let generation = 0;
      for (const x of inputs) if (x.generation > generation) generation = x.generation;
      this.generation = generation;
      this.inputs = inputs;
      output.setCreator(this);
      // JavaScript's collector frees cycles, so outputs need no weak references (book step 17).
      this.outputs = [output];
    }
    return output;
  }

  abstract forward(...xs: Value[]): Value;
  /** Gradients for each input, built with differentiable ops; null where none is needed. */
  abstract backward(gy: Variable): (Variable | null)[];
}

/** DeZero's `as_variable`: a plain number or a Tensor becomes a constant Variable. */
export function asVariable(x: Variable | Value): Variable {
  return x instanceof Variable ? x : new Variable(x, null, false);
}

/** Binary max-heap of functions by generation, then by creation order (newest first). */
class GenerationQueue {
  private heap: DFunction[] = [];
  get size(): number {
    return this.heap.length;
  }
  private static before(a: DFunction, b: DFunction): boolean {
    if (a.generation !== b.generation) return a.generation > b.generation;
    return a.outputs[0].id > b.outputs[0].id;
  }
  push(f: DFunction): void {
    const h = this.heap;
    h.push(f);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!GenerationQueue.before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }
  pop(): DFunction {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && GenerationQueue.before(h[l], h[m])) m = l;
        if (r < h.length && GenerationQueue.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The differentiable `add` that accumulates gradients (book step 14). ops.ts defines it and
 * registers it here, so that this module does not import ops.ts (which extends DFunction) and
 * either can be loaded first.
 */
let add: (a: Variable, b: Variable) => Variable = () => {
  throw new Error('internal: ops.ts was not loaded before backward');
};
export function registerGradientAdd(fn: (a: Variable, b: Variable) => Variable): void {
  add = fn;
}
