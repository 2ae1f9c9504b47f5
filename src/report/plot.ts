/**
 * Figures from plain data, and the terminal renderer. Two kinds of figure:
 *
 *   lines     curves y(x) over one axis (f and its derivatives over a range; a value against the
 *             iteration, `yScale: 'log'`); a non-finite point is a gap in its curve
 *   contour   a function of two variables sampled on a grid, drawn as bands, with a path over it
 *             (the iterates of a 2-D minimisation, book step 28's picture)
 *
 * The terminal drawing puts the plot in a `width` x `height` block of character cells: y tick
 * labels at the left, the x ticks below, a legend under them. With colour each curve has a colour
 * and is drawn in braille dots (2 x 4 a cell); without, each curve has its own character, one a
 * cell. A point and a tick with the same value always land in the same cell: both go through
 * `Axis.dot`. svg.ts draws the same figures for files.
 */
import type { RenderSettings } from './settings.js';
import { PLAIN } from './style.js';

export interface Series {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Draw each point as this character (a circle in SVG), not joined: the iterates of a search. */
  marks?: string;
}

export interface LineFigure {
  kind: 'lines';
  title: string;
  xLabel: string;
  series: Series[];
  /** 'log': a logarithmic y axis (values <= 0 are gaps). */
  yScale?: 'linear' | 'log';
}

/** f sampled on a grid: z[j * x.length + i] = f(x[i], y[j]). */
export interface Grid {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  z: ArrayLike<number>;
}

export interface ContourFigure {
  kind: 'contour';
  title: string;
  xLabel: string;
  yLabel: string;
  grid: Grid;
  /** The path drawn over the bands, first point to last. */
  path: { x: ArrayLike<number>; y: ArrayLike<number> };
  pathLabel?: string;
  /** The band edges; default: quantiles of the grid's finite values (even bands for any spread). */
  levels?: number[];
}

export type Figure = LineFigure | ContourFigure;

/** The characters of the curves without colour, in order; then the first again. */
export const CURVE_CHARS = ['*', '+', 'o', 'x', '#', '%', '=', '@'];

/** Shades of the contour bands, low to high. */
const SHADES = ' .:-=+*#%@';

// ---- scales ----------------------------------------------------------------------------------

/** An axis: the data range shown, its ticks, and where a value lands on `n` dots. */
export interface Axis {
  min: number;
  max: number;
  log: boolean;
  ticks: number[];
}

/** The finite values (positive ones for a log axis) of the arrays. */
function finiteValues(arrays: readonly ArrayLike<number>[], log: boolean): number[] {
  const out: number[] = [];
  for (const a of arrays)
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (Number.isFinite(v) && (!log || v > 0)) out.push(v);
    }
  return out;
}

/** The step of about `count` ticks over [min, max]: 1, 2 or 5 times a power of ten. */
function tickStep(min: number, max: number, count: number): number {
  const raw = (max - min) / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
}

/**
 * The axis for the values: a linear one from the nearest ticks around them (or a log one from the
 * powers of ten around them). Values far out from the rest (the poles of tan or 1/x) are left out of
 * the range when they would squash everything else: drawn, but clipped at the edge.
 */
export function axisFor(
  arrays: readonly ArrayLike<number>[],
  options: { log?: boolean; ticks?: number; exact?: boolean } = {},
): Axis {
  const log = options.log === true;
  const values = finiteValues(arrays, log).map((v) => (log ? Math.log10(v) : v));
  let [lo, hi] = robustRange(values);
  if (!(lo < hi)) {
    const pad = log ? 1 : lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  if (log) {
    const a = Math.floor(lo);
    const b = Math.ceil(hi);
    // Every k-th power of ten, on multiples of k (so 1 is among them); `1e${e}` is exact, 10 ** e not always.
    const every = Math.max(1, Math.ceil((b - a) / (options.ticks ?? 5)));
    const ticks: number[] = [];
    for (let e = Math.ceil(a / every) * every; e <= b; e += every) ticks.push(Number(`1e${e}`));
    return { min: Number(`1e${a}`), max: Number(`1e${b}`), log, ticks };
  }
  const step = tickStep(lo, hi, options.ticks ?? 5);
  // `exact`: the data's own range (an x axis: the range asked for), ticks inside it; else out to
  // the ticks around it.
  const min = options.exact ? lo : Math.floor(lo / step + 1e-9) * step;
  const max = options.exact ? hi : Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) ticks.push(clean(k * step));
  return { min: options.exact ? min : clean(min), max: options.exact ? max : clean(max), log, ticks };
}

