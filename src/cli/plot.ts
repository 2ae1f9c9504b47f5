/**
 * `--plot`: the value and the derivatives over a range as a figure, in the terminal or in a file.
 * Loaded with `await import()` only when a plot is drawn (with d3-contour and, for a PNG, resvg).
 *
 * PNG: the SVG rendered by resvg (@resvg/resvg-js: resvg's Rust renderer with a prebuilt binary
 * per platform in the registry's packages, no install script; text with the system's fonts).
 */
import type { Figure } from '../report/plot.js';
import type { RenderSettings } from '../report/settings.js';
import { UsageError } from './errors.js';
import type { IO } from './io.js';
import type { PlotTarget } from './plot-options.js';

export interface PlotRun {
  target: PlotTarget;
  /** The expression: the figure's title. */
  title: string;
  x: { name: string; values: Float64Array };
  curves: { label: string; values: Float64Array }[];
  settings: RenderSettings;
}

/** The terminal's size: the terminal's own, else COLUMNS and LINES, else 80 x 24. */
export function terminalSize(io: IO): { width: number; height: number } {
  const env = (name: string): number | undefined => {
    const v = Number(io.env[name]);
    return Number.isInteger(v) && v > 0 ? v : undefined;
  };
  return { width: io.columns ?? env('COLUMNS') ?? 80, height: io.rows ?? env('LINES') ?? 24 };
}

export async function plotCommand(run: PlotRun, io: IO): Promise<void> {
  const figure: Figure = {
    kind: 'lines',
    title: run.title,
    xLabel: run.x.name,
    series: run.curves.map((c) => ({ label: c.label, x: run.x.values, y: c.values })),
  };
  await drawFigure(figure, run.target, run.settings, io);
}

/** Draws any figure (lines or contour) where `target` says: the terminal, an SVG or a PNG file. */
export async function drawFigure(figure: Figure, target: PlotTarget, settings: RenderSettings, io: IO): Promise<void> {
  if (target.kind === 'terminal') {
    const { renderTerminalPlot } = await import('../report/plot.js');
    io.out(renderTerminalPlot(figure, { ...settings, ...terminalSize(io) }));
    return;
  }
  const { renderSvg } = await import('../report/svg.js');
  await writePlot(target, await renderSvg(figure), io);
}

/**
 * Draws several figures: in the terminal one after the other, each the terminal's size (the last
 * `reserve` lines shorter, for text printed after it); in a file side by side, `width` x `height`
 * each.
 */
export async function drawFigures(
  figures: readonly Figure[],
  target: PlotTarget,
  settings: RenderSettings,
  io: IO,
  options: { reserve?: number; width?: number; height?: number } = {},
): Promise<void> {
  if (target.kind === 'terminal') {
    const { renderTerminalPlot } = await import('../report/plot.js');
    const size = terminalSize(io);
    figures.forEach((figure, i) => {
      const height = i === figures.length - 1 ? Math.max(12, size.height - (options.reserve ?? 0)) : size.height;
      io.out(renderTerminalPlot(figure, { ...settings, width: size.width, height }));
    });
    return;
  }
  const { renderSvgRow } = await import('../report/svg.js');
  await writePlot(target, await renderSvgRow(figures, { width: options.width, height: options.height }), io);
}

async function writePlot(target: PlotTarget & { kind: 'file' }, svg: string, io: IO): Promise<void> {
  if (io.writeFile === undefined) throw new UsageError('--plot FILE is not available here');
  const data = target.format === 'svg' ? svg : await svgToPng(svg);
  try {
    await io.writeFile(target.path, data);
  } catch (e) {
    throw new UsageError(`cannot write ${target.path}: ${(e as Error).message}`);
  }
}

/** The SVG as a PNG of the same size, through resvg. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  let Resvg: typeof import('@resvg/resvg-js').Resvg;
  try {
    ({ Resvg } = await import('@resvg/resvg-js'));
  } catch (e) {
    throw new UsageError(
      `cannot draw a PNG here: the renderer (@resvg/resvg-js) did not load (${(e as Error).message.split('\n')[0]})`,
      'write --plot FILE.svg instead',
    );
  }
  const resvg = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } });
  return resvg.render().asPng();
}
