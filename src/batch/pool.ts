/**
 * A pool of worker threads for compiled expressions: the points of a large batch are split into
 * blocks that this thread and the workers claim from a shared counter until none are left, all
 * over SharedArrayBuffers (a worker the machine is slow to schedule just claims fewer). Every thread runs the SAME generated kernel text (`kernelSource`, made only
 * of our templates), with V8's own `Math` functions, so the result is bit for bit the one-thread
 * result; with `simd: true` every thread instantiates the same SIMD module instead (simd.ts).
 *
 * A worker costs tens of milliseconds to start, so a pool pays only when it is created once and
 * reused for large batches; below `minPoints` points (and for expressions with no generated loop)
 * `run` stays on this thread. The workers never keep the process alive (they are unref'd while
 * idle); `close()` ends them.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Input, Kernel } from './compile.js';
import { simdKernel, type SimdCode } from './simd.js';
import type { BatchResult, CompiledExpression, ValuesIn } from './run.js';
import { arena, inputsAt, outputsAt } from './arena.js';

export interface PoolOptions {
  /** Threads in all, this one included (default 2, at most the machine's cores). */
  threads?: number;
  /** Batches with fewer points run on this thread alone (default MIN_POINTS). */
  minPoints?: number;
  /** Points a thread claims at a time (default BLOCK). */
  block?: number;
  /**
   * Milliseconds a worker may take to answer once this thread has finished its share (default
   * ANSWER_TIMEOUT); past it the worker is stopped and `run` rejects, saying so.
   */
  timeout?: number;
}

/** Most kernels a worker keeps compiled. */
const MAX_KERNELS = 64;

/** How long `run` waits for a worker after this thread's share is done: then it reports and stops it. */
export const ANSWER_TIMEOUT = 30_000;

/** Most threads a pool takes: twice the machine's cores (more only costs memory, ~9 MB a worker). */
export const maxThreads = (): number => 2 * availableParallelism();

/** Largest block: claims count in an Int32Array, and a block is a slice of one batch. */
const MAX_BLOCK = 2 ** 30;

