/**
 * `--plot`, `--plot FILE.svg`, `--plot FILE.png`: where the figure goes, and the checks made before
 * any point is computed. Light on purpose: the drawing (plot.ts, the renderers and the PNG
 * library) is loaded with `await import()` only when a plot is drawn.
 */
import { UsageError } from './errors.js';
import type { GivenValue } from './values.js';

export type PlotTarget = { kind: 'terminal' } | { kind: 'file'; path: string; format: 'svg' | 'png' };

/** `--plot` alone draws in the terminal; with a value, that file (.svg or .png). */
export function plotTarget(value: string | true): PlotTarget {
  if (value === true) return { kind: 'terminal' };
  const m = /\.(svg|png)$/i.exec(value);
  if (m === null) {
    throw new UsageError(
      `--plot writes .svg or .png files, got '${value}'`,
      'write --plot tanh.svg, --plot tanh.png, or --plot alone to draw in the terminal',
    );
  }
  return { kind: 'file', path: value, format: m[1].toLowerCase() as 'svg' | 'png' };
}

/** A plot runs along one variable given as a list, range or stream; the others are one value each. */
export function checkPlot(
  options: { json: boolean; format?: string },
  names: readonly string[],
  given: ReadonlyMap<string, GivenValue>,
): void {
  if (options.json || options.format !== undefined) {
    throw new UsageError(
      '--plot draws a figure: it does not combine with --json or --format',
      'run them as two commands',
    );
  }
  const along = names.filter((n) => given.get(n)!.kind !== 'number');
  if (along.length === 0) {
    const x = names[0] ?? 'x';
    throw new UsageError(
      names.length === 0
        ? '--plot needs a variable to plot along: the expression has none'
        : `--plot draws over many points: give ${x} a range`,
      `write --${x} -5:5:0.01`,
    );
  }
  if (along.length > 1) {
    throw new UsageError(
      `--plot draws along one variable, but ${along.map((n) => `--${n}`).join(' and ')} each have many values`,
      `give all but one of them a single value: --${along[1]} 1`,
    );
  }
}
