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

/**
 * A figure drawn in the terminal shares standard output with nothing else: --json and --format
 * (whose output is for another program) go with a figure written to a file.
 */
export function checkPlotOutput(target: PlotTarget, options: { json?: boolean; format?: string }): void {
  if (target.kind !== 'terminal' || (!options.json && options.format === undefined)) return;
  const flag = options.json ? '--json' : `--format ${options.format}`;
  throw new UsageError(
    `--plot alone draws in the terminal, which would mix the figure into ${flag}'s output`,
    `give --plot a file and ${options.json ? 'the JSON' : 'the rows'} print as well: --plot plot.svg ${flag}`,
  );
}

/** A plot runs along one variable given as a list, range or stream; the others are one value each. */
export function checkPlot(names: readonly string[], given: ReadonlyMap<string, GivenValue>): void {
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
