/**
 * The syntax tree: a discriminated union on `type`. `start`/`end` are UTF-16 indices into the
 * source, for error messages. Every node with children keeps them in `args`, left to right, so
 * the walks in walk.ts need to know no node type but which ones have children.
 */
export type Node =
  | NumberNode
  | ConstantNode
  | VariableNode
  | CallNode
  | MatrixNode
  | IndexNode
  | RangeNode
  | ColonNode
  | EndNode;

/** The nodes that have children (`args`). */
export type ParentNode = CallNode | MatrixNode | IndexNode | RangeNode;

export interface NumberNode {
  type: 'number';
  value: number;
  /** The literal as written, e.g. `.5`. */
  text: string;
  start: number;
  end: number;
}

export interface ConstantNode {
  type: 'constant';
  name: string;
  value: number;
  start: number;
  end: number;
}

export interface VariableNode {
  type: 'variable';
  name: string;
  start: number;
  end: number;
}

/**
 * An operator or a function call; `op` is the registry name (`add` for `+`, `neg` for unary `-`,
 * `transpose` for a postfix `'`), or the name of a function the caller defined (see
 * `ParseOptions.functions`).
 */
export interface CallNode {
  type: 'call';
  op: string;
  args: Node[];
  /** How it was written: `sin(x)`, `x + y`, `-x`, `c ? a : b` or `x'`. */
  form: 'function' | 'infix' | 'prefix' | 'conditional' | 'postfix';
  /** `.*` `./` `.^`: mul, div and pow written with a dot (always elementwise, as in mathjs). */
  dotted?: true;
  start: number;
  end: number;
}

/**
 * A matrix literal, as mathjs reads it: `[1, 2, 3]` has the three numbers as `args`; `[1, 2; 3, 4]`
 * has two rows, each a matrix node of its own (`rows` is set on the outer node, so that it prints
 * back with `;`); `[[1, 2], [3, 4]]` is the same tree without `rows`. Never empty.
 */
export interface MatrixNode {
  type: 'matrix';
  args: Node[];
  rows?: true;
  start: number;
  end: number;
}

/**
 * `x[i, j]`: `args[0]` is the object indexed, the rest the index entries, 1-based as written:
 * expressions (a number, a vector like `[1, 3]`), ranges, a bare `:` (every element), with `end`
 * allowed inside them.
 */
export interface IndexNode {
  type: 'index';
  args: Node[];
  start: number;
  end: number;
}

/** `a:b` or `a:s:b` (`args` [a, b] or [a, s, b]), both ends included, as mathjs. */
export interface RangeNode {
  type: 'range';
  args: Node[];
  start: number;
  end: number;
}

/** A bare `:` as an index entry: the whole dimension. */
export interface ColonNode {
  type: 'colon';
  start: number;
  end: number;
}

/** `end` inside an index: the size of the dimension it indexes (the last 1-based index). */
export interface EndNode {
  type: 'end';
  start: number;
  end: number;
}

/** A node's children, or none. */
export function childrenOf(node: Node): readonly Node[] {
  return 'args' in node ? node.args : NO_CHILDREN;
}

const NO_CHILDREN: readonly Node[] = [];

/** The same node with other children (a copy). */
export function withArgs(node: ParentNode, args: Node[]): ParentNode {
  return { ...node, args };
}
