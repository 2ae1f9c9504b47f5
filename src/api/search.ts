/**
 * What a minimization and a root search share: a generator of points run a step at a time,
 * the trajectory of iterates it leaves (thinned on long runs), and why it stopped. The CLI runs
 * one a slice at a time (to show progress, and to stop on Ctrl-C with `interrupt()`); `minimize`
 * and `root` run it at once.
 */
/** Why a search stopped. */
export type StopReason = 'converged' | 'iteration limit' | 'non-finite' | 'diverging' | 'stalled' | 'interrupted';

/** A thinned trajectory keeps about this many iterates, besides the multiples of `keepEvery`. */
export const THINNED_SIZE = 100_000;

/** How a thinned trajectory is kept: the multiples of `modulus` and of `every`. */
export interface Thinning {
  modulus: number;
  every: number;
  /** The length past which it is compacted next. */
  limit: number;
}

export function thinning(options: { trajectory?: 'all' | 'thinned'; keepEvery?: number }): Thinning | undefined {
  if (options.trajectory !== 'thinned') return undefined;
  const every = options.keepEvery ?? 0;
  if (!(Number.isInteger(every) && every >= 0)) throw new RangeError(`keepEvery must be a whole number, got ${every}`);
  return { modulus: 1, every, limit: THINNED_SIZE };
}

/**
 * Appends `it` to a trajectory, thinned when `state` is given (see MinimizeOptions.trajectory):
 * the previous newest goes unless it is one to keep, and past the limit the modulus grows
 * tenfold and the trajectory is compacted to what is kept (the limit doubles when the multiples
 * of `every` alone fill it, so compacting stays rare).
 */
export function keepIterate<T extends { k: number }>(trajectory: T[], it: T, state?: Thinning): void {
  if (state === undefined) {
    trajectory.push(it);
    return;
  }
  const kept = (k: number): boolean => k % state.modulus === 0 || (state.every > 0 && k % state.every === 0);
  const tail = trajectory[trajectory.length - 1];
  if (tail !== undefined && !kept(tail.k)) trajectory.pop();
  trajectory.push(it);
  if (trajectory.length <= state.limit) return;
  state.modulus *= 10;
  let n = 0;
  for (let i = 0; i < trajectory.length; i++) {
    const t = trajectory[i];
    if (kept(t.k) || i === trajectory.length - 1) trajectory[n++] = t;
  }
  trajectory.length = n;
  if (n > state.limit / 2) state.limit *= 2;
}

export interface Stop {
  reason: StopReason;
  detail: string;
}

export abstract class Search<P, It extends { k: number }, R> {
  readonly trajectory: It[] = [];
  /** The newest point the method gave. */
  protected last: P | undefined;
  protected stop: Stop | undefined;
  /** Iterates computed so far. */
  private count = 0;

  constructor(private readonly thinned: Thinning | undefined) {}

  /** The method's points; set by the subclass's constructor. */
  protected abstract readonly run: Generator<P, Stop, void>;
  /** The iterate recorded for a point. */
  protected abstract iterate(p: P, k: number): It;
  /** Why the search stops at this iterate, if it does. */
  protected abstract check(it: It): Stop | undefined;
  /** The record so far. */
  abstract result(): R;

  /** True once the search has stopped. */
  get done(): boolean {
    return this.stop !== undefined;
  }

  /** The newest iterate; undefined before the first step. */
  get current(): It | undefined {
    return this.trajectory[this.trajectory.length - 1];
  }

  /** Computes the next iterate (the start on the first call); false when the search has stopped. */
  step(): boolean {
    if (this.stop !== undefined) return false;
    const next = this.run.next();
    if (next.done) {
      this.stop = next.value;
      return false;
    }
    const p = next.value;
    const it = this.iterate(p, this.count++);
    keepIterate(this.trajectory, it, this.thinned);
    this.last = p;
    this.stop = this.check(it);
    if (this.stop !== undefined) this.run.return(this.stop);
    return this.stop === undefined;
  }

  /** Stops the search where it is (Ctrl-C); the record keeps the iterates so far. `why`: the detail. */
  interrupt(why = 'interrupt() was called'): void {
    if (this.stop !== undefined) return;
    this.stop = { reason: 'interrupted', detail: why };
    this.run.return(this.stop);
  }

  /** Runs to the end. */
  finish(): R {
    while (this.step());
    return this.result();
  }
}
