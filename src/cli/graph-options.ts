/**
 * The graph and higher-order options of the default command: --order/--wrt, --hessian,
 * --trace-grad, --dot, --graph and --tree. evaluate.ts hands off here once the graph is built and
 * differentiated; this module checks the combination, computes and picks the renderers.
 */
import type { Value } from '../engine/tensor.js';
import type { GradResult } from '../api/grad.js';
import type { Graph } from '../expr/build.js';
import {
  derivativeName,
  GraphTooLargeError,
  hessianAt,
  derivativesAt,
  mergeFirst,
  type GradientPass,
} from '../api/higher.js';
import { drawingView, gradSnapshot, type Cluster } from '../api/view.js';
import { renderDot } from '../report/dot.js';
import { derivativesJson, renderDerivatives, renderHessian, renderPass } from '../report/derivatives.js';
import { jsonObject } from '../report/json.js';
import { formatNumber } from '../report/format.js';
import type { RenderSettings } from '../report/settings.js';
import { PLAIN } from '../report/style.js';
import { renderText } from '../report/text.js';
import { renderTree } from '../report/tree.js';
import type { Variable } from '../engine/variable.js';
import { EXIT, UsageError } from './errors.js';
import type { IO } from './io.js';
import { checkOrder, checkWrt, type GraphOptions } from './graph-flags.js';

export {
  checkOrder,
  checkWrt,
  type GraphOptions,
  MAX_ORDER,
  parseOrder,
  wantsGraphOptions,
  wantsPointOptions,
} from './graph-flags.js';

export interface GraphRun {
  source: string;
  graph: Graph;
  result: GradResult<Value>;
  values: ReadonlyMap<string, Value>;
  json: boolean;
  quiet: boolean;
  settings: RenderSettings;
}

const FORMATS = new Set(['svg', 'png', 'pdf']);

export async function graphCommand(o: GraphOptions, run: GraphRun, io: IO): Promise<number> {
  const { graph, result, settings } = run;
  const names = [...graph.variables.keys()];
  checkCombination(o, run, names);
  const wrt = o.order === undefined ? undefined : (o.wrt ?? names[0]);
  const format = o.graph === undefined ? undefined : graphFormat(o.graph);
  const drawing = o.dot === true || o.graph !== undefined || o.tree === true;

  // Gradients for the drawings, as the ordinary backward pass left them (before more passes clear them).
  const grads = gradSnapshot(graph.output);
  const roots: Variable[] = [];
  const clusters: Cluster[] = [];
  let derivatives: number[] | undefined;
  let passes: GradientPass[] = [];
  let hessian: { names: string[]; matrix: number[][] } | undefined;
  higher(() => {
    if (wrt !== undefined) {
      const h = derivativesAt(graph, wrt, o.order!, { keepGraph: drawing, tracePasses: o.traceGrad });
      derivatives = h.derivatives;
      passes = h.passes;
      mergeFirst(grads, h.grads);
      for (const v of h.variables) roots.push(v);
      clusters.push(...h.clusters);
    }
    if (o.hessian === true) {
      checkHessianWork(names.length, graph.steps.length);
      const h = hessianAt(graph, names, { tracePasses: o.traceGrad });
      hessian = { names: h.names, matrix: h.matrix };
      if (wrt === undefined) {
        passes = h.passes;
        clusters.push(...h.clusters);
      }
      mergeFirst(grads, h.grads);
    }
  });

  const view = drawingView(graph, { grads, roots, clusters });
  if (o.graph !== undefined) {
    const ok = await drawGraph(renderDot(view, settings), o.graph, format!, io);
    if (!ok) return EXIT.BAD_INPUT;
  }
  if (o.dot === true) {
    io.out(renderDot(view, settings));
    return EXIT.OK;
  }

  if (run.json) {
    const obj = {
      ...jsonObject(run.source.trim(), run.values, result, { ...settings, quiet: run.quiet }),
      ...derivativesJson({ wrt, derivatives, hessian, passes: o.traceGrad ? passes : undefined }, settings),
    };
    io.out(JSON.stringify(obj) + '\n');
    return EXIT.OK;
  }
  let text = '';
  // --tree is asked for by name: --quiet drops the trace, not the tree.
  if (o.tree === true) text += renderTree({ ...view, roots: [graph.output] }, settings);
  text += renderText(result, run.values, { ...settings, quiet: run.quiet || o.tree === true });
  if (derivatives !== undefined) {
    text += renderDerivatives(graph.outputName, wrt!, derivatives, o.traceGrad && !run.quiet ? passes : [], settings);
  }
  if (hessian !== undefined) {
    if (o.traceGrad && !run.quiet && wrt === undefined) {
      // Each row of the Hessian is one backward pass through the gradient's graph.
      for (const p of passes) {
        text += renderPass(p, `row ${p.of.slice(p.of.indexOf('/') + 2)} of the hessian`, settings);
      }
    }
    text += renderHessian(graph.outputName, hessian.names, hessian.matrix, settings);
  }
  io.out(text);
  return EXIT.OK;
}

