/**
 * What a matrix literal's shape is when it can be told from the text alone: numbers and constants
 * are scalars, a literal of literals has its elements' shape one level down. Anything else (a
 * variable, a call) is known only when built. Used by the parser to refuse ragged literals.
 */
import type { Node } from './ast.js';

/** Past this many dimensions a literal's shape is not followed (nothing that deep is a value). */
const MAX_FOLLOWED_NDIM = 32;

const shapes = new WeakMap<Node, readonly number[] | null>();

/** The shape of a literal, or null when it depends on values (or goes deeper than is followed). */
export function literalShape(node: Node): readonly number[] | null {
  if (node.type === 'number' || node.type === 'constant') return [];
  if (node.type !== 'matrix') return null;
  return shapes.get(node) ?? null;
}

/**
 * Why a matrix with these elements would be ragged: two elements whose shapes are both known and
 * differ (the later one is `at`). Undefined when it is not; the literal's shape is then recorded
 * for the matrix node the caller makes from `args` (see `recordShape`).
 */
export function ragged(args: readonly Node[]): { message: string; at: Node } | undefined {
  let first: readonly number[] | undefined;
  let firstIndex = 0;
  for (let i = 0; i < args.length; i++) {
    const s = literalShape(args[i]);
    if (s === null) continue;
    if (first === undefined) {
      first = s;
      firstIndex = i;
    } else if (!sameShape(s, first)) {
      return {
        message: `element ${i + 1} ${describe(s)} but element ${firstIndex + 1} ${describe(first)}`,
        at: args[i],
      };
    }
  }
  return undefined;
}

/** Records the shape of a matrix node built from elements that passed `ragged`. */
export function recordShape(node: Node & { type: 'matrix' }): void {
  let inner: readonly number[] | undefined;
  for (const a of node.args) {
    const s = literalShape(a);
    if (s === null) return; // depends on values
    inner ??= s;
  }
  if (inner !== undefined && inner.length < MAX_FOLLOWED_NDIM) shapes.set(node, [node.args.length, ...inner]);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function describe(s: readonly number[]): string {
  if (s.length === 0) return 'is a number';
  if (s.length === 1) return `has ${s[0]} element${s[0] === 1 ? '' : 's'}`;
  return `has shape [${s.join(', ')}]`;
}
