/**
 * Global switches, as in DeZero's `Config` (book step 18).
 * `enableBackprop` off means functions compute values only: no creator, no graph kept.
 */
export const Config = {
  enableBackprop: true,
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
