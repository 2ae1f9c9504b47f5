/**
 * What a matrix literal's shape is when it can be told from the text alone: numbers and constants
 * are scalars, a literal of literals has its elements' shape one level down. Anything else (a
 * variable, a call) is known only when built. Used by the parser to refuse ragged literals, on its
 * compact form (postfix.ts): an element is an entry, the root of its subtree.
 */
import { P_CONSTANT, P_MATRIX, P_NUMBER, type Postfix } from './postfix.js';

/** Past this many dimensions a literal's shape is not followed (nothing that deep is a value). */
const MAX_FOLLOWED_NDIM = 32;

const SCALAR: readonly number[] = [];

/** The shapes of one parse's matrix literals, by entry. */
export class LiteralShapes {
  private readonly shapes = new Map<number, readonly number[]>();
  constructor(private readonly p: Postfix) {}

  /** The shape of the literal at entry `e`, or null when it depends on values (or goes deeper than is followed). */
  of(e: number): readonly number[] | null {
    const kind = this.p.kind[e];
    if (kind === P_NUMBER || kind === P_CONSTANT) return SCALAR;
    if (kind !== P_MATRIX) return null;
    return this.shapes.get(e) ?? null;
  }

  /**
   * Why a matrix with the elements `elements[from .. from + n)` would be ragged: two elements whose
   * shapes are both known and differ (the later one is `at`). Undefined when it is not.
   */
  ragged(elements: Int32Array, from: number, n: number): { message: string; at: number } | undefined {
    let first: readonly number[] | undefined;
    let firstIndex = 0;
    for (let i = 0; i < n; i++) {
      const s = this.of(elements[from + i]);
      if (s === null) continue;
      if (first === undefined) {
        first = s;
        firstIndex = i;
      } else if (!sameShape(s, first)) {
        return {
          message: `element ${i + 1} ${describe(s)} but element ${firstIndex + 1} ${describe(first)}`,
          at: elements[from + i],
        };
      }
    }
    return undefined;
  }

  /** Records the shape of the matrix entry `e` made of elements that passed `ragged`. */
  record(e: number, elements: Int32Array, from: number, n: number): void {
    let inner: readonly number[] | undefined;
    for (let i = 0; i < n; i++) {
      const s = this.of(elements[from + i]);
      if (s === null) return; // depends on values
      inner ??= s;
    }
    if (inner !== undefined && inner.length < MAX_FOLLOWED_NDIM) this.shapes.set(e, [n, ...inner]);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function describe(s: readonly number[]): string {
  if (s.length === 0) return 'is a number';
  if (s.length === 1) return `has ${s[0]} element${s[0] === 1 ? '' : 's'}`;
  return `has shape [${s.join(', ')}]`;
}
