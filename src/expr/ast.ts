/**
 * The syntax tree: a discriminated union on `type`. `start`/`end` are UTF-16 indices into the
 * source, for error messages.
 */
export type Node = NumberNode | ConstantNode | VariableNode | CallNode;

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
 * An operator or a function call; `op` is the registry name (`add` for `+`, `neg` for unary `-`),
 * or the name of a function the caller defined (see `ParseOptions.functions`).
 */
export interface CallNode {
  type: 'call';
  op: string;
  args: Node[];
  /** How it was written: `sin(x)`, `x + y`, `-x` or `c ? a : b`. */
  form: 'function' | 'infix' | 'prefix' | 'conditional';
  start: number;
  end: number;
}
