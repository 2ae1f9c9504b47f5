/**
 * `minimize --plot` and `root --plot`: the figures of a finished search. Loaded with `await
 * import()` only when a search is drawn.
 *
 *   minimize, two variables   the path over the contour bands of f (book step 28's picture), then
 *                             f and |grad| against the iteration on a log scale
 *   minimize, one variable    f over a range around the iterates, the iterates marked; then the same
 *   minimize, more            f and |grad| against the iteration
 *   root, one variable        f over a range around the iterates, the iterates marked
 *   root, several equations   |f| against the iteration on a log scale
 *
 * f is computed on the batch path (one compiled kernel over every point): a GRID x GRID grid for the
 * bands, CURVE points for a curve. A non-finite value is a gap. A path of more than PATH_POINTS
 * iterates is drawn through every k-th (and the last).
 */
import type { MinimizeResult } from '../api/minimize.js';
import type { RootResult } from '../api/root.js';
import { CompiledExpression } from '../batch/run.js';
import type { Node } from '../expr/ast.js';
import { formatNumber } from '../report/format.js';
import type { ContourFigure, Figure, LineFigure } from '../report/plot.js';
import type { RenderSettings } from '../report/settings.js';
import type { IO } from './io.js';
import { drawFigures } from './plot.js';
import type { PlotTarget } from './plot-options.js';

/** Grid points along each axis of a contour figure (GRID^2 evaluations of f). */
export const GRID = 121;
/** Points of a curve of f. */
export const CURVE = 401;
/** At most this many iterates drawn: every k-th beyond it. */
export const PATH_POINTS = 2000;

/** The expression as the search ran it: its tree and text (the compiled kernel's input). */
export interface Objective {
  root: Node;
  source: string;
}

/** The figures of a minimization (see the module comment), drawn at `target`. */
export async function plotMinimization(
  r: MinimizeResult,
  f: Objective,
  target: PlotTarget,
  settings: RenderSettings,
  io: IO,
  reserve = 0,
): Promise<void> {
  const title = r.expression.trim();
  const picture: Figure[] = [];
  const keep = thinned(r.trajectory.length);
  const xs = r.names.map((_, i) => Float64Array.from(keep, (t) => r.trajectory[t].x[i]));
  if (r.names.length === 2) {
    // x across when the names are x and y in either order; else in order of appearance.
    const [a, b] = r.names[1] === 'x' ? [1, 0] : [0, 1];
    const step = pathStep(r.trajectory.length);
    const label = step === 1 ? 'path' : `path (every ${step}th iterate kept)`;
    picture.push(contourFigure(f, title, [r.names[a], r.names[b]], xs[a], xs[b], label));
  } else if (r.names.length === 1) {
    picture.push(curveFigure(f, title, r.names[0], xs[0], 'iterates'));
  }
  const k = Float64Array.from(keep, (t) => r.trajectory[t].k);
  const value = Float64Array.from(keep, (t) => r.trajectory[t].value);
  const grad = Float64Array.from(keep, (t) => r.trajectory[t].gradNorm);
  // A log scale shows f itself when it stays positive; else f less its lowest value.
  let lowest = Number.POSITIVE_INFINITY;
  for (const v of value) if (Number.isFinite(v) && v < lowest) lowest = v;
  const shifted = lowest <= 0;
  const shown = shifted ? value.map((v) => v - lowest) : value;
  const low = formatNumber(lowest, 6);
  const byIteration: LineFigure = {
    kind: 'lines',
    title: `${title}: by iteration (log scale)`,
    xLabel: 'iteration',
    yScale: 'log',
    series: [
      { label: shifted ? `f - (${low}), the lowest f` : 'f', x: k, y: shown },
      { label: '|grad|', x: k, y: grad },
    ],
  };
  await drawFigures([...picture, byIteration], target, settings, io, { reserve, width: 700, height: 500 });
}

/** The figure of a root search (see the module comment), drawn at `target`. */
export async function plotRoot(
  r: RootResult,
  equations: readonly Objective[],
  target: PlotTarget,
  settings: RenderSettings,
  io: IO,
  reserve = 0,
): Promise<void> {
  const keep = thinned(r.trajectory.length);
  let figure: Figure;
  if (r.names.length === 1 && equations.length === 1) {
    const xs = Float64Array.from(keep, (t) => r.trajectory[t].x[0]);
    const around = r.startBracket === undefined ? xs : Float64Array.from([...xs, ...r.startBracket]);
    figure = curveFigure(equations[0], `${r.expressions[0].trim()} = 0`, r.names[0], around, 'iterates', xs);
  } else {
    const k = Float64Array.from(keep, (t) => r.trajectory[t].k);
    figure = {
      kind: 'lines',
      title: `[${r.expressions.map((e) => e.trim()).join(', ')}] = 0: by iteration (log scale)`,
      xLabel: 'iteration',
      yScale: 'log',
      series: [{ label: '|f|', x: k, y: Float64Array.from(keep, (t) => r.trajectory[t].norm) }],
    };
  }
  await drawFigures([figure], target, settings, io, { reserve });
}

/** The indices of the iterates drawn: all of them, or every k-th and the last. */
function thinned(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i += pathStep(n)) out.push(i);
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

/** Every how many-th of n iterates is drawn. */
function pathStep(n: number): number {
  return Math.max(1, Math.ceil(n / PATH_POINTS));
}

/** [lo, hi] around the values: their range and half as much again each side (at least 1 wide). */
function around(values: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(lo <= hi)) return [-1, 1];
  const pad = Math.max((hi - lo) / 2, 0.5, Math.abs(lo + hi) / 20);
  return [lo - pad, hi + pad];
}

/** n evenly spaced points from lo to hi. */
function linspace(lo: number, hi: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** f over a range around `range`'s values, and the iterates `marked` (default: those values) on it. */
function curveFigure(
  f: Objective,
  title: string,
  name: string,
  range: Float64Array,
  label: string,
  marked: Float64Array = range,
): LineFigure {
  const [lo, hi] = around(range);
  const compiled = new CompiledExpression(f.root, f.source);
  const x = linspace(lo, hi, CURVE);
  const y = compiled.run({ [name]: x }).value;
  const at = compiled.run({ [name]: marked }).value;
  return {
    kind: 'lines',
    title,
    xLabel: name,
    series: [
      { label: 'f', x, y },
      { label, x: marked, y: at, marks: 'o' },
    ],
  };
}

/** f on a GRID x GRID grid around the path, and the path over it. */
function contourFigure(
  f: Objective,
  title: string,
  names: [string, string],
  px: Float64Array,
  py: Float64Array,
  pathLabel: string,
): ContourFigure {
  const gx = linspace(...around(px), GRID);
  const gy = linspace(...around(py), GRID);
  const X = new Float64Array(GRID * GRID);
  const Y = new Float64Array(GRID * GRID);
  for (let j = 0; j < GRID; j++)
    for (let i = 0; i < GRID; i++) {
      X[j * GRID + i] = gx[i];
      Y[j * GRID + i] = gy[j];
    }
  const z = new CompiledExpression(f.root, f.source).run({ [names[0]]: X, [names[1]]: Y }).value;
  return {
    kind: 'contour',
    title,
    xLabel: names[0],
    yLabel: names[1],
    grid: { x: gx, y: gy, z },
    path: { x: px, y: py },
    pathLabel,
  };
}