/** Rounds away the float noise of k·step (0.30000000000000004 is 0.3). */
function clean(v: number): number {
  return Number(v.toPrecision(12));
}

/**
 * [min, max] of the values; when they spread over more than 50 times the interquartile range (the
 * poles of tan or 1/x), the range out to 3 interquartile ranges beyond the quartiles instead
 * (exp over 0..10 spreads 12 times its IQR, and keeps its top).
 */
function robustRange(values: number[]): [number, number] {
  if (values.length === 0) return [0, 0];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (values.length < 20) return [lo, hi];
  const sorted = Float64Array.from(values).sort();
  const q = (p: number): number => sorted[Math.floor(p * (sorted.length - 1))];
  const [q1, q3] = [q(0.25), q(0.75)];
  const iqr = q3 - q1;
  if (iqr > 0 && hi - lo > 50 * iqr) return [Math.max(lo, q1 - 3 * iqr), Math.min(hi, q3 + 3 * iqr)];
  return [lo, hi];
}

/** Where `v` falls on an axis as a fraction, 0 at min and 1 at max (NaN for a gap). */
export function fraction(axis: Axis, v: number): number {
  if (!Number.isFinite(v) || (axis.log && v <= 0)) return Number.NaN;
  if (axis.log) return (Math.log10(v) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min));
  return (v - axis.min) / (axis.max - axis.min);
}

/** The dot (0 .. n-1) for `v` on an axis of n dots. */
export function dot(axis: Axis, v: number, n: number): number {
  return Math.round(fraction(axis, v) * (n - 1));
}

/** A tick's label: short, with no float noise (0.5, 1e-3, 2500). */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3)
    return v
      .toExponential()
      .replace('e+', 'e')
      .replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(6)));
}

// ---- the terminal ----------------------------------------------------------------------------

export interface TerminalPlotOptions extends RenderSettings {
  /** The block's size in cells; the figure uses all of it but the last line (for the prompt). */
  width: number;
  height: number;
}

/** Cells of the plot area: a character and a curve index (-1: empty) per cell, braille bits in colour. */
class Canvas {
  readonly chars: string[];
  readonly owner: Int32Array;
  readonly bits: Uint8Array;

  constructor(
    readonly cols: number,
    readonly rows: number,
    /** Dots per cell: 2 x 4 (braille) or 1 x 1 (a character a cell). */
    readonly sx: number,
    readonly sy: number,
  ) {
    this.chars = new Array<string>(cols * rows).fill(' ');
    this.owner = new Int32Array(cols * rows).fill(-1);
    this.bits = new Uint8Array(cols * rows);
    this.marked = new Uint8Array(cols * rows);
  }

  /** Cells holding a mark (a character over the braille dots). */
  readonly marked: Uint8Array;

  /** Puts the character `ch` of curve `k` in the cell of dot (px, py), over any dots there. */
  mark(px: number, py: number, k: number, ch: string): void {
    if (px < 0 || py < 0 || px >= this.cols * this.sx || py >= this.rows * this.sy) return;
    const i = Math.floor(py / this.sy) * this.cols + Math.floor(px / this.sx);
    this.owner[i] = k;
    this.chars[i] = ch;
    this.marked[i] = 1;
  }

