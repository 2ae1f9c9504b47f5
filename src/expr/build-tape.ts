/**
 * The graph builder for the tape (src/engine/tape.ts): reads the parser's compact form
 * (postfix.ts) from left to right, which is the post-order `build` walks the tree in, so slots are
 * made in the order `build` makes its Functions, but onto flat arrays instead of Variables (a
 * shared subtree once: its P_SHARED entries repeat its slot). Used where only the numbers are
 * wanted; anything the tape does not handle (an op such as `diff`, a missing value, a matrix, a
 * `Config` switch) gives undefined and the caller builds the Variables with `build`, which also
 * reports any error.
 */
import type { Node } from './ast.js';
import { outputNameAvoiding, takenNames, type BuildOptions } from './build.js';
import { fromTree, P_CALL, P_CONSTANT, P_NUMBER, P_SHARED, P_VARIABLE, type Postfix } from './postfix.js';
import { OPS, type OpSpec } from '../engine/registry.js';
import { Tape } from '../engine/tape.js';

export interface TapeGraph {
  tape: Tape;
  output: number;
  /** The name shown for the output (the `y` in dy/dx), as `build` names it. */
  outputName: string;
  /** The expression's variables' slots, in order of first appearance. */
  variables: Map<string, number>;
}

/** `expression` on the tape: the parser's compact form, or a tree (written into that form first). */
export function buildTape(
  expression: Postfix | Node,
  values: ReadonlyMap<string, number>,
  options: BuildOptions = {},
): TapeGraph | undefined {
  if (!Tape.usable()) return undefined;
  const isTree = 'type' in expression;
  const p = isTree ? fromTree(expression) : expression;
  const { kind, argc, id, value, start, strings } = p;
  const tape = new Tape(p.length + 1);
  // By string id: the op (resolved once a distinct op), a variable's slot and first position.
  const ops: (OpSpec | undefined | null)[] = [];
  const slotOf: number[] = [];
  const firstAt: number[] = [];
  // Each entry's slot, kept only where a later entry repeats one (a tree with shared subtrees).
  const slots = isTree ? new Int32Array(p.length) : undefined;
  // The operands' slots: post-order, so an entry's arguments are the top of this stack.
  let results = new Int32Array(64);
  let top = 0;
  for (let e = 0; e < p.length; e++) {
    let s: number;
    switch (kind[e]) {
      case P_CALL: {
        const i = id[e];
        let op = ops[i];
        if (op === undefined) ops[i] = op = OPS.get(strings[i]) ?? null;
        if (op === null) return undefined;
        const given = argc[e];
        top -= given;
        s = tape.apply(op, results, top, given);
        if (s < 0) return undefined;
        break;
      }
      case P_VARIABLE: {
        const i = id[e];
        const v = slotOf[i];
        if (v === undefined) {
          const x: unknown = values.get(strings[i]);
          if (typeof x !== 'number') return undefined;
          s = slotOf[i] = tape.leaf(x, true);
          firstAt[i] = start[e];
        } else {
          s = v;
          if (start[e] < firstAt[i]) firstAt[i] = start[e];
        }
        break;
      }
      case P_NUMBER:
      case P_CONSTANT:
        s = tape.leaf(value[e], false);
        break;
      case P_SHARED:
        s = slots![argc[e]];
        break;
      default:
        return undefined; // a node the tape does not know (a matrix, an index): the Variables build it
    }
    if (slots !== undefined) slots[e] = s;
    if (top === results.length) {
      const next = new Int32Array(top * 2);
      next.set(results);
      results = next;
    }
    results[top++] = s;
  }
  const used: number[] = [];
  for (const i in firstAt) used.push(Number(i));
  used.sort((a, b) => firstAt[a] - firstAt[b]);
  const variables = new Map(used.map((i) => [strings[i], slotOf[i]]));
  const names = [...variables.keys()];
  const outputName =
    (isTree ? options.named?.get(expression) : undefined) ?? outputNameAvoiding(takenNames(names, values, options));
  return { tape, output: results[0], outputName, variables };
}
