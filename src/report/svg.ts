/**
 * The figures of plot.ts as SVG text: a title (the expression), axes with ticks and grid lines,
 * one <path class="curve"> per curve (a non-finite point starts a new subpath: a gap), a legend;
 * for a contour figure, filled bands (d3-contour's marching squares) under the path. Written here
 * rather than through a charting library: it is a few dozen elements, and the same axes as the
 * terminal's (`axisFor`). The PNG is this SVG rendered (cli/plot.ts). Async: d3-contour (an ES
 * module) is imported when a contour figure is drawn, not before.
 */
import { axisFor, contourLevels, fraction, tickLabel, type Axis, type ContourFigure, type Figure } from './plot.js';

export interface SvgOptions {
  width?: number;
  height?: number;
  /** The clip path's id (unique per figure when several share a file); default 'area'. */
  id?: string;
}

/** Colours of the curves (matplotlib's tab10, the book's figures' colours), in order. */
export const CURVE_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

const FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

/** Text for an SVG text node or attribute. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Coordinates with two decimals: small files, no visible loss. */
const n2 = (v: number): string => String(Math.round(v * 100) / 100);

export async function renderSvg(figure: Figure, options: SvgOptions = {}): Promise<string> {
  const width = options.width ?? 800;
  const height = options.height ?? 500;
  const id = options.id ?? 'area';
  const labels = figure.kind === 'lines' ? figure.series.map((s) => s.label) : [];
  const legendWidth = figure.kind === 'lines' ? 40 + 7.5 * Math.max(...labels.map((l) => l.length), 4) : 0;
  const box = { left: 70, top: 46, right: width - 24 - legendWidth, bottom: height - 52 };
  const xAxis =
    figure.kind === 'lines'
      ? axisFor(
          figure.series.map((s) => s.x),
          { ticks: 8, exact: true },
        )
      : axisFor([figure.grid.x], { ticks: 8, exact: true });
  const yAxis =
    figure.kind === 'lines'
      ? axisFor(
          figure.series.map((s) => s.y),
          { log: figure.yScale === 'log', ticks: 6 },
        )
      : axisFor([figure.grid.y], { ticks: 6, exact: true });
  const px = (v: number): number => box.left + fraction(xAxis, v) * (box.right - box.left);
  const py = (v: number): number => box.bottom - fraction(yAxis, v) * (box.bottom - box.top);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text class="title" x="${n2((box.left + box.right) / 2)}" y="28" text-anchor="middle" font-size="16">${escapeXml(figure.title)}</text>`,
    `<clipPath id="${id}"><rect x="${box.left}" y="${box.top}" width="${box.right - box.left}" height="${box.bottom - box.top}"/></clipPath>`,
  ];
  if (figure.kind === 'contour') out.push(...bands(figure, px, py, (await import('d3-contour')).contours, id));
  out.push(...axes(xAxis, yAxis, px, py, box));
  if (figure.kind === 'lines') {
    figure.series.forEach((s, k) => {
      if (s.marks !== undefined) {
        out.push(...marks(s, px, py, CURVE_COLORS[k % CURVE_COLORS.length], id));
        return;
      }
      out.push(
        `<path class="curve" data-label="${escapeXml(s.label)}" d="${pathData(s.x, s.y, px, py)}" fill="none" stroke="${CURVE_COLORS[k % CURVE_COLORS.length]}" stroke-width="1.8" stroke-linejoin="round" clip-path="url(#${id})"/>`,
      );
    });
    // The legend, beside the plot.
    const lx = box.right + 16;
    figure.series.forEach((s, k) => {
      const y = box.top + 10 + 22 * k;
      const colour = CURVE_COLORS[k % CURVE_COLORS.length];
      out.push(
        s.marks === undefined
          ? `<line x1="${n2(lx)}" y1="${y}" x2="${n2(lx + 24)}" y2="${y}" stroke="${colour}" stroke-width="2.5"/>`
          : `<circle cx="${n2(lx + 12)}" cy="${y}" r="4" fill="white" stroke="${colour}" stroke-width="1.8"/>`,
        `<text x="${n2(lx + 30)}" y="${y + 4.5}">${escapeXml(s.label)}</text>`,
      );
    });
  } else {
    const { path } = figure;
    out.push(
      `<path class="path" data-label="${escapeXml(figure.pathLabel ?? 'path')}" d="${pathData(path.x, path.y, px, py)}" fill="none" stroke="#d62728" stroke-width="1.5" clip-path="url(#${id})"/>`,
    );
    const n = path.x.length;
    if (n > 0) {
      out.push(
        `<circle class="start" cx="${n2(px(path.x[0]))}" cy="${n2(py(path.y[0]))}" r="4" fill="white" stroke="#d62728" stroke-width="1.5"/>`,
        `<circle class="end" cx="${n2(px(path.x[n - 1]))}" cy="${n2(py(path.y[n - 1]))}" r="4" fill="#d62728"/>`,
      );
    }
  }
  // Axis names.
  out.push(
    `<text x="${n2((box.left + box.right) / 2)}" y="${height - 12}" text-anchor="middle">${escapeXml(figure.xLabel)}</text>`,
  );
  if (figure.kind === 'contour') {
    out.push(
      `<text x="16" y="${n2((box.top + box.bottom) / 2)}" text-anchor="middle" transform="rotate(-90 16 ${n2((box.top + box.bottom) / 2)})">${escapeXml(figure.yLabel)}</text>`,
    );
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** A marks series: a circle at each finite point (class "mark"), those outside the area left out. */
function marks(
  s: { label: string; x: ArrayLike<number>; y: ArrayLike<number> },
  px: (v: number) => number,
  py: (v: number) => number,
  colour: string,
  id: string,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.x.length; i++) {
    const [x, y] = [px(s.x[i]), py(s.y[i])];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    out.push(
      `<circle class="mark" data-label="${escapeXml(s.label)}" cx="${n2(x)}" cy="${n2(y)}" r="3.5" fill="white" stroke="${colour}" stroke-width="1.8" clip-path="url(#${id})"/>`,
    );
  }
  return out;
}

/**
 * Several figures side by side in one SVG (minimize's picture and its value by iteration): each
 * drawn by renderSvg at `width` x `height`, nested at its offset, with a clip path of its own.
 */
export async function renderSvgRow(figures: readonly Figure[], options: SvgOptions = {}): Promise<string> {
  if (figures.length === 1) return renderSvg(figures[0], options);
  const width = options.width ?? 800;
  const height = options.height ?? 500;
  const parts = await Promise.all(figures.map((f, i) => renderSvg(f, { width, height, id: `area${i + 1}` })));
  return (
    [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width * figures.length}" height="${height}" viewBox="0 0 ${width * figures.length} ${height}">`,
      ...parts.map((p, i) => p.replace(/^<svg /, `<svg x="${width * i}" y="0" `).trimEnd()),
      '</svg>',
    ].join('\n') + '\n'
  );
}

