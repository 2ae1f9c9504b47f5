/**
 * Global switches, as in DeZero's `Config` (book step 18).
 * `enableBackprop` off means functions compute values only: no creator, no graph kept.
 */
export const Config = {
  enableBackprop: true,
  /**
   * On while an op's backward is traced over stand-ins (src/engine/op.ts): every function joins
   * the graph, constants too, so the trace keeps `c - 1` as written instead of its value.
   */
  tracing: false,
  /**
   * On while the batch compiler records a backward pass: every op sends every gradient it can,
   * whatever its `routes` say at the sample point; the kernel decides the routes point by point.
   */
  allRoutes: false,
};

/** Runs `fn` with `Config.enableBackprop` set to `enabled`, restoring the old value after. */
export function usingBackprop<T>(enabled: boolean, fn: () => T): T {
  const old = Config.enableBackprop;
  Config.enableBackprop = enabled;
  try {
    return fn();
  } finally {
    Config.enableBackprop = old;
  }
}

/** DeZero's `no_grad()`: evaluate without building a graph (nothing is kept for backward). */
export function noGrad<T>(fn: () => T): T {
  return usingBackprop(false, fn);
}
