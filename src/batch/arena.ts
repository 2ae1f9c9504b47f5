/**
 * Arrays that live where the SIMD kernels read and write: one WebAssembly memory for the process,
 * shared (so that a pool's threads see it too), which every SIMD kernel of this thread and every
 * pool's threads can work in. An input that is an array from `allocate` is read in place, with no
 * copy into the kernel's blocks, on one thread and on a pool; the outputs of such a run are
 * allocated there too and written in place.
 *
 * Lifetime: an array from `allocate` (and an output of a run whose inputs were) stays the memory's
 * until `release` gives it back; then its bytes may go to the next allocation, so the array must
 * no longer be used. Nothing is given back by garbage collection: a view of a part of an array
 * (`subarray`) does not keep the array alive, so the memory cannot know when the last view is gone.
 *
 * Growth: the memory is shared, so growing it never detaches or moves an array already handed out
 * (an unshared WebAssembly memory detaches every view when it grows); each array is a view of the
 * buffer at its allocation's time, of its own length. Every array starts on a 16-byte boundary
 * (an f64x2's), with zeros in it.
 */

/** The part of the WebAssembly API used here (TypeScript's libraries without the DOM lack it). */
declare const WebAssembly: {
  Memory: new (d: {
    initial: number;
    maximum: number;
    shared: boolean;
  }) => { buffer: SharedArrayBuffer; grow(pages: number): number };
};

const PAGE = 65536;
/** Most bytes the memory holds (addresses stay below 2^31: the kernels' i32 arithmetic stays positive). */
export const ARENA_BYTES = 2 ** 31;
/** Most points one array from `allocate` holds. */
export const MAX_ALLOCATE = ARENA_BYTES / 8 / 2;

/** Misuse of `allocate` or `release`: a bad length, a full memory, an array it did not make. */
export class AllocationError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'AllocationError';
  }
}

const round16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** A first-fit allocator over one shared WebAssembly memory (blocks of 16-byte multiples). */
export class Arena {
  readonly memory: { buffer: SharedArrayBuffer; grow(pages: number): number };
  /** The memory's buffers handed out so far (one per size it has had): a view of one is in the memory. */
  private readonly buffers = new WeakSet<SharedArrayBuffer>();
  /** Blocks in use: start (bytes) -> size (bytes) and the points of the array made on it (-1: none). */
  private readonly used = new Map<number, { bytes: number; length: number }>();
  /** Free blocks below `top`, sorted by start, never two adjacent. */
  private readonly free: { at: number; bytes: number }[] = [];
  /** Bytes from 0 that blocks have used (past it, nothing has been). */
  private top = 16;
  /** Bytes from 0 that have ever been used: below it, a block may hold what its last owner wrote. */
  private dirty = 16;

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: ARENA_BYTES / PAGE, shared: true });
    this.buffers.add(this.memory.buffer);
  }

  /**
   * A block of `bytes` (rounded up to 16), of zeros unless `zero` is false (outputs, written
   * whole by the run); its start, or -1 when the memory cannot hold it.
   */
  take(bytes: number, length = -1, zero = true): number {
    const size = Math.max(16, round16(bytes));
    const k = this.free.findIndex((f) => f.bytes >= size);
    let at: number;
    if (k >= 0) {
      const f = this.free[k];
      at = f.at;
      if (f.bytes === size) this.free.splice(k, 1);
      else {
        f.at += size;
        f.bytes -= size;
      }
      // A block given back holds what its last owner wrote.
      if (zero) new Uint8Array(this.memory.buffer, at, size).fill(0);
    } else {
      const stale = Math.min(this.dirty, this.top + size) - this.top;
      if (zero && stale > 0) new Uint8Array(this.memory.buffer, this.top, stale).fill(0);
      if (this.top + size > ARENA_BYTES) return -1;
      at = this.top;
      this.top += size;
      const have = this.memory.buffer.byteLength;
      if (this.top > have) {
        // At least double, so that many small allocations grow it a few times only.
        const pages = Math.max(Math.ceil((this.top - have) / PAGE), Math.min(have, ARENA_BYTES - have) / PAGE);
        try {
          this.memory.grow(pages);
        } catch {
          this.top = at;
          return -1;
        }
        this.buffers.add(this.memory.buffer);
      }
      this.dirty = Math.max(this.dirty, this.top);
    }
    this.used.set(at, { bytes: size, length });
    return at;
  }

  /** Gives the block starting at `at` back (merged with free neighbours). */
  give(at: number): void {
    const size = this.used.get(at)?.bytes;
    if (size === undefined) return;
    this.used.delete(at);
    let k = 0;
    while (k < this.free.length && this.free[k].at < at) k++;
    this.free.splice(k, 0, { at, bytes: size });
    if (k + 1 < this.free.length && at + size === this.free[k + 1].at) {
      this.free[k].bytes += this.free[k + 1].bytes;
      this.free.splice(k + 1, 1);
    }
    if (k > 0 && this.free[k - 1].at + this.free[k - 1].bytes === at) {
      this.free[k - 1].bytes += this.free[k].bytes;
      this.free.splice(k, 1);
      k--;
    }
    // The last free block reaching the top lowers it.
    const last = this.free[this.free.length - 1];
    if (last !== undefined && last.at + last.bytes === this.top) {
      this.top = last.at;
      this.free.pop();
    }
  }

  /** A Float64Array of `length` points in a new block; undefined when the memory cannot hold it. */
  array(length: number): Float64Array | undefined {
    const at = this.take(length * 8, length);
    return at < 0 ? undefined : new Float64Array(this.memory.buffer, at, length);
  }

  /**
   * Arrays of `length` points each (a run's outputs: not cleared), `count` of them `stride` bytes
   * apart, each its own block.
   */
  arrays(count: number, length: number): { arrays: Float64Array[]; stride: number } | undefined {
    const stride = Math.max(16, round16(length * 8));
    const at = this.take(count * stride, -1, false);
    if (at < 0) return undefined;
    // Each its own block, so that each can be released alone.
    for (let k = 0; k < count; k++) this.used.set(at + k * stride, { bytes: stride, length });
    const buffer = this.memory.buffer;
    return {
      arrays: Array.from({ length: count }, (_, k) => new Float64Array(buffer, at + k * stride, length)),
      stride,
    };
  }

  /** True when `x` is a view of this memory. */
  holds(x: Float64Array): boolean {
    return x.buffer instanceof SharedArrayBuffer && this.buffers.has(x.buffer);
  }

  /**
   * The address (bytes) of `x` when it is a view of this memory lying within one array in use (from
   * `allocate` or a run's outputs, or a part of one; not a kernel's own area); -1 otherwise.
   */
  addressOf(x: Float64Array): number {
    if (!this.holds(x)) return -1;
    const at = x.byteOffset;
    const end = at + x.byteLength;
    const exact = this.used.get(at);
    if (exact !== undefined) return exact.length >= 0 && end <= at + exact.bytes ? at : -1;
    for (const [start, { bytes, length }] of this.used) {
      if (length >= 0 && start <= at && end <= start + bytes) return at;
    }
    return -1;
  }

  /** Gives back an array from `allocate` (the whole array, as it was handed out). */
  release(x: Float64Array): void {
    if (!this.holds(x)) {
      throw new AllocationError('release: this array was not made by allocate (it is not in its memory)');
    }
    const block = this.used.get(x.byteOffset);
    if (block === undefined || block.length !== x.length) {
      throw new AllocationError(
        `release: no array from allocate starts at byte ${x.byteOffset} with ${x.length} points (released already, or a part of one)`,
      );
    }
    this.give(x.byteOffset);
  }
}