/** Checks one option: a whole number (or Infinity where allowed) in [min, max]; a RangeError naming it otherwise. */
function checked(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' && value >= min && value <= max && (Number.isInteger(value) || value === Infinity);
  if (!ok) {
    throw new RangeError(
      `createPool: ${name} must be a whole number from ${min} to ${max === Infinity ? 'Infinity' : max}, got ${typeof value === 'number' ? value : JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * Below this many points a batch stays on one thread. Measured with a warm pool on 2 idle cores
 * (2 threads' time / 1 thread's): square(exp(square(x))), ~7.5 ns a point, 1.20 at 2^15 points,
 * 1.00 at 2^16, 0.60 at 2^18; tanh(x*y) + sin(x)/(1+y^2), ~28 ns a point, 1.27 at 2^13, 0.70 at
 * 2^15, 0.55 at 2^18. A round trip to a worker costs ~0.1 ms (messages and its wake-up), so a
 * batch must take a good fraction of a millisecond; on a busy machine the break-even is higher.
 */
export const MIN_POINTS = 1 << 17;

/** Points a thread claims at a time: tens of microseconds of work, so claiming costs nothing. */
export const BLOCK = 8192;

/**
 * Claims blocks of `block` points from `claimed[0]` and computes them until none are left;
 * returns how many points it computed. The same function runs in the workers (its text is part
 * of their program).
 */
function claimBlocks(
  kernel: Kernel,
  claimed: Int32Array,
  block: number,
  length: number,
  inputs: readonly Input[],
  value: Float64Array,
  grads: readonly Float64Array[],
): number {
  let points = 0;
  for (;;) {
    const start = Atomics.add(claimed, 0, 1) * block;
    if (start >= length) return points;
    const end = Math.min(length, start + block);
    kernel(start, end, inputs, value, grads);
    points += end - start;
  }
}

/** The worker's program: compile each kernel once, claim and compute blocks, answer. */
const WORKER = `"use strict";
// getBuiltinModule, not require or import: the worker runs as CommonJS or as a module depending
// on the parent's flags (--input-type).
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const { workerData } = process.getBuiltinModule('node:worker_threads');
const kernels = new Map();
const claimBlocks = ${claimBlocks.toString()};
const simdKernel = ${simdKernel.toString()};
// The primitives the kernels call as functions (F): the engine's own NUM, from its module.
const primitives = import(workerData.primitives).then((m) => m.NUM);
parentPort.on('message', (t) => {
  primitives.then((F) => {
    // The code comes with a kernel's first task only; the pool says when to forget the kernels.
    if (t.reset) kernels.clear();
    let kernel = kernels.get(t.kernel);
    if (kernel === undefined) {
      if (t.source === undefined) throw new Error('kernel ' + t.kernel + ' was never sent');
      kernel = t.simd ? simdKernel(t.simd, F) : new Function('K', 'F', t.source)(t.constants, F);
      kernels.set(t.kernel, kernel);
    }
    // SIMD outputs in a shared memory: this thread's instance on it, writing them in place.
    const k = t.shared === undefined ? kernel : kernel.on(t.shared);
    const points = claimBlocks(k, t.claimed, t.block, t.length, t.inputs, t.value, t.grads);
    parentPort.postMessage({ task: t.task, points });
  }).catch((e) => {
    parentPort.postMessage({ task: t.task, error: String((e && e.message) || e) });
  });
});`;

/** Where the workers import NUM from: the engine's module beside this one. */
const PRIMITIVES_URL = new URL('../engine/primitives.js', import.meta.url).href;

/**
 * What a worker is sent: the kernel (text and constants, compiled once per id and kept while the
 * worker has few) and the batch whose blocks it claims.
 */
interface Task {
  task: number;
  kernel: number;
  /** The kernel's code: sent with the first task of that kernel to a worker only (Thread.send). */
  source?: string;
  constants?: number[];
  /** The SIMD kernel's module, when the expression runs on it (compiled from this, not `source`). */
  simd?: SimdCode;
  /** Forget the kernels kept so far (the pool keeps at most MAX_KERNELS on a worker). */
  reset?: boolean;
  /**
   * SIMD outputs in a WebAssembly memory shared by the threads (the pool's, or the arena's): this
   * worker's part of it, and where the inputs read in place are (Kernel.on).
   */
  shared?: { memory: object; base: number; outAt: number; stride: number; inAt?: readonly number[] };
  claimed: Int32Array;
  block: number;
  length: number;
  inputs: Input[];
  value: Float64Array;
  grads: Float64Array[];
}

interface Pending {
  resolve: (points: number) => void;
  reject: (e: Error) => void;
}

/** One worker, its kernels, and the tasks it has not answered yet. */
class Thread {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  /** The kernels this worker has been sent (and keeps). */
  private readonly known = new Set<number>();
  dead: Error | undefined;

  constructor(script: string, onDeath: (t: Thread) => void) {
    this.worker = new Worker(script, { eval: true, workerData: { primitives: PRIMITIVES_URL } });
    this.worker.unref();
    this.worker.on('message', (m: { task: number; points?: number; error?: string }) => {
      const p = this.pending.get(m.task);
      if (p === undefined) return;
      this.pending.delete(m.task);
      this.idle();
      if (m.error === undefined) p.resolve(m.points ?? 0);
      else {
        // It may have failed making a kernel: send the code of every kernel again next time.
        this.known.clear();
        p.reject(new Error(`worker thread: ${m.error}`));
      }
    });
    const die = (e: Error): void => {
      if (this.dead !== undefined) return;
      this.dead = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      onDeath(this);
    };
    this.worker.on('error', (e) => die(new Error(`worker thread failed: ${e.message}`)));
    this.worker.on('exit', (code) => die(new Error(`worker thread stopped (exit code ${code})`)));
  }

  send(t: Task): Promise<number> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    // The kernel's code travels once (cloning ~10 KB of text and module every run cost the
    // worker a late start); past MAX_KERNELS the worker forgets them all and they travel again.
    if (this.known.has(t.kernel)) t = { ...t, source: undefined, constants: undefined, simd: undefined };
    else {
      if (this.known.size >= MAX_KERNELS) {
        this.known.clear();
        t = { ...t, reset: true };
      }
      this.known.add(t.kernel);
    }
    return new Promise((resolve, reject) => {
      this.pending.set(t.task, { resolve, reject });
      // Referenced while it works, so that the process waits for the answer.
      this.worker.ref();
      this.worker.postMessage(t);
    });
  }

  private idle(): void {
    if (this.pending.size === 0) this.worker.unref();
  }
}

/** A SharedArrayBuffer-backed Float64Array of `length` zeros (inputs in these are not copied). */
export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

const isShared = (x: Float64Array): boolean => x.buffer instanceof SharedArrayBuffer;

/** The part of the WebAssembly API used here (TypeScript's libraries without the DOM lack it). */
declare const WebAssembly: {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: SharedArrayBuffer };
};

/** SIMD outputs the pool made: their shared memory, the gradients beside the value, the layout. */
interface SimdOutputs {
  memory: object;
  grads: readonly Float64Array[];
  outAt: number;
  stride: number;
}

export class Pool {
  readonly threads: number;
  readonly minPoints: number;
  readonly block: number;
  readonly timeout: number;
  /** Points the workers have computed so far (the rest were computed on this thread). */
  workerPoints = 0;
  private workers: Thread[] = [];
  private closed = false;
  private nextTask = 0;
  /** Kernel ids per compiled expression and kernel text (its constants are the expression's). */
  private readonly ids = new WeakMap<CompiledExpression, Map<string, number>>();
  private nextId = 0;
  /** Outputs in a shared WebAssembly memory (SIMD kernels), by their value array. */
  private readonly simdOutputs = new WeakMap<Float64Array, SimdOutputs>();
  /** Shared copies of ordinary input arrays, kept between runs (released by `close`). */
  private spare: Float64Array[] = [];

  /** `script` is the workers' program (tests replace it to make a worker fail). */
  constructor(
    options: PoolOptions = {},
    private readonly script = WORKER,
  ) {
    this.threads = checked('threads', options.threads, Math.min(2, availableParallelism()), 1, maxThreads());
    this.minPoints = checked('minPoints', options.minPoints, MIN_POINTS, 0, Infinity);
    this.block = checked('block', options.block, BLOCK, 1, MAX_BLOCK);
    this.timeout = checked('timeout', options.timeout, ANSWER_TIMEOUT, 1, Infinity);
    for (let w = 1; w < this.threads; w++) this.spawn();
  }

  private spawn(): void {
    this.workers.push(new Thread(this.script, (t) => (this.workers = this.workers.filter((w) => w !== t))));
  }

  /**
   * As `compiled.run(values, into)`, split over the pool's threads when the batch is large enough.
   * Arrays not backed by a SharedArrayBuffer are copied into one for the workers (the pool keeps
   * these buffers for later runs until `close`; use `sharedFloat64` to avoid the copy). The
   * result's arrays are shared, so passing it back as `into` reuses them. Rejects with the
   * worker's error if one fails; never waits forever on a worker that died.
   */
  async run(compiled: CompiledExpression, values: ValuesIn, into?: BatchResult): Promise<BatchResult> {
    if (this.closed) throw new Error('the pool is closed');
    const { length, inputs, allocated } = compiled.bind(values);
    const code = compiled.kernelSource(inputs);
    if (code === undefined || length < this.minPoints || this.threads < 2) return compiled.run(values, into);
    while (this.workers.length < this.threads - 1) this.spawn(); // replace workers that died

    const reuse =
      compiled.fits(into, length) && isShared(into.value) && compiled.names.every((n) => isShared(into.gradient[n]));
    // The SIMD kernel's outputs live in a WebAssembly memory shared by the threads, after an area
    // for each thread, and are written in place (ordinary shared arrays are copied into blocks).
    let simd = reuse ? this.simdOutputs.get(into.value) : undefined;
    if (simd !== undefined && !compiled.names.every((n, j) => into?.gradient[n] === simd?.grads[j])) simd = undefined;
    // Values from `allocate` (arena.ts): the outputs are allocated there too, and a SIMD kernel
    // reads those inputs and writes the outputs in place, every thread in an area of its own there.
    const a = allocated ? arena() : undefined;
    if (a !== undefined && reuse && simd === undefined && code.simd !== undefined) {
      const grads = compiled.names.map((n) => into.gradient[n]);
      const place = outputsAt(a, into.value, grads);
      if (place !== undefined) simd = { memory: a.memory, grads, ...place };
    }
    let out: BatchResult;
    const made = reuse || a === undefined ? undefined : a.arrays(compiled.names.length + 1, length);
    if (reuse) out = into;
    else if (made !== undefined) {
      out = compiled.result(length, made.arrays[0], made.arrays.slice(1));
      if (code.simd !== undefined) {
        simd = {
          memory: a!.memory,
          grads: made.arrays.slice(1),
          outAt: made.arrays[0].byteOffset,
          stride: made.stride,
        };
      }
    } else {
      const made = code.simd === undefined ? undefined : this.simdMemory(code.simd, length);
      simd = made?.outputs;
      out =
        made !== undefined
          ? compiled.result(length, made.value, made.grads)
          : compiled.result(
              length,
              sharedFloat64(length),
              compiled.names.map(() => sharedFloat64(length)),
            );
    }
    const value = out.value;
    const grads = compiled.names.map((n) => out.gradient[n]);
    const area = code.simd?.area ?? 0;
    // In the arena, the threads' areas are taken for this run (runs may overlap) and given back after.
    const placed = a !== undefined && simd?.memory === a.memory;
    const areas = placed ? a.take(this.threads * area) : 0;
    if (areas < 0) simd = undefined; // the arena is full: each thread copies through its own memory
    const inAt = placed && areas >= 0 ? inputsAt(a, inputs, [value, ...grads]) : undefined;
    const on = (w: number) =>
      simd === undefined
        ? undefined
        : { memory: simd.memory, base: areas + w * area, outAt: simd.outAt, stride: simd.stride, inAt };
    // Inputs the workers can read: shared arrays as they are, others copied into shared buffers
    // the pool keeps for the next run (so their pages are already mapped).
    const borrowed: Float64Array[] = [];
    const shared = inputs.map((x) => {
      if (typeof x === 'number' || isShared(x)) return x;
      const copy = this.borrow(length);
      borrowed.push(copy);
      copy.set(x);
      return copy;
    });

    // Every thread claims blocks of points from one counter until none are left, so a worker
    // that a busy machine does not schedule costs little: this thread takes its blocks.
    const claimed = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const id = this.kernelId(compiled, code.simd === undefined ? code.source : `simd ${code.source}`);
    const task = { kernel: id, ...code, claimed, block: this.block, length, inputs: shared, value, grads };
    const work = this.workers.map((w, i) => w.send({ task: this.nextTask++, ...task, shared: on(i + 1) }));
    const kernel = compiled.kernel(inputs);
    const here = on(0);
    claimBlocks(here === undefined ? kernel : kernel.on!(here), claimed, this.block, length, inputs, value, grads);
    let failed = true;
    try {
      // Every worker answers, even one that found no block left: a result is never returned
      // while a worker may still write into it, and a worker's failure always surfaces. One that
      // does not answer in time is stopped (it may be writing) before `run` rejects.
      for (const points of await this.answers(work)) this.workerPoints += points;
      failed = false;
    } finally {
      // Only the last run's copies are kept: buffers of other sizes do not pile up.
      this.spare = this.closed ? [] : borrowed;
      if (placed && areas >= 0) a.give(areas);
      // Outputs no one will see (a failed run returns none) go back.
      if (failed) for (const x of made?.arrays ?? []) a?.release(x);
    }
    if (into !== undefined && !reuse && compiled.fits(into, length)) {
      into.value.set(value);
      compiled.names.forEach((n, j) => into.gradient[n].set(grads[j]));
      for (const x of made?.arrays ?? []) a?.release(x);
      return into;
    }
    return out;
  }

  /**
   * Outputs of `length` points for a SIMD kernel in a new shared WebAssembly memory, after one area
   * per thread; undefined when too large for a 32-bit memory (then ordinary shared arrays).
   */
  private simdMemory(
    code: SimdCode,
    length: number,
  ): { value: Float64Array; grads: Float64Array[]; outputs: SimdOutputs } | undefined {
    const count = code.at.length + 1;
    const outAt = this.threads * code.area;
    const bytes = outAt + count * length * 8;
    if (bytes > 2 ** 30) return undefined;
    const pages = Math.ceil(bytes / 65536);
    let memory: { buffer: SharedArrayBuffer };
    try {
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    } catch {
      return undefined;
    }
    const stride = length * 8;
    const value = new Float64Array(memory.buffer, outAt, length);
    const grads = Array.from(
      { length: count - 1 },
      (_, j) => new Float64Array(memory.buffer, outAt + (j + 1) * stride, length),
    );
    const outputs = { memory, grads, outAt, stride };
    this.simdOutputs.set(value, outputs);
    return { value, grads, outputs };
  }

  /** The workers' answers, or a rejection naming the first one that did not answer within `timeout`. */
  private async answers(work: Promise<number>[]): Promise<number[]> {
    const workers = [...this.workers];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      if (this.timeout === Infinity) return;
      timer = setTimeout(() => {
        const stuck = workers.filter((w) => w.pending.size > 0);
        const e = new Error(
          `worker thread did not answer within ${this.timeout} ms; ${stuck.length} worker${stuck.length === 1 ? ' was' : 's were'} stopped (the pool starts new ones)`,
        );
        this.workers = this.workers.filter((w) => !stuck.includes(w));
        for (const w of stuck) w.dead = e; // its exit is this error, not a failure of its own
        void Promise.all(stuck.map((w) => w.worker.terminate())).then(() => reject(e));
      }, this.timeout);
    });
    try {
      return await Promise.race([Promise.all(work), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A shared buffer of at least `length` numbers, from the spares when one is big enough. */
  private borrow(length: number): Float64Array {
    const k = this.spare.findIndex((b) => b.length >= length);
    return k >= 0 ? this.spare.splice(k, 1)[0] : sharedFloat64(length);
  }

  private kernelId(compiled: CompiledExpression, source: string): number {
    let bySource = this.ids.get(compiled);
    if (bySource === undefined) this.ids.set(compiled, (bySource = new Map()));
    let id = bySource.get(source);
    if (id === undefined) bySource.set(source, (id = this.nextId++));
    return id;
  }

  /** Ends the workers; `run` after `close` rejects. */
  async close(): Promise<void> {
    this.closed = true;
    this.spare = [];
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((t) => t.worker.terminate()));
  }
}

/** A pool of `threads` threads in all (this one included); see Pool. */
export function createPool(options: PoolOptions = {}): Pool {
  return new Pool(options);
}
