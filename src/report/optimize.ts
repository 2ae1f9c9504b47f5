/**
 * A minimization or a root search as text, rows or JSON. The text follows the book's layout
 * (step 28 prints the point at each iteration): the first iterate, every k-th, the last, then the
 * end point and why the search stopped.
 *
 *   gradient descent (lr 0.001) on 100*(y - x^2)^2 + (x - 1)^2 from y = 2, x = 0
 *        k                   y                   x                value              |grad|
 *        0                   2                   0                  401  ...
 *      100  ...
 *   stopped after 1000 iterations: iteration limit (1000 iterations done)
 *     point   y = 0.4659526837427042, x = 0.6837118569138317
 *     value   0.10003...
 *     |grad|  ...
 *
 * tsv and csv give every iterate (k, the coordinates, the value, the gradient norm); JSON the
 * whole record: {"expression", "method", "names", "trajectory": [{"k", "x": [...], "value",
 * "gradNorm"}], "point", "value", "gradient", "gradNorm", "iterations", "reason", "detail", ...}.
 * Over vectors and matrices the table keeps k, value and |grad|, the point takes a line a variable
 * (as numpy prints it), rows name each element (`W[1,2]`) and JSON adds "shapes" (each "x" flat).
 */
import { METHOD_INFO, type Iterate, type MinimizeResult } from '../api/minimize.js';
import { ROOT_METHOD_INFO, type RootIterate, type RootResult } from '../api/root.js';
import { jsonValue } from './array.js';
import { formatNumber, jsonNumber } from './format.js';
import { valueText } from './text.js';
import { shapeText, valueFrom } from '../engine/tensor.js';
import type { JsonValue } from './json.js';
import type { RenderSettings } from './settings.js';
import { PLAIN, type Style } from './style.js';
import { RowWriter, type BatchFormat } from './table.js';

/** About this many rows in the text's table, at a round step: 1, 2, 5, 10, 20, 50, ... */
const ROWS = 10;

/** The iterations the text shows: 0, every `every`-th, and the last. `every` default: a round step. */
export function shownIterations(last: number, every?: number): number[] {
  let step = every;
  if (step === undefined) {
    step = 1;
    for (let m = 1; last / step > ROWS; m *= 10)
      step = [1, 2, 5].map((c) => c * m).find((s) => last / s <= ROWS) ?? 10 * m;
  }
  const ks: number[] = [];
  for (let k = 0; k < last; k += step) ks.push(k);
  ks.push(last);
  return ks;
}

const point = (names: readonly string[], x: readonly number[], num: (n: number) => string): string =>
  names.map((n, i) => `${n} = ${num(x[i])}`).join(', ');

/** What the text shows: `every` k-th row (default: a round step), or with `quiet` no table. */
export interface SearchTextOptions {
  every?: number;
  quiet?: boolean;
}

/** True when some variable of the minimization is a vector or matrix. */
const hasTensors = (r: MinimizeResult): boolean => r.names.some((n) => (r.shapes[n]?.length ?? 0) > 0);

/**
 * The coordinates' names for rows: a number's name, and each element of a vector or matrix by its
 * 1-based index as the expression would write it: `W[1,2]`, `b[3]`.
 */
export function coordinateNames(r: Pick<MinimizeResult, 'names' | 'shapes'>): string[] {
  return r.names.flatMap((n) => {
    const shape = r.shapes[n] ?? [];
    if (shape.length === 0) return [n];
    const size = shape.reduce((a, b) => a * b, 1);
    return Array.from({ length: size }, (_, flat) => {
      const index: number[] = [];
      for (let d = shape.length - 1; d >= 0; d--) {
        index.unshift((flat % shape[d]) + 1);
        flat = Math.floor(flat / shape[d]);
      }
      return `${n}[${index.join(',')}]`;
    });
  });
}

/**
 * A point of a minimization over vectors and matrices: each variable on a line of its own,
 * `label` before the first, its value as numpy prints it and its shape (valueText).
 */
function tensorPoint(r: MinimizeResult, x: readonly number[], label: string, settings: RenderSettings): string[] {
  const style = settings.style ?? PLAIN;
  let at = 0;
  return r.names.map((n, i) => {
    const shape = r.shapes[n] ?? [];
    const size = shape.reduce((a, b) => a * b, 1);
    const v = valueFrom(shape, Float64Array.from(x.slice(at, at + size)), 'minimize');
    at += size;
    const head = `  ${(i === 0 ? label : '').padEnd(8)}${style.name(n)} = `;
    return head + valueText(v, head.length - (style.name(n).length - n.length), style, settings.precision);
  });
}

