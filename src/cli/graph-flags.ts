/**
 * The graph options as flags: which ones a run asks for, and checking their values. Light, for the
 * start-up path: graph-options.ts (the renderers, higher order) loads only when one is given.
 */
import { UsageError } from './errors.js';

export interface GraphOptions {
  order?: number;
  wrt?: string;
  hessian?: boolean;
  traceGrad?: boolean;
  dot?: boolean;
  graph?: string;
  tree?: boolean;
}

/** Highest --order accepted; the size budget in derivativesAt usually stops tanh-like graphs sooner. */
export const MAX_ORDER = 30;

export function wantsGraphOptions(o: GraphOptions): boolean {
  return (
    o.order !== undefined ||
    o.wrt !== undefined ||
    o.hessian === true ||
    o.traceGrad === true ||
    o.dot === true ||
    o.graph !== undefined ||
    o.tree === true
  );
}

/** The options that take one point: all but --order and --wrt, which work over many points too. */
export function wantsPointOptions(o: GraphOptions): boolean {
  return o.hessian === true || o.traceGrad === true || o.dot === true || o.graph !== undefined || o.tree === true;
}

export function parseOrder(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_ORDER) {
    throw new UsageError(
      `--order takes a whole number from 1 to ${MAX_ORDER}, got '${text}'`,
      'write --order 2 for the second derivative',
    );
  }
  return Number(text);
}

/** The variable to differentiate by: `wrt`, or the only one. `how` spells the options in messages. */
export function checkWrt(
  names: readonly string[],
  wrt: string | undefined,
  how: { order: string; wrt: (name: string) => string },
): string {
  if (names.length === 0) throw new UsageError(`${how.order}: the expression has no variables to differentiate`);
  if (wrt === undefined) {
    if (names.length > 1) {
      throw new UsageError(
        `${how.order} needs ${how.wrt('NAME')}: the expression has ${names.length} variables (${names.join(', ')})`,
        `write ${how.wrt(names[0])}`,
      );
    }
    return names[0];
  }
  if (!names.includes(wrt))
    throw new UsageError(`${how.wrt(wrt)}: the expression has no variable ${wrt} (it has ${names.join(', ')})`);
  return wrt;
}

/** `:order N` takes 1 to MAX_ORDER. */
export function checkOrder(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_ORDER)
    throw new UsageError(`:order takes a whole number from 1 to ${MAX_ORDER}, got ${n}`);
}
