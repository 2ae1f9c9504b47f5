/** Canonical s-expressions of our syntax tree and of mathjs's, to compare how each reads a string. */
import type { Node } from '../../src/index.js';

export function sexpr(root: Node): string {
  // Iterative post-order, so that deep trees print too.
  const out: string[] = [];
  const todo: { node: Node; done: boolean }[] = [{ node: root, done: false }];
  while (todo.length > 0) {
    const item = todo.pop()!;
    const n = item.node;
    if (n.type === 'number') out.push(String(n.value));
    else if (n.type === 'constant' || n.type === 'variable') out.push(n.name);
    else if (n.type === 'end') out.push('end');
    // mathjs reads a bare `:` as the range 1:end
    else if (n.type === 'colon') out.push('(range 1 end)');
    else if (!item.done) {
      item.done = true;
      todo.push(item);
      for (let i = n.args.length - 1; i >= 0; i--) todo.push({ node: n.args[i], done: false });
    } else {
      const args = out.splice(out.length - n.args.length, n.args.length);
      out.push(`(${n.type === 'call' ? n.op : n.type} ${args.join(' ')})`);
    }
  }
  return out[0];
}

const MATHJS_OPS: Record<string, string> = {
  add: 'add',
  subtract: 'sub',
  multiply: 'mul',
  divide: 'div',
  pow: 'pow',
  unaryMinus: 'neg',
  // mathjs reads `2.^x` as `2 .^ x` (element-wise); on numbers it is the same operation
  dotPow: 'pow',
  dotMultiply: 'mul',
  dotDivide: 'div',
  mod: 'mod',
  smaller: 'smaller',
  larger: 'larger',
  smallerEq: 'smallerEq',
  largerEq: 'largerEq',
  equal: 'equal',
  unequal: 'unequal',
};

/** mathjs node (OperatorNode, FunctionNode, SymbolNode, ConstantNode, ParenthesisNode) to the same form. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function mathjsSexpr(node: any): string {
  switch (node.type) {
    case 'ParenthesisNode':
      return mathjsSexpr(node.content);
    case 'ConstantNode':
      return String(node.value);
    case 'SymbolNode':
      return node.name;
    case 'ArrayNode':
      return `(matrix ${node.items.map(mathjsSexpr).join(' ')})`;
    case 'AccessorNode':
      return `(index ${mathjsSexpr(node.object)} ${node.index.dimensions.map(mathjsSexpr).join(' ')})`;
    case 'RangeNode': {
      const parts =
        node.step === null || node.step === undefined ? [node.start, node.end] : [node.start, node.step, node.end];
      return `(range ${parts.map(mathjsSexpr).join(' ')})`;
    }
    case 'ConditionalNode':
      return `(cond ${mathjsSexpr(node.condition)} ${mathjsSexpr(node.trueExpr)} ${mathjsSexpr(node.falseExpr)})`;
    case 'FunctionNode':
      // The bridge's map(X, f_(t_) = g(t_)) is g applied to X elementwise: read as g(X).
      if (node.fn.name === 'map' && node.args[1]?.type === 'FunctionAssignmentNode') {
        const x = mathjsSexpr(node.args[0]);
        return mathjsSexpr(node.args[1].expr).replace(/\bt_\b/g, () => x);
      }
      return `(${node.fn.name} ${node.args.map(mathjsSexpr).join(' ')})`;
    case 'OperatorNode': {
      if (node.fn === 'unaryPlus') return mathjsSexpr(node.args[0]);
      if (node.fn === 'ctranspose') return `(transpose ${mathjsSexpr(node.args[0])})`;
      const op = MATHJS_OPS[node.fn];
      if (op === undefined) throw new Error(`mathjs operator ${node.fn} is not in our grammar`);
      return `(${op} ${node.args.map(mathjsSexpr).join(' ')})`;
    }
    default:
      throw new Error(`mathjs node ${node.type} is not in our grammar`);
  }
}