  /** Sets dot (px, py), counted from the top left, for curve `k` drawn with `ch` (character mode). */
  set(px: number, py: number, k: number, ch: string): void {
    if (px < 0 || py < 0 || px >= this.cols * this.sx || py >= this.rows * this.sy) return;
    const c = Math.floor(px / this.sx);
    const r = Math.floor(py / this.sy);
    const i = r * this.cols + c;
    this.owner[i] = k;
    if (this.sx === 1) this.chars[i] = ch;
    else this.bits[i] |= BRAILLE[(py % 4) * 2 + (px % 2)];
  }

  /** A straight line of dots from (x0, y0) to (x1, y1) (Bresenham), clipped to the canvas. */
  line(x0: number, y0: number, x1: number, y1: number, k: number, ch: string): void {
    // Far-off ends (a pole) are brought to just outside the edge: the line still leaves the area.
    const h = this.rows * this.sy;
    const clampY = (y: number): number => Math.max(-1, Math.min(h, y));
    [y0, y1] = [clampY(y0), clampY(y1)];
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const stepX = x0 < x1 ? 1 : -1;
    const stepY = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      this.set(x0, y0, k, ch);
      if (x0 === x1 && y0 === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += stepX;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += stepY;
      }
    }
  }
}

/** Braille dot bits by (row * 2 + column) inside a cell. */
const BRAILLE = [0x01, 0x08, 0x02, 0x10, 0x04, 0x20, 0x40, 0x80];

/** The figure as lines of text for a terminal of `width` x `height` cells. */
export function renderTerminalPlot(figure: Figure, options: TerminalPlotOptions): string {
  const style = options.style ?? PLAIN;
  const color = style.series !== undefined;
  const paint = (k: number, s: string): string => (k < 0 || style.series === undefined ? s : style.series(k, s));
  const lines = figure.kind === 'lines' ? lineFigureParts(figure) : contourFigureParts(figure);
  const { xAxis, yAxis } = lines;

  const yLabels = yAxis.ticks.map(tickLabel);
  const labelWidth = Math.max(...yLabels.map((l) => l.length), figure.kind === 'contour' ? figure.yLabel.length : 0);
  const legend = legendLines(lines.legend, options.width, color, paint);
  const cols = Math.max(10, options.width - labelWidth - 3);
  const rows = Math.max(5, options.height - 1 - 3 - legend.length);
  const canvas = color && figure.kind === 'lines' ? new Canvas(cols, rows, 2, 4) : new Canvas(cols, rows, 1, 1);
  lines.draw(canvas);

  const out: string[] = [style.heading(figure.title)];
  // A tick a row; on a short plot, every tick that would touch the one kept below it is left out.
  const tickRow = new Map<number, string>();
  let lastRow = Number.POSITIVE_INFINITY;
  yAxis.ticks.forEach((t, i) => {
    const row = rows - 1 - Math.floor(dot(yAxis, t, rows * canvas.sy) / canvas.sy);
    if (lastRow - row < 2) return;
    tickRow.set(row, yLabels[i]);
    lastRow = row;
  });
  for (let r = 0; r < rows; r++) {
    const label = tickRow.get(r);
    // Runs of cells of one curve are painted together (one colour code a run, not a cell).
    let text = '';
    let run = '';
    let owner = -1;
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const ch =
        canvas.sx === 1 || canvas.marked[i] === 1
          ? canvas.chars[i]
          : canvas.bits[i] === 0
            ? ' '
            : String.fromCharCode(0x2800 + canvas.bits[i]);
      const k = ch === ' ' ? -1 : canvas.owner[i];
      if (k !== owner) {
        text += paint(owner, run);
        run = '';
        owner = k;
      }
      run += ch;
    }
    text += paint(owner, run);
    const left = label ?? (figure.kind === 'contour' && r === 0 ? figure.yLabel : '');
    out.push(`${style.dim(left.padStart(labelWidth))} ${label === undefined ? '│' : '┤'}${text.trimEnd()}`);
  }
  // The x axis, its ticks, their labels (a label that would overlap the one before is left out).
  const axis = new Array<string>(cols).fill('─');
  const labels = new Array<string>(cols + labelWidth + 2).fill(' ');
  let free = 0;
  for (const t of xAxis.ticks) {
    const c = Math.floor(dot(xAxis, t, cols * canvas.sx) / canvas.sx);
    axis[c] = '┬';
    const text = tickLabel(t);
    const at = Math.min(
      labels.length - text.length,
      Math.max(0, labelWidth + 2 + c - Math.floor((text.length - 1) / 2)),
    );
    if (at < free) continue;
    for (let i = 0; i < text.length; i++) labels[at + i] = text[i];
    free = at + text.length + 1;
  }
  out.push(`${' '.repeat(labelWidth)} └${axis.join('')}`);
  const tickText = labels.join('').trimEnd();
  const named = tickText.length + 3 + figure.xLabel.length <= options.width;
  out.push(style.dim(named ? `${tickText}   ${figure.xLabel}` : tickText));
  out.push(...legend);
  return out.join('\n') + '\n';
}