/** `W [2, 2], c = 0`: the variables of a minimization over tensors, a number with its start. */
function startShapes(r: MinimizeResult, x: readonly number[], num: (n: number) => string, style: Style): string {
  let at = 0;
  return r.names
    .map((n) => {
      const shape = r.shapes[n] ?? [];
      const first = at;
      at += shape.reduce((a, b) => a * b, 1);
      return shape.length === 0
        ? `${style.name(n)} = ${num(x[first])}`
        : `${style.name(n)} ${style.dim(shapeText(shape))}`;
    })
    .join(', ');
}

/** A minimization as text for people. */
export function renderMinimizeText(
  r: MinimizeResult,
  settings: RenderSettings = {},
  options: SearchTextOptions = {},
): string {
  const style = settings.style ?? PLAIN;
  const plain = (n: number): string => formatNumber(n, settings.precision);
  const num = (n: number): string => style.value(plain(n));
  const start = r.trajectory[0];
  const info = METHOD_INFO[r.method];
  const given = [
    ...(r.lr === undefined ? [] : [`lr ${r.lr}`]),
    ...(info.constants === undefined ? [] : [info.constants]),
  ];
  const lr = given.length === 0 ? '' : ` (${given.join(', ')})`;
  const lines: string[] = [];
  // Over vectors and matrices the table has no column per coordinate, and points take a line a variable.
  const tensors = hasTensors(r);
  const end = r.trajectory[r.trajectory.length - 1].x;
  if (!options.quiet) {
    const from = tensors ? startShapes(r, start.x, num, style) : point(r.names, start.x, num);
    lines.push(`${style.heading(info.title)}${lr} on ${r.expression.trim()} ${tensors ? 'over' : 'from'} ${from}`);
    const ks = new Set(shownIterations(r.iterations, options.every));
    const rows = r.trajectory.filter((it) => ks.has(it.k));
    const names = tensors ? [] : r.names;
    lines.push(table(['k', ...names, 'value', '|grad|'], minimizeColumns(rows, names.length), rows.length, settings));
  }
  lines.push(stoppedLine(r.iterations, r.reason, r.detail));
  if (tensors) lines.push(...tensorPoint(r, end, 'point', settings));
  else lines.push(`  point   ${point(r.names, end, num)}`);
  lines.push(`  value   ${num(r.value)}`);
  lines.push(`  |grad|  ${num(r.gradNorm)}`);
  if (r.best.k !== r.iterations && ['interrupted', 'non-finite', 'diverging'].includes(r.reason)) {
    const at = `(value ${num(r.best.value)} at iteration ${r.best.k})`;
    if (tensors) lines.push(`  best    ${at}`, ...tensorPoint(r, r.best.x, '', settings));
    else lines.push(`  best    ${point(r.names, r.best.x, num)}  ${at}`);
  }
  return lines.join('\n') + '\n';
}

/** A root search as text for people. */
export function renderRootText(r: RootResult, settings: RenderSettings = {}, options: SearchTextOptions = {}): string {
  const style = settings.style ?? PLAIN;
  const num = (n: number): string => style.value(formatNumber(n, settings.precision));
  const start = r.trajectory[0];
  const what = r.expressions.length === 1 ? `${r.expressions[0]} = 0` : `[${r.expressions.join(', ')}] = 0`;
  const from =
    r.startBracket !== undefined
      ? `in [${num(r.startBracket[0])}, ${num(r.startBracket[1])}]`
      : `from ${point(r.names, start.x, num)}`;
  const lines: string[] = [];
  if (!options.quiet) {
    lines.push(`${style.heading(ROOT_METHOD_INFO[r.method].title)} on ${what} ${from}`);
    const ks = new Set(shownIterations(r.iterations, options.every));
    const rows = r.trajectory.filter((it) => ks.has(it.k));
    lines.push(table(rootHeaders(r, 'table'), rootColumns(rows, r), rows.length, settings));
  }
  lines.push(stoppedLine(r.iterations, r.reason, r.detail));
  lines.push(`  root    ${point(r.names, r.trajectory[r.trajectory.length - 1].x, num)}`);
  lines.push(
    r.residual.length === 1
      ? `  f       ${num(r.residual[0])}`
      : `  |f|     ${num(r.norm)}  (${r.residual.map(num).join(', ')})`,
  );
  if (r.bracket !== undefined) lines.push(`  bracket [${num(r.bracket[0])}, ${num(r.bracket[1])}]`);
  return lines.join('\n') + '\n';
}

function stoppedLine(iterations: number, reason: string, detail: string): string {
  return `stopped after ${iterations} iteration${iterations === 1 ? '' : 's'}: ${reason} (${detail})`;
}

