/**
 * Many points at once: broadcasting the variables' values and running the compiled kernel.
 * Equal lengths pair up; a number (or an array of one) repeats for every point.
 */
import type { Node } from '../expr/ast.js';
import { ScalarOnlyError, Tensor } from '../engine/tensor.js';
import { build, variableNames } from '../expr/build.js';
import {
  compileKernel,
  engineKernel,
  fusesWell,
  fusible,
  kernelSource,
  plan,
  type Input,
  type Kernel,
  type Plan,
} from './compile.js';
import { simdCode, simdFits, simdKernel, type SimdCode } from './simd.js';
import { NUM } from '../engine/primitives.js';
import { type Arena, arena, inputsAt, outputsAt } from './arena.js';

/** Gives back the arena areas of compiled expressions no longer reachable (no array of a user's is in them). */
const areasFreed = new FinalizationRegistry<number[]>((ats) => {
  for (const at of ats) arena()?.give(at);
});

export interface BatchResult {
  /** The number of points. */
  length: number;
  value: Float64Array;
  /** d(output)/d(name) at every point, for every variable the expression uses. */
  gradient: Record<string, Float64Array>;
}

/** Thrown when arrays of different lengths are given; `lengths` names each array's length. */
export class LengthMismatchError extends RangeError {
  constructor(readonly lengths: ReadonlyMap<string, number>) {
    super(
      `the variables' values have different lengths: ${[...lengths].map(([n, l]) => `${n} has ${l}`).join(', ')}` +
        ' (equal lengths pair up; a single value repeats)',
    );
    this.name = 'LengthMismatchError';
  }
}

/** One value: a number, many points (an array), or a vector or matrix seen whole (a Tensor). */
export type ValueIn = ArrayLike<number> | number | Tensor;
/** Values by name: a plain object or a Map. */
export type ValuesIn = Readonly<Record<string, ValueIn>> | ReadonlyMap<string, ValueIn>;

/**
 * Values from a plain object or a Map, checked at the library's boundary: each a number, a typed
 * array or an array of numbers. Anything else is a TypeError naming the variable and what it got
 * (a string '12' would otherwise be read as two points, `{}` as none).
 */