/** One legend entry: its mark (colour or character) and label. */
interface LegendEntry {
  label: string;
  curve: number;
  mark?: string;
}

function legendLines(
  entries: readonly LegendEntry[],
  width: number,
  color: boolean,
  paint: (k: number, s: string) => string,
): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const e of entries) {
    const mark = e.mark ?? (color ? '──' : CURVE_CHARS[e.curve % CURVE_CHARS.length].repeat(2));
    const plain = `${mark} ${e.label}`;
    if (used > 0 && used + 3 + plain.length > width) {
      lines.push(line);
      line = '';
      used = 0;
    }
    line += `${used > 0 ? '   ' : ''}${paint(e.curve, mark)} ${e.label}`;
    used += (used > 0 ? 3 : 0) + plain.length;
  }
  if (used > 0) lines.push(line);
  return lines;
}

interface Parts {
  xAxis: Axis;
  yAxis: Axis;
  legend: LegendEntry[];
  draw(canvas: Canvas): void;
}

function lineFigureParts(figure: LineFigure): Parts {
  const xAxis = axisFor(
    figure.series.map((s) => s.x),
    { ticks: 6, exact: true },
  );
  const yAxis = axisFor(
    figure.series.map((s) => s.y),
    { log: figure.yScale === 'log' },
  );
  return {
    xAxis,
    yAxis,
    legend: figure.series.map((s, k) => ({ label: s.label, curve: k, mark: s.marks })),
    draw: (canvas) => {
      const w = canvas.cols * canvas.sx;
      const h = canvas.rows * canvas.sy;
      // The first curve last: on top where curves meet; marks over every curve.
      const order = figure.series.map((_, k) => k).reverse();
      for (const k of [
        ...order.filter((k) => !figure.series[k].marks),
        ...order.filter((k) => figure.series[k].marks),
      ]) {
        const { x, y, marks } = figure.series[k];
        const ch = CURVE_CHARS[k % CURVE_CHARS.length];
        let last: [number, number] | undefined;
        for (let i = 0; i < x.length; i++) {
          const px = dot(xAxis, x[i], w);
          const fy = fraction(yAxis, y[i]);
          if (!Number.isFinite(px) || !Number.isFinite(fy)) {
            last = undefined; // a gap
            continue;
          }
          const py = h - 1 - Math.round(fy * (h - 1));
          if (marks !== undefined) canvas.mark(px, py, k, marks);
          else if (last === undefined) canvas.set(px, py, k, ch);
          else canvas.line(last[0], last[1], px, py, k, ch);
          last = [px, py];
        }
      }
    },
  };
}

