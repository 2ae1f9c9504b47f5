/**
 * The walks over the syntax tree, each with an explicit stack, so that a 200,000-deep expression
 * never touches the JavaScript call stack.
 */
import { childrenOf, type Node } from './ast.js';

/**
 * A post-order fold: `combine` sees each node with its children's results, left to right. A call
 * shared by several parents (the REPL passes a function's argument to each use of its parameter)
 * is combined once and its result used again: the graph builder makes one Function of it.
 * `children` may leave some out (the builder folds an index's object, not its entries).
 */
export function fold<T>(
  root: Node,
  combine: (node: Node, args: T[]) => T,
  children: (node: Node) => readonly Node[] = childrenOf,
): T {
  const results: T[] = [];
  const done = new Map<Node, T>();
  // A node is visited once to push its children, once more to combine their results.
  const todo: { node: Node; expanded: boolean }[] = [{ node: root, expanded: false }];
  while (todo.length > 0) {
    const item = todo.pop()!;
    const { node } = item;
    const args = children(node);
    if (args.length === 0) {
      results.push(combine(node, []));
    } else if (item.expanded) {
      const result = combine(node, results.splice(results.length - args.length, args.length));
      done.set(node, result);
      results.push(result);
    } else if (done.has(node)) {
      results.push(done.get(node)!);
    } else {
      item.expanded = true;
      todo.push(item);
      for (let i = args.length - 1; i >= 0; i--) todo.push({ node: args[i], expanded: false });
    }
  }
  return results[0];
}

/** How many nodes the tree has. */
export function size(root: Node): number {
  return fold<number>(root, (_, args) => args.reduce((a, b) => a + b, 1));
}

/**
 * Every node of the tree once, parents before children, left to right. A tree may share a subtree
 * between several parents (the REPL passes a function's argument to each use of its parameter): it
 * is visited once.
 */
export function* eachNode(root: Node): Generator<Node> {
  const seen = new Set<Node>();
  const todo: Node[] = [root];
  while (todo.length > 0) {
    const node = todo.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    yield node;
    const args = childrenOf(node);
    for (let i = args.length - 1; i >= 0; i--) todo.push(args[i]);
  }
}