export function valuesMap(values: unknown): Map<string, ValueIn> {
  if (values === null || typeof values !== 'object') {
    throw new TypeError(`the values must be an object or a Map of name to value, got ${describe(values)}`);
  }
  const entries: [unknown, unknown][] =
    values instanceof Map ? [...values] : Object.keys(values).map((k) => [k, (values as Record<string, unknown>)[k]]);
  const map = new Map<string, ValueIn>();
  for (const [name, v] of entries) {
    if (typeof name !== 'string') throw new TypeError(`a variable's name must be a string, got ${describe(name)}`);
    if (typeof v === 'number' || v instanceof Tensor) map.set(name, v);
    else if (
      ArrayBuffer.isView(v) &&
      !(v instanceof DataView) &&
      typeof (v as unknown as ArrayLike<unknown>)[0] !== 'bigint'
    ) {
      map.set(name, v as unknown as ArrayLike<number>);
    } else if (Array.isArray(v)) {
      const bad = v.findIndex((x) => typeof x !== 'number');
      if (bad >= 0) throw new TypeError(`${name}[${bad}] must be a number, got ${describe(v[bad])}`);
      map.set(name, v);
    } else {
      throw new TypeError(`the value of ${name} must be a number or an array of numbers, got ${describe(v)}`);
    }
  }
  return map;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v)}`;
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? `an object (${Object.prototype.toString.call(v).slice(8, -1)})` : `a ${typeof v}`;
}

/** The common length of the arrays among `inputs` (1 when all are single values). */
export function broadcastLength(inputs: ReadonlyMap<string, ArrayLike<number> | number>): number {
  const lengths = new Map<string, number>();
  for (const [name, x] of inputs) if (typeof x !== 'number' && x.length !== 1) lengths.set(name, x.length);
  const distinct = new Set(lengths.values());
  if (distinct.size > 1) throw new LengthMismatchError(lengths);
  return distinct.size === 1 ? [...distinct][0] : 1;
}

export interface CompileOptions {
  /**
   * Run on the WebAssembly SIMD kernel (src/batch/simd.ts), two points a step, where the plan has
   * one: exp, sin, cos and tanh are then polynomials within SIMD_ULP_BOUND of the correctly rounded
   * value instead of `Math`'s (the default keeps the engine's bits exactly). Expressions with a
   * conditional (`c ? a : b`), or too large for one loop, keep the JavaScript kernel.
   */
  simd?: boolean;
}

/**
 * An expression compiled once, to be run on many arrays (kernels cached per array/number pattern).
 * Expressions with an op that has no kernel templates (`diff`) run on the engine point by point.
 */
export class CompiledExpression {
  /** The fused plan; undefined when the expression runs on the engine point by point. */
  readonly plan: Plan | undefined;
  readonly names: readonly string[];
  /** The output's name (y, or the next free letter). */
  readonly outputName: string;
  private readonly kernels = new Map<string, Kernel>();
  private readonly fallback: Kernel | undefined;
  /** True when the kernels are the SIMD ones (asked for, and the plan has one). */
  readonly simd: boolean;

  constructor(root: Node, source = '', options: CompileOptions = {}) {
    if (fusible(root)) {
      this.plan = plan(root, source);
      this.names = this.plan.names;
      this.outputName = this.plan.outputName;
    } else {
      this.names = variableNames(root);
      this.outputName = build(root, new Map(this.names.map((n) => [n, 1])), source).outputName;
      this.fallback = engineKernel(root, this.names, source);
    }
    // The SIMD kernel when asked for and the plan has one of a size worth compiling (the module
    // for all-array inputs is the largest: kept for that pattern).
    const code =
      options.simd === true && this.plan !== undefined && simdFits(this.plan)
        ? simdCode(
            this.plan,
            this.names.map(() => true),
          )
        : undefined;
    this.simd = code !== undefined;
    if (code !== undefined) this.simdCodes.set(this.names.map(() => 'a').join(''), code);
  }

  /** The SIMD modules made so far, by array/number pattern. */
  private readonly simdCodes = new Map<string, SimdCode>();

  private simdCodeFor(arrays: readonly boolean[]): SimdCode | undefined {
    const key = arrays.map((a) => (a ? 'a' : 'n')).join('');
    let code = this.simdCodes.get(key);
    if (code === undefined && this.simd) {
      code = simdCode(this.plan!, arrays);
      if (code !== undefined) this.simdCodes.set(key, code);
    }
    return code;
  }

  kernel(inputs: readonly Input[]): Kernel {
    if (this.plan === undefined) return this.fallback!;
    const arrays = inputs.map((x) => typeof x !== 'number');
    const key = arrays.map((a) => (a ? 'a' : 'n')).join('');
    let k = this.kernels.get(key);
    if (k === undefined) {
      const code = this.simdCodeFor(arrays);
      k = code !== undefined ? simdKernel(code, NUM) : compileKernel(this.plan, arrays);
      this.kernels.set(key, k);
    }
    return k;
  }

  /**
   * The generated kernel's source and constants for this pattern of array and number inputs, for
   * running the same loop on other threads; undefined when there is no generated loop (the engine
   * point by point, or a graph so large that it runs on the tape interpreter).
   */
  kernelSource(inputs: readonly Input[]): { source: string; constants: number[]; simd?: SimdCode } | undefined {
    if (this.plan === undefined || !fusesWell(this.plan)) return undefined;
    const arrays = inputs.map((x) => typeof x !== 'number');
    const key = arrays.map((a) => (a ? 'a' : 'n')).join('');
    let made = this.sources.get(key);
    if (made === undefined) {
      const code = kernelSource(this.plan, arrays);
      const simd = this.simdCodeFor(arrays);
      made = simd === undefined ? code : { ...code, simd };
      this.sources.set(key, made);
    }
    return made;
  }

  /** kernelSource's answers by array/number pattern (writing the text took 35-600 us, every pool run). */
  private readonly sources = new Map<string, { source: string; constants: number[]; simd?: SimdCode }>();

  /**
   * The inputs of a run, one per name (arrays as Float64Array, single values as numbers), the
   * number of points, and whether some value is an array from `allocate` (arena.ts). Throws a
   * RangeError for a missing variable, LengthMismatchError for arrays of different lengths.
   */
  bind(values: ValuesIn): { length: number; inputs: Input[]; allocated: boolean } {
    const map = valuesMap(values);
    const used = new Map<string, ArrayLike<number> | number>();
    for (const name of this.names) {
      const x = map.get(name);
      if (x === undefined) throw new RangeError(`no value for ${name}`);
      if (x instanceof Tensor) throw new ScalarOnlyError('many points', x.shape);
      used.set(name, x);
    }
    const length = broadcastLength(used);
    const a = arena();
    const allocated =
      a !== undefined && [...used.values()].some((x) => x instanceof Float64Array && a.addressOf(x) >= 0);
    return { length, inputs: this.names.map((name) => toInput(used.get(name)!)), allocated };
  }

  /** True when `into` holds arrays of `length` points for the value and every partial. */
  fits(into: BatchResult | undefined, length: number): into is BatchResult {
    return (
      into !== undefined &&
      into.length === length &&
      into.value.length === length &&
      this.names.every((n) => into.gradient[n]?.length === length)
    );
  }

  /** A BatchResult over the given arrays (grads[j] is the partial for names[j]). */
  result(length: number, value: Float64Array, grads: readonly Float64Array[]): BatchResult {
    const gradient: Record<string, Float64Array> = Object.create(null);
    this.names.forEach((name, j) => (gradient[name] = grads[j]));
    return { length, value, gradient };
  }

  /**
   * Value and gradient at every point. `values` must give every variable the expression uses
   * (missing: a RangeError naming it); arrays of one value repeat like numbers. Pass an earlier
   * result of the same length as `into` to write into its arrays instead of allocating new ones
   * (in a loop over many batches this saves the allocation and its page faults).
   */
  run(values: ValuesIn, into?: BatchResult): BatchResult {
    const { length, inputs, allocated } = this.bind(values);
    const kernel = this.kernel(inputs);
    if (allocated) return this.runInArena(arena()!, kernel, length, inputs, into);
    let out: BatchResult;
    if (this.fits(into, length)) out = into;
    else {
      const own = kernel.outputs?.(length);
      out =
        own !== undefined
          ? this.result(length, own.value, own.grads)
          : this.result(
              length,
              new Float64Array(length),
              this.names.map(() => new Float64Array(length)),
            );
    }
    kernel(
      0,
      length,
      inputs,
      out.value,
      this.names.map((n) => out.gradient[n]),
    );
    return out;
  }

  /**
   * A run whose values include arrays from `allocate` (arena.ts): its outputs are `into`, or new
   * arrays allocated in the arena (which `release` gives back). A SIMD kernel reads those inputs
   * in place and writes the outputs in place when they lie in the arena one stride apart, working
   * in an area of the arena of its own (kept while this expression lives).
   */
  private runInArena(
    a: Arena,
    kernel: Kernel,
    length: number,
    inputs: readonly Input[],
    into?: BatchResult,
  ): BatchResult {
    let out: BatchResult;
    if (this.fits(into, length)) out = into;
    else {
      const made = a.arrays(this.names.length + 1, length);
      out =
        made !== undefined
          ? this.result(length, made.arrays[0], made.arrays.slice(1))
          : this.result(
              length,
              new Float64Array(length),
              this.names.map(() => new Float64Array(length)),
            );
    }
    const grads = this.names.map((n) => out.gradient[n]);
    const place = outputsAt(a, out.value, grads);
    const base = kernel.on === undefined ? -1 : this.areaIn(a, inputs);
    if (base < 0) {
      kernel(0, length, inputs, out.value, grads);
      return out;
    }
    kernel.on!({
      memory: a.memory,
      base,
      outAt: place?.outAt ?? -1,
      stride: place?.stride ?? 0,
      inAt: inputsAt(a, inputs, [out.value, ...grads]),
    })(0, length, inputs, out.value, grads);
    return out;
  }

  /** This expression's areas in the arena, by array/number pattern, and their starts (for areasFreed). */
  private readonly areas = new Map<string, number>();
  private readonly areaStarts: number[] = [];

  /** The area (bytes) of the kernel for these inputs in the arena; -1 when the arena is full. */
  private areaIn(a: Arena, inputs: readonly Input[]): number {
    const arrays = inputs.map((x) => typeof x !== 'number');
    const key = arrays.map((x) => (x ? 'a' : 'n')).join('');
    let at = this.areas.get(key);
    if (at === undefined) {
      at = a.take(this.simdCodeFor(arrays)!.area);
      if (at < 0) return -1;
      if (this.areaStarts.length === 0) areasFreed.register(this, this.areaStarts);
      this.areaStarts.push(at);
      this.areas.set(key, at);
    }
    return at;
  }
}

function toInput(x: ArrayLike<number> | number): Input {
  if (typeof x === 'number') return x;
  if (x.length === 1) return Number(x[0]);
  return x instanceof Float64Array ? x : Float64Array.from(x);
}
