/**
 * The graph as Graphviz DOT, drawn the way the book's step 26 draws it (DeZero's get_dot_graph):
 * variables as orange ellipses, functions as light-blue boxes, an edge from each input to its
 * function and from the function to its output. Variables are labelled `name | value | grad`;
 * gradient graphs (from diff or --order) sit in dashed clusters of their own.
 *
 *     dezero-grad "square(exp(square(x)))" --x 0.5 --dot | dot -Tsvg -o graph.svg
 */
import type { Value } from '../engine/tensor.js';
import { graphOf } from '../engine/gradients.js';
import type { DFunction, Variable } from '../engine/variable.js';
import { displayName } from '../expr/build.js';
import type { GraphView } from '../api/view.js';
import { inlineValue, valueShapeText } from './array.js';
import type { RenderSettings } from './settings.js';
import { isConstant } from './view.js';

const VARIABLE = 'shape=ellipse, color=orange, style=filled';
const CONSTANT = 'shape=ellipse, color="#ffe0b3", style=filled';
const FUNCTION = 'shape=box, color=lightblue, style=filled';
const CLUSTER = 'style="dashed,rounded"; color=gray50; fontcolor=gray30';

/** The view as DOT; of the settings only the precision applies (DOT has no colour). */
export function renderDot(view: GraphView, settings: RenderSettings = {}): string {
  const { variables, functions } = graphOf(view.roots);
  const fid = new Map<DFunction, string>(functions.map((f, i) => [f, `f${i}`]));
  // Variables numbered within the drawing, in the order they were made: the same graph gives the
  // same DOT whatever was made before it (a value written as an expression, a REPL session).
  // (An edge's end that is not among them, an unused output, is numbered after them.)
  const vnum = new Map([...variables].sort((a, b) => a.id - b.id).map((v, i) => [v, `v${i}`]));
  const vid = (v: Variable): string => {
    let id = vnum.get(v);
    if (id === undefined) vnum.set(v, (id = `v${vnum.size}`));
    return id;
  };
  const clusters = view.clusters ?? [];
  const clusterOf = new Map<DFunction, number>();
  clusters.forEach((c, i) => {
    for (const f of c.functions) if (fid.has(f) && !clusterOf.has(f)) clusterOf.set(f, i);
  });

  // Each node goes in its cluster (-1: the forward graph). A variable sits with its creator; a
  // constant with its first consumer, so a rule's literals stay inside the gradient graph.
  const firstConsumer = new Map<Variable, DFunction>();
  for (const f of functions) for (const x of f.inputs) if (!firstConsumer.has(x)) firstConsumer.set(x, f);
  const placeOf = (v: Variable): number => {
    const f = v.creator ?? (isConstant(v) ? firstConsumer.get(v) : undefined);
    return f === undefined ? -1 : (clusterOf.get(f) ?? -1);
  };
  const nodes: string[][] = [[], ...clusters.map(() => [])];
  for (const v of variables) {
    const label = escapeLabel(variableLabel(v, view, settings.precision));
    nodes[placeOf(v) + 1].push(`${vid(v)} [label="${label}", ${isConstant(v) ? CONSTANT : VARIABLE}]`);
  }
  for (const f of functions)
    nodes[(clusterOf.get(f) ?? -1) + 1].push(`${fid.get(f)} [label="${escapeLabel(f.label)}", ${FUNCTION}]`);

  const lines = ['digraph g {', '  node [fontname="Helvetica"];'];
  // Loops, not push(...spread): a graph can have more nodes than a call can take arguments.
  for (const n of nodes[0]) lines.push(`  ${n}`);
  clusters.forEach((c, i) => {
    if (nodes[i + 1].length === 0) return;
    lines.push(`  subgraph cluster_${i} {`, `    label="${escapeLabel(c.label)}"; ${CLUSTER};`);
    for (const n of nodes[i + 1]) lines.push(`    ${n}`);
    lines.push('  }');
  });
  for (const f of functions) {
    for (const x of f.inputs) lines.push(`  ${vid(x)} -> ${fid.get(f)}`);
    for (const y of f.outputs) lines.push(`  ${fid.get(f)} -> ${vid(y)}`);
  }
  const drawn = new Set(variables);
  for (const link of view.links ?? []) {
    const f = link.to.creator;
    if (f !== null && fid.has(f) && drawn.has(link.from)) {
      lines.push(`  ${vid(link.from)} -> ${fid.get(f)} [style=dashed, label="${escapeLabel(link.label)}"]`);
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/**
 * `x | 0.5 | grad 3.29...`; a constant is just its value. A vector or matrix gives its shape after
 * the name, as DeZero's verbose labels do, and its elements when there are few:
 * `W [2, 2] | [[1, 2], [3, 4]] | grad [[1, 2], [1, 2]]`.
 */
function variableLabel(v: Variable, view: GraphView, precision: number | undefined): string {
  const shape = typeof v.data === 'number' ? '' : ` ${valueShapeText(v.data)}`;
  const value = (x: Value): string | undefined => inlineValue(x, precision);
  if (isConstant(v)) return v.name ?? `${value(v.data) ?? 'constant'}${shape}`;
  const grad = view.grads.get(v);
  const parts = [
    `${displayName(v)}${shape}`,
    value(v.data),
    grad === undefined ? undefined : `grad ${value(grad) ?? valueShapeText(grad)}`,
  ];
  return parts.filter((p) => p !== undefined).join(' | ');
}

/** A DOT double-quoted string's content. */
function escapeLabel(s: string): string {
  return s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}
