/**
 * The graph builder for the tape (src/engine/tape.ts): the same walk as `build`, post-order, left
 * to right, a shared subtree once, so slots are made in the order `build` makes its Functions, but
 * onto flat arrays instead of Variables. Used where only the numbers are wanted; anything the tape
 * does not handle (an op such as `diff`, a missing value, a `Config` switch) gives undefined and
 * the caller builds the Variables with `build`, which also reports any error.
 */
import type { CallNode, Node } from './ast.js';
import { outputNameAvoiding, takenNames, type BuildOptions } from './build.js';
import { OPS } from '../engine/registry.js';
import { Tape } from '../engine/tape.js';

export interface TapeGraph {
  tape: Tape;
  output: number;
  /** The name shown for the output (the `y` in dy/dx), as `build` names it. */
  outputName: string;
  /** The expression's variables' slots, in order of first appearance. */
  variables: Map<string, number>;
}

export function buildTape(
  root: Node,
  values: ReadonlyMap<string, number>,
  options: BuildOptions = {},
): TapeGraph | undefined {
  if (!Tape.usable()) return undefined;
  const tape = new Tape();
  // Each variable's slot and first position (the order `variableNames` gives).
  const slots = new Map<string, number>();
  const firstAt = new Map<string, number>();
  // An explicit stack: a call is seen once to push its children, once more to apply its op
  // (then it is pushed as its index in `calls`, negated, less one).
  const todo: (Node | number)[] = [root];
  const calls: CallNode[] = [];
  let results = new Int32Array(64);
  let top = 0;
  // A subtree shared by several parents (the REPL passes an argument to each use) is one slot.
  const done = new Map<Node, number>();
  while (todo.length > 0) {
    const item = todo.pop()!;
    let s: number;
    if (typeof item === 'number') {
      const node = calls[-item - 1];
      const op = OPS.get(node.op);
      if (op === undefined) return undefined;
      const given = node.args.length;
      top -= given;
      s = tape.apply(op, results, top, given);
      if (s < 0) return undefined;
      done.set(node, s);
    } else if (item.type === 'call') {
      const known = done.get(item);
      if (known !== undefined) s = known;
      else {
        calls.push(item);
        todo.push(-calls.length);
        for (let i = item.args.length - 1; i >= 0; i--) todo.push(item.args[i]);
        continue;
      }
    } else if (item.type === 'variable') {
      let v = slots.get(item.name);
      if (v === undefined) {
        const value: unknown = values.get(item.name);
        if (typeof value !== 'number') return undefined;
        slots.set(item.name, (v = tape.leaf(value, true)));
        firstAt.set(item.name, item.start);
      } else if (item.start < firstAt.get(item.name)!) firstAt.set(item.name, item.start);
      s = v;
    } else if (item.type === 'number' || item.type === 'constant') {
      s = tape.leaf(item.value, false);
    } else {
      return undefined; // a node the tape does not know: the Variables build it
    }
    if (top === results.length) {
      const next = new Int32Array(top * 2);
      next.set(results);
      results = next;
    }
    results[top++] = s;
  }
  const used = [...firstAt].sort((a, b) => a[1] - b[1]).map(([name]) => name);
  const variables = new Map(used.map((name) => [name, slots.get(name)!]));
  const outputName = options.named?.get(root) ?? outputNameAvoiding(takenNames(used, values, options));
  return { tape, output: results[0], outputName, variables };
}
