/**
 * The graph as an indented tree for the terminal, for people without Graphviz: the output at the
 * top, each variable's inputs below it, with values and gradients.
 *
 *     y = square(b) = 1.648721270700128   grad 1
 *     └─ b = exp(a) = 1.2840254166877414   grad 2.568050833375483
 *        └─ a = square(x) = 0.25   grad 3.297442541400256
 *           └─ x = 0.5   grad 3.297442541400256
 *
 * A variable used twice is drawn once; later uses say `(see above)`. The walk uses an explicit
 * stack, and indentation stops growing past MAX_INDENT levels (a 200,000-deep chain prints in
 * linear space, each line marked with its depth).
 */
import type { Value } from '../engine/tensor.js';
import type { Variable } from '../engine/variable.js';
import { displayName } from '../expr/build.js';
import type { RenderSettings } from './settings.js';
import { PLAIN } from './style.js';
import type { GraphView } from '../api/view.js';
import { inlineValue, valueShapeText } from './array.js';
import { callOf, isConstant } from './view.js';

export const MAX_INDENT = 24;

export function renderTree(view: GraphView, settings: RenderSettings = {}): string {
  const style = settings.style ?? PLAIN;
  const lines: string[] = [];
  const drawn = new Set<Variable>();
  // A vector or matrix: its elements when few, then its shape dimmed (`[1, 2]  [2]`, `[100, 100]`).
  const value = (x: Value): string => {
    const text = inlineValue(x, settings.precision);
    if (typeof x === 'number') return style.value(text!);
    return text === undefined ? style.dim(valueShapeText(x)) : `${style.value(text)}  ${style.dim(valueShapeText(x))}`;
  };
  const todo: { v: Variable; prefix: string; branch: string; depth: number }[] = [];
  for (let r = view.roots.length - 1; r >= 0; r--) todo.push({ v: view.roots[r], prefix: '', branch: '', depth: 0 });
  while (todo.length > 0) {
    const { v, prefix, branch, depth } = todo.pop()!;
    const marker = depth > MAX_INDENT ? style.dim(`[depth ${depth}] `) : '';
    const head = `${prefix}${branch}${marker}`;
    if (isConstant(v)) {
      const named = v.name !== null && (typeof v.data !== 'number' || v.name !== String(v.data));
      lines.push(`${head}${value(v.data)}${named ? style.dim(` (${v.name})`) : ''}`);
      continue;
    }
    const name = style.name(displayName(v));
    if (drawn.has(v) && v.creator !== null) {
      lines.push(`${head}${name} ${style.dim('(see above)')}`);
      continue;
    }
    drawn.add(v);
    const grad = view.grads.get(v);
    const gradText = grad === undefined ? '' : `   ${style.dim('grad')} ${value(grad)}`;
    const call = v.creator === null ? '' : ` = ${callOf(v, view)}`;
    lines.push(`${head}${name}${call} = ${value(v.data)}${gradText}`);
    if (v.creator === null) continue;
    const inputs = v.creator.inputs;
    // Past MAX_INDENT the prefix stops growing, so the text stays linear in the graph's size.
    const childPrefix = depth === 0 ? '' : depth > MAX_INDENT ? prefix : prefix + (branch === '└─ ' ? '   ' : '│  ');
    for (let i = inputs.length - 1; i >= 0; i--) {
      todo.push({
        v: inputs[i],
        prefix: childPrefix,
        branch: i === inputs.length - 1 ? '└─ ' : '├─ ',
        depth: depth + 1,
      });
    }
  }
  return lines.join('\n') + '\n';
}