function table(headers: string[], columns: number[][], n: number, settings: RenderSettings): string {
  return new RowWriter('table', headers, settings).rows(columns, n).replace(/\n$/, '');
}

function minimizeColumns(rows: readonly Iterate[], dims: number): number[][] {
  return [
    rows.map((it) => it.k),
    ...Array.from({ length: dims }, (_, i) => rows.map((it) => it.x[i])),
    rows.map((it) => it.value),
    rows.map((it) => it.gradNorm),
  ];
}

function rootHeaders(r: RootResult, format: BatchFormat): string[] {
  const n = r.expressions.length;
  const fs = n === 1 ? ['f'] : r.expressions.map((_, i) => `f${i + 1}`);
  return ['k', ...r.names, ...fs, ...(n === 1 ? [] : [format === 'table' ? '|f|' : 'norm'])];
}

function rootColumns(rows: readonly RootIterate[], r: RootResult): number[][] {
  const n = r.expressions.length;
  return [
    rows.map((it) => it.k),
    ...r.names.map((_, i) => rows.map((it) => it.x[i])),
    ...Array.from({ length: n }, (_, i) => rows.map((it) => it.residual[i])),
    ...(n === 1 ? [] : [rows.map((it) => it.norm)]),
  ];
}

/** Every iterate of a minimization as tsv or csv: k, the coordinates, value, grad_norm. */
export function minimizeRows(r: MinimizeResult, format: 'tsv' | 'csv', settings: RenderSettings = {}): string {
  const coordinates = coordinateNames(r);
  const headers = ['k', ...coordinates, 'value', 'grad_norm'];
  return new RowWriter(format, headers, settings).rows(
    minimizeColumns(r.trajectory, coordinates.length),
    r.trajectory.length,
  );
}

/** Every iterate of a root search as tsv or csv: k, the coordinates, each residual (and their norm). */
export function rootRows(r: RootResult, format: 'tsv' | 'csv', settings: RenderSettings = {}): string {
  return new RowWriter(format, rootHeaders(r, format), settings).rows(
    rootColumns(r.trajectory, r),
    r.trajectory.length,
  );
}

type Json = { [key: string]: JsonValue };

const byName = (names: readonly string[], xs: ArrayLike<number>, n: (v: number) => JsonValue): Json =>
  Object.fromEntries(names.map((name, i) => [name, n(xs[i])]));

/** The minimization record as one JSON object (non-finite numbers as strings). */
export function minimizeJson(r: MinimizeResult, settings: RenderSettings = {}): Json {
  const n = (v: number): number | string => jsonNumber(v, settings.precision);
  return {
    expression: r.expression.trim(),
    method: r.method,
    names: r.names,
    ...(r.lr === undefined ? {} : { lr: r.lr }),
    iters: r.iters,
    tol: r.tol,
    // Over vectors and matrices: each one's shape, for the flattened coordinates of `x` below.
    ...(hasTensors(r) ? { shapes: r.shapes } : {}),
    point: Object.fromEntries(r.names.map((name) => [name, jsonValue(r.point[name], settings.precision)])),
    value: n(r.value),
    gradient: Object.fromEntries(r.names.map((name) => [name, jsonValue(r.gradient[name], settings.precision)])),
    gradNorm: n(r.gradNorm),
    iterations: r.iterations,
    evaluations: r.evaluations,
    reason: r.reason,
    detail: r.detail,
    best: { k: r.best.k, x: r.best.x.map(n), value: n(r.best.value) },
    trajectory: r.trajectory.map((it) => ({ k: it.k, x: it.x.map(n), value: n(it.value), gradNorm: n(it.gradNorm) })),
  };
}

/** The root search record as one JSON object. */
export function rootJson(r: RootResult, settings: RenderSettings = {}): Json {
  const n = (v: number): number | string => jsonNumber(v, settings.precision);
  return {
    expressions: r.expressions,
    method: r.method,
    names: r.names,
    iters: r.iters,
    tol: r.tol,
    point: byName(
      r.names,
      r.names.map((name) => r.point[name]),
      n,
    ),
    residual: r.residual.map(n),
    norm: n(r.norm),
    iterations: r.iterations,
    evaluations: r.evaluations,
    reason: r.reason,
    detail: r.detail,
    ...(r.bracket === undefined ? {} : { startBracket: r.startBracket!.map(n), bracket: r.bracket.map(n) }),
    trajectory: r.trajectory.map((it) => ({ k: it.k, x: it.x.map(n), residual: it.residual.map(n), norm: n(it.norm) })),
  };
}