/** The band edges of a grid: its own quantiles (so a steep valley like Rosenbrock's still shows). */
export function contourLevels(z: ArrayLike<number>, count = 10): number[] {
  const values = finiteValues([z], false).sort((a, b) => a - b);
  if (values.length === 0) return [];
  const levels: number[] = [];
  for (let k = 1; k < count; k++) {
    const v = values[Math.floor((k / count) * (values.length - 1))];
    if (levels.length === 0 || v > levels[levels.length - 1]) levels.push(v);
  }
  return levels;
}

/** f at (x, y) by bilinear interpolation on the grid (NaN outside it). */
export function sampleGrid(grid: Grid, x: number, y: number): number {
  const find = (a: ArrayLike<number>, v: number): number => {
    let i = 0;
    while (i < a.length - 2 && a[i + 1] < v) i++;
    return i;
  };
  const nx = grid.x.length;
  if (nx < 2 || grid.y.length < 2) return Number.NaN;
  const i = find(grid.x, x);
  const j = find(grid.y, y);
  const tx = (x - grid.x[i]) / (grid.x[i + 1] - grid.x[i]);
  const ty = (y - grid.y[j]) / (grid.y[j + 1] - grid.y[j]);
  if (tx < -1e-9 || tx > 1 + 1e-9 || ty < -1e-9 || ty > 1 + 1e-9) return Number.NaN;
  const z = (a: number, b: number): number => grid.z[b * nx + a];
  return (
    (1 - tx) * (1 - ty) * z(i, j) +
    tx * (1 - ty) * z(i + 1, j) +
    (1 - tx) * ty * z(i, j + 1) +
    tx * ty * z(i + 1, j + 1)
  );
}

function contourFigureParts(figure: ContourFigure): Parts {
  const { grid, path } = figure;
  const xAxis = axisFor([grid.x], { ticks: 6, exact: true });
  const yAxis = axisFor([grid.y], { exact: true });
  const levels = figure.levels ?? contourLevels(grid.z);
  const n = path.x.length;
  return {
    xAxis,
    yAxis,
    legend: [
      { label: `f: ${SHADES.slice(1, 4)} low to ${SHADES.slice(-3)} high`, curve: -1, mark: SHADES[1] },
      { label: 'start', curve: 0, mark: 'o' },
      { label: figure.pathLabel ?? 'path', curve: 0, mark: '•' },
      { label: `end (${n} points)`, curve: 1, mark: 'X' },
    ],
    draw: (canvas) => {
      const { cols, rows } = canvas;
      const xAt = (c: number): number => xAxis.min + ((xAxis.max - xAxis.min) * c) / (cols - 1);
      const yAt = (r: number): number => yAxis.max - ((yAxis.max - yAxis.min) * r) / (rows - 1);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) {
          const z = sampleGrid(grid, xAt(c), yAt(r));
          if (!Number.isFinite(z)) continue;
          let band = 0;
          while (band < levels.length && z > levels[band]) band++;
          const shade = SHADES[Math.round((band / Math.max(1, levels.length)) * (SHADES.length - 1))];
          canvas.chars[r * cols + c] = shade;
        }
      let last: [number, number] | undefined;
      for (let i = 0; i < n; i++) {
        const px = dot(xAxis, path.x[i], cols);
        const fy = fraction(yAxis, path.y[i]);
        if (!Number.isFinite(px) || !Number.isFinite(fy)) {
          last = undefined;
          continue;
        }
        const py = rows - 1 - Math.round(fy * (rows - 1));
        if (last === undefined) canvas.set(px, py, 0, '•');
        else canvas.line(last[0], last[1], px, py, 0, '•');
        last = [px, py];
      }
      const mark = (i: number, ch: string, k: number): void => {
        const px = dot(xAxis, path.x[i], cols);
        const fy = fraction(yAxis, path.y[i]);
        if (Number.isFinite(px) && Number.isFinite(fy)) canvas.set(px, rows - 1 - Math.round(fy * (rows - 1)), k, ch);
      };
      if (n > 0) {
        mark(0, 'o', 0);
        mark(n - 1, 'X', 1);
      }
    },
  };
}
