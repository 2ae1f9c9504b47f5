/**
 * Higher-order results as text and JSON: `d2y/dx2 = ...` lines, the Hessian as an aligned matrix,
 * and (for --trace-grad) each backward pass through a gradient graph, told like the ordinary trace.
 */
import type { GradResult } from '../api/grad.js';
import type { Value } from '../engine/tensor.js';
import { derivativeName, type GradientPass } from '../api/higher.js';
import { scalarOf } from '../engine/tensor.js';
import { formatNumber, jsonNumber } from './format.js';
import type { JsonValue } from './json.js';
import type { RenderSettings } from './settings.js';
import { PLAIN } from './style.js';
import { renderText } from './text.js';

/**
 * `d2y/dx2 = ...` for k = 2..N (dy/dx is among the ordinary result lines). With passes, each line
 * follows the pass that computed it: the gradient graph's steps and the backward run through them.
 */
export function renderDerivatives(
  output: string,
  wrt: string,
  derivatives: readonly number[],
  passes: readonly GradientPass[] = [],
  settings: RenderSettings = {},
): string {
  const style = settings.style ?? PLAIN;
  let text = '';
  for (let k = 2; k <= derivatives.length; k++) {
    const pass = passes[k - 2];
    const name = derivativeName(output, wrt, k);
    if (pass !== undefined && pass.backward.length > 0) text += renderPass(pass, name, settings);
    text += `${style.heading(`${name} =`)} ${style.value(formatNumber(derivatives[k - 1], settings.precision))}\n`;
  }
  return text;
}

/** One pass: the gradient graph that computed `pass.of`, then backward from it. */
export function renderPass(pass: GradientPass, computes: string, settings: RenderSettings = {}): string {
  const style = settings.style ?? PLAIN;
  const value = pass.graph.length > 0 ? pass.graph[pass.graph.length - 1].value : NaN;
  const result: GradResult<Value> = {
    value,
    gradient: {},
    trace: { output: pass.root, value, forward: pass.graph.map(({ gradient: _, ...r }) => r), backward: pass.backward },
  };
  const body = renderText(result, new Map(), { ...settings, style }).split('\n');
  // Drop renderText's closing `f = value` line: the caller prints what the pass computed.
  const lines = body.slice(0, body.length - 2);
  const title = `${computes}: backward from ${pass.root} = ${pass.of}, through the graph the previous backward built`;
  // The headings say whose graph this is (they may carry colour codes around the word).
  const headed = lines.map((l) => l.replace(/^((?:\x1b\[[0-9;]*m)?(?:forward|backward))/, `$1 (${pass.of})`));
  return `${style.dim(title)}\n${headed.join('\n')}\n`;
}

/**
 * The Hessian as an aligned matrix, rows and columns labelled by variable:
 *
 *     hessian (d2z/dxi dxj)
 *            x   y
 *       x    2   1
 *       y    1   0
 */
export function renderHessian(
  output: string,
  names: readonly string[],
  matrix: readonly (readonly number[])[],
  settings: RenderSettings = {},
): string {
  const style = settings.style ?? PLAIN;
  const cells = matrix.map((row) => row.map((n) => formatNumber(n, settings.precision)));
  const first = Math.max(...names.map((n) => n.length));
  const widths = names.map((n, j) => Math.max(n.length, ...cells.map((row) => row[j].length)));
  const lines = [
    style.heading(`hessian (d2${output}/dxi dxj)`),
    `  ${' '.repeat(first)}` + names.map((n, j) => '  ' + style.name(n.padStart(widths[j]))).join(''),
    ...cells.map(
      (row, i) =>
        `  ${style.name(names[i].padEnd(first))}` +
        row.map((c, j) => '  ' + style.value(c.padStart(widths[j]))).join(''),
    ),
  ];
  return lines.join('\n') + '\n';
}

/** JSON fields for --order and --hessian, to merge into the ordinary result object. */
export function derivativesJson(
  parts: {
    wrt?: string;
    derivatives?: readonly number[];
    hessian?: { names: readonly string[]; matrix: readonly (readonly number[])[] };
    passes?: readonly GradientPass[];
  },
  settings: RenderSettings = {},
): { [key: string]: JsonValue } {
  const n = (x: number): number | string => jsonNumber(x, settings.precision);
  const obj: { [key: string]: JsonValue } = {};
  if (parts.derivatives !== undefined) {
    obj.wrt = parts.wrt ?? null;
    obj.derivatives = parts.derivatives.map(n);
  }
  if (parts.hessian !== undefined) {
    const { names, matrix } = parts.hessian;
    const rows: { [key: string]: JsonValue } = Object.create(null);
    names.forEach((row, i) => {
      const cols: { [key: string]: JsonValue } = Object.create(null);
      names.forEach((col, j) => (cols[col] = n(matrix[i][j])));
      rows[row] = cols;
    });
    obj.hessian = rows;
  }
  if (parts.passes !== undefined) {
    obj.gradientPasses = parts.passes.map((p) => ({
      of: p.of,
      root: p.root,
      forward: p.graph.map((r) => ({ name: r.name, op: r.op, inputs: r.inputs, value: n(scalarOf(r.value)) })),
      backward: p.backward.map((r) => ({
        name: r.name,
        from: r.from,
        op: r.label,
        rule: r.rule,
        value: n(scalarOf(r.value)),
        grad: n(scalarOf(r.grad)),
      })),
    }));
  }
  return obj;
}