let theArena: Arena | undefined;

/** The process's arena (this thread's), made on first use; undefined before any `allocate`. */
export function arena(make = false): Arena | undefined {
  if (make) theArena ??= new Arena();
  return theArena;
}

/**
 * A Float64Array of `length` zeros living in the SIMD kernels' memory: as an input of
 * `CompiledExpression.run`, `grad(..., { simd: true })` or `pool.run` it is read in place, and the
 * run's outputs are allocated beside it and written in place. Give it back with `release` when done
 * (see the lifetime above). Throws AllocationError for a length that is not a whole number from 0 to
 * MAX_ALLOCATE, or when the memory (2 GiB) cannot hold it.
 */
export function allocate(length: number): Float64Array {
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > MAX_ALLOCATE) {
    throw new AllocationError(
      `allocate: the length must be a whole number from 0 to ${MAX_ALLOCATE}, got ${typeof length === 'number' ? length : JSON.stringify(length)}`,
    );
  }
  const x = arena(true)!.array(length);
  if (x === undefined) {
    throw new AllocationError(
      `allocate: no room for ${length} points: the memory holds at most ${ARENA_BYTES / 2 ** 30} GiB (release arrays no longer used)`,
    );
  }
  return x;
}

/**
 * Gives back arrays from `allocate`, or a result's value and gradients (a run whose inputs were
 * allocated allocates its outputs). After it an array must not be used: its bytes go to later
 * allocations. Throws AllocationError for an array that is not one from `allocate` (an ordinary
 * array, a part of one, one released already); the arrays before it are released.
 */
export function release(
  ...items: (Float64Array | { value: Float64Array; gradient: Readonly<Record<string, Float64Array>> })[]
): void {
  const a = arena();
  for (const item of items) {
    const arrays = item instanceof Float64Array ? [item] : [item.value, ...Object.values(item.gradient)];
    for (const x of arrays) {
      if (a === undefined) throw new AllocationError('release: this array was not made by allocate (none was)');
      a.release(x);
    }
  }
}

/**
 * Where a run's outputs are in the arena for a kernel to write them in place: the value at `outAt`
 * bytes, gradient j at outAt + (j + 1) * stride, none overlapping; undefined when they are not so.
 */
export function outputsAt(
  a: Arena,
  value: Float64Array,
  grads: readonly Float64Array[],
): { outAt: number; stride: number } | undefined {
  const outAt = a.addressOf(value);
  if (outAt < 0) return undefined;
  const stride = grads.length === 0 ? value.byteLength : grads[0].byteOffset - outAt;
  if (stride < value.byteLength) return undefined;
  const ok = grads.every(
    (g, j) => g.length === value.length && a.holds(g) && g.byteOffset === outAt + (j + 1) * stride,
  );
  return ok && grads.every((g) => a.addressOf(g) >= 0) ? { outAt, stride } : undefined;
}

/**
 * Where each input is read in place (bytes), -1 for a number or an array copied in: one not in
 * the arena's arrays, or overlapping an output of the same run (which the kernel writes while
 * later blocks of it are still to be read: copied, as an ordinary array, it gets the copy's bits).
 */
export function inputsAt(
  a: Arena,
  inputs: readonly (Float64Array | number)[],
  outputs: readonly Float64Array[],
): number[] {
  return inputs.map((x) => {
    if (typeof x === 'number') return -1;
    const at = a.addressOf(x);
    if (at < 0) return -1;
    const end = at + x.byteLength;
    const overlaps = outputs.some((o) => a.holds(o) && o.byteOffset < end && at < o.byteOffset + o.byteLength);
    return overlaps ? -1 : at;
  });
}