function checkCombination(o: GraphOptions, run: GraphRun, names: string[]): void {
  if (o.dot === true && (run.json || o.tree === true)) {
    throw new UsageError(
      '--dot prints only the graph: it does not combine with --json or --tree',
      'use --graph FILE.svg to draw it beside the usual output',
    );
  }
  if (o.tree === true && run.json) throw new UsageError('--tree is for the terminal: it does not combine with --json');
  if (o.wrt !== undefined && o.order === undefined) {
    throw new UsageError('--wrt goes with --order', `write --order 2 --wrt ${o.wrt}`);
  }
  if (o.traceGrad === true && o.order === undefined && o.hessian !== true) {
    throw new UsageError('--trace-grad shows the passes of --order or --hessian', 'write --order 2 --trace-grad');
  }
  if (o.order !== undefined) checkWrt(names, o.wrt, { order: '--order', wrt: (name) => `--wrt ${name}` });
  if (o.hessian === true && names.length === 0) throw new UsageError('--hessian: the expression has no variables');
}

export interface GraphTextOptions extends RenderSettings {
  /** For orderText: each pass through a gradient graph too. */
  traceGrad?: boolean;
}

/**
 * For the REPL's `:order N [NAME]`: `dy/dx = ...` up to `dNy/dxN = ...` for a freshly built and
 * differentiated graph (`const graph = build(root, values, source); differentiate(graph)`).
 * Throws UsageError for a bad N or NAME, or an order too high to build.
 */
export function orderText(graph: Graph, n: number, wrt: string | undefined, options: GraphTextOptions = {}): string {
  checkOrder(n);
  const name = checkWrt([...graph.variables.keys()], wrt, { order: ':order', wrt: (v) => `:order ${n} ${v}` });
  const h = higher(() => derivativesAt(graph, name, n, { tracePasses: options.traceGrad }));
  const style = options.style ?? PLAIN;
  const first = `${style.heading(`${derivativeName(graph.outputName, name, 1)} =`)} ${style.value(formatNumber(h.derivatives[0], options.precision))}\n`;
  return first + renderDerivatives(graph.outputName, name, h.derivatives, h.passes, options);
}

/** For the REPL's `:dot`: Graphviz DOT of a freshly built and differentiated graph. */
export function dotText(graph: Graph, settings: RenderSettings = {}): string {
  return renderDot(drawingView(graph, { grads: gradSnapshot(graph.output) }), settings);
}

/** For the REPL's `:tree`: the indented tree of a freshly built and differentiated graph. */
export function treeText(graph: Graph, settings: RenderSettings = {}): string {
  const view = drawingView(graph, { grads: gradSnapshot(graph.output) });
  return renderTree({ ...view, roots: [graph.output] }, settings);
}

/** Runs a higher-order computation; a graph too big to build is bad input, said with --order, not a crash. */
export function higher<T>(compute: () => T): T {
  try {
    return compute();
  } catch (e) {
    if (!(e instanceof GraphTooLargeError)) throw e;
    throw new UsageError(
      `--order ${e.order} is too high for this expression: the gradient graph of ${e.derivative} already has ` +
        `${e.functions} functions and the next would have about ${e.next} (the limit for all is ${e.limit})`,
      'ask for a lower order; each order can triple the graph',
    );
  }
}

function graphFormat(file: string): string {
  const dot = file.lastIndexOf('.');
  const ext = dot < 0 ? '' : file.slice(dot + 1).toLowerCase();
  if (!FORMATS.has(ext)) {
    throw new UsageError(
      `--graph draws .svg, .png or .pdf files, got '${file}'`,
      'write --graph graph.svg (or --dot for the DOT text)',
    );
  }
  return ext;
}

/** Renders through Graphviz; without it, writes the DOT beside FILE and says how to draw it. */
async function drawGraph(dot: string, file: string, format: string, io: IO): Promise<boolean> {
  if (io.runGraphviz === undefined || io.writeFile === undefined) throw new UsageError('--graph is not available here');
  const outcome = await io.runGraphviz(dot, format, file);
  if (outcome === 'ok') return true;
  const dotFile = file.slice(0, file.lastIndexOf('.')) + '.dot';
  if (outcome === 'missing') {
    await io.writeFile(dotFile, dot);
    io.err(
      `dezero-grad: cannot draw ${file}: Graphviz's dot program is not installed (or not on PATH).\n` +
        `  The graph is in ${dotFile}. Install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz;\n` +
        `  macOS: brew install graphviz; others: https://graphviz.org/download/), then run:\n` +
        `    dot -T${format} ${dotFile} -o ${file}\n`,
    );
    return false;
  }
  io.err(`dezero-grad: dot could not draw ${file}: ${outcome.error.trim()}\n`);
  return false;
}

/** Most variables --hessian takes: its matrix has a row and a column for each. */
export const MAX_HESSIAN_VARIABLES = 200;
/** Most function steps the Hessian's passes may take in all: one pass a variable over the gradient graph. */
export const MAX_HESSIAN_WORK = 5_000_000;

/** Refuses, before any pass runs, a Hessian too large to print or too long to compute. */
function checkHessianWork(variables: number, steps: number): void {
  if (variables > MAX_HESSIAN_VARIABLES) {
    throw new UsageError(
      `--hessian of ${variables} variables is a ${variables}x${variables} matrix; the limit is ${MAX_HESSIAN_VARIABLES} variables`,
      'give the gradient alone (without --hessian), or a smaller expression',
    );
  }
  // Each pass runs through the gradient graph, a few times the expression's graph.
  const work = variables * 3 * steps;
  if (work > MAX_HESSIAN_WORK) {
    throw new UsageError(
      `--hessian would take about ${work} function steps (${variables} backward passes over ${3 * steps}); the limit is ${MAX_HESSIAN_WORK}`,
      'give the gradient alone (without --hessian), or a smaller expression',
    );
  }
}