/** `M x y L x y ...`, a new `M` after each gap (a non-finite point, or <= 0 on a log axis). */
function pathData(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  px: (v: number) => number,
  py: (v: number) => number,
): string {
  const parts: string[] = [];
  let open = false;
  for (let i = 0; i < xs.length; i++) {
    const x = px(xs[i]);
    // Far outside the area (a pole): kept near it, so the line still leaves through the edge.
    const y = Math.max(-1e4, Math.min(1e4, py(ys[i])));
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      open = false;
      continue;
    }
    parts.push(`${open ? 'L' : 'M'}${n2(x)} ${n2(y)}`);
    open = true;
  }
  return parts.join('');
}

function axes(
  xAxis: Axis,
  yAxis: Axis,
  px: (v: number) => number,
  py: (v: number) => number,
  box: { left: number; top: number; right: number; bottom: number },
): string[] {
  const out: string[] = [];
  for (const t of xAxis.ticks) {
    const x = n2(px(t));
    out.push(
      `<line x1="${x}" y1="${box.top}" x2="${x}" y2="${box.bottom}" stroke="#e5e5e5"/>`,
      `<line x1="${x}" y1="${box.bottom}" x2="${x}" y2="${box.bottom + 5}" stroke="#333"/>`,
      `<text x="${x}" y="${box.bottom + 20}" text-anchor="middle" fill="#333">${escapeXml(tickLabel(t))}</text>`,
    );
  }
  for (const t of yAxis.ticks) {
    const y = n2(py(t));
    out.push(
      `<line x1="${box.left}" y1="${y}" x2="${box.right}" y2="${y}" stroke="#e5e5e5"/>`,
      `<line x1="${box.left - 5}" y1="${y}" x2="${box.left}" y2="${y}" stroke="#333"/>`,
      `<text x="${box.left - 9}" y="${n2(Number(y) + 4.5)}" text-anchor="end" fill="#333">${escapeXml(tickLabel(t))}</text>`,
    );
  }
  out.push(
    `<rect x="${box.left}" y="${box.top}" width="${box.right - box.left}" height="${box.bottom - box.top}" fill="none" stroke="#333"/>`,
  );
  return out;
}

/** The contour bands, light to dark blue with f, as filled paths in data coordinates. */
function bands(
  figure: ContourFigure,
  px: (v: number) => number,
  py: (v: number) => number,
  contours: typeof import('d3-contour').contours,
  id: string,
): string[] {
  const { x, y, z } = figure.grid;
  const nx = x.length;
  const ny = y.length;
  if (nx < 2 || ny < 2) return [];
  const levels = figure.levels ?? contourLevels(z);
  // d3-contour puts value k at the centre of grid cell k: (i + 0.5, j + 0.5). A uniform grid.
  const gx = (u: number): number => px(x[0] + ((u - 0.5) * (x[nx - 1] - x[0])) / (nx - 1));
  const gy = (v: number): number => py(y[0] + ((v - 0.5) * (y[ny - 1] - y[0])) / (ny - 1));
  // d3-contour leaves NaN out of every band: a non-finite value is a gap (white), not the top band.
  const values = Array.from(z, (v) => (Number.isFinite(v) ? v : Number.NaN));
  const shapes = contours()
    .size([nx, ny])
    .thresholds([-Number.MAX_VALUE, ...levels])(values);
  return shapes.map((shape, k) => {
    const t = k / Math.max(1, shapes.length - 1);
    const fill = `rgb(${Math.round(240 - 190 * t)},${Math.round(246 - 150 * t)},${Math.round(255 - 90 * t)})`;
    const d = shape.coordinates
      .flatMap((polygon) => polygon.map((ring) => `M${ring.map(([u, v]) => `${n2(gx(u))} ${n2(gy(v))}`).join('L')}Z`))
      .join('');
    return `<path class="band" d="${d}" fill="${fill}" stroke="#8aa" stroke-width="0.5" clip-path="url(#${id})"/>`;
  });
}
