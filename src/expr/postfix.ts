/**
 * The parser's output, compact: the syntax tree in post-order (every node after its children, left
 * to right), one entry a node in flat arrays, no object a node. The tape builder reads it as it
 * is; `toTree` makes the `Node` objects (ast.ts) for whatever shows or rewrites the tree (the
 * trace, the tree and DOT drawings, symbolic, lowering, the REPL, errors found after the parse).
 *
 * Entry `e`:
 *   kind[e]   P_NUMBER, P_CONSTANT, P_VARIABLE, P_CALL, P_MATRIX, P_INDEX, P_RANGE, P_COLON, P_END,
 *             or P_SHARED: a subtree used again (a tree the REPL expanded, see `fromTree`)
 *   flags[e]  a call's form (FORMS), F_DOTTED; a matrix's F_ROWS
 *   argc[e]   how many children (the last `argc` subtrees before `e`); for P_SHARED, the entry it repeats
 *   id[e]     the op's, the name's or the number's text in `strings`
 *   value[e]  a number's or constant's value
 *   start[e], end[e]  the node's span in the source (UTF-16 indices, as `Node.start`/`end`)
 */
import { childrenOf, type CallNode, type MatrixNode, type Node } from './ast.js';
import { columns, grown, type Columns } from './columns.js';

export const P_NUMBER = 0;
export const P_CONSTANT = 1;
export const P_VARIABLE = 2;
export const P_CALL = 3;
export const P_MATRIX = 4;
export const P_INDEX = 5;
export const P_RANGE = 6;
export const P_COLON = 7;
export const P_END = 8;
export const P_SHARED = 9;

/** `CallNode.form` by the low three bits of a call's flags. */
export const FORMS: readonly CallNode['form'][] = ['function', 'infix', 'prefix', 'conditional', 'postfix'];
export const FORM_FUNCTION = 0;
export const FORM_INFIX = 1;
export const FORM_PREFIX = 2;
export const FORM_CONDITIONAL = 3;
export const FORM_POSTFIX = 4;
/** A call written `.*` `./` `.^` (`CallNode.dotted`). */
export const F_DOTTED = 8;
/** A matrix written with `;` (`MatrixNode.rows`). */
export const F_ROWS = 16;

export class Postfix {
  length = 0;
  kind!: Uint8Array;
  flags!: Uint8Array;
  argc!: Int32Array;
  id!: Int32Array;
  value!: Float64Array;
  start!: Int32Array;
  end!: Int32Array;
  /** Ops, names and numbers' texts, by `id`. */
  readonly strings: string[] = [];
  /** The ids by string, made once there are more than a few (a scan finds them until then). */
  private ids: Map<string, number> | undefined;
  private lastString = '';
  private lastId = -1;

  private cols!: Columns;

  constructor(capacity = 16) {
    this.take(columns(Math.max(capacity, 1), 1, 4, 2));
  }

  /** The columns as `columns` laid them out. */
  private take(c: Columns): void {
    this.cols = c;
    [this.value] = c.f64;
    [this.argc, this.id, this.start, this.end] = c.i32;
    [this.kind, this.flags] = c.u8;
  }

  /** The entry just pushed: the root of the whole tree once the parse is done. */
  get root(): number {
    return this.length - 1;
  }

  push(kind: number, flags: number, argc: number, id: number, start: number, end: number): number {
    const e = this.length;
    if (e === this.kind.length) this.grow();
    this.kind[e] = kind;
    this.flags[e] = flags;
    this.argc[e] = argc;
    this.id[e] = id;
    this.start[e] = start;
    this.end[e] = end;
    this.length = e + 1;
    return e;
  }

  /** A number or constant with its value. */
  pushValue(kind: number, id: number, value: number, start: number, end: number): number {
    const e = this.push(kind, 0, 0, id, start, end);
    this.value[e] = value;
    return e;
  }

  /** The id of `s` in `strings` (one id a distinct string; the one just asked for is checked first). */
  intern(s: string): number {
    if (s === this.lastString && this.lastId >= 0) return this.lastId;
    const { strings } = this;
    // (A number's text is never a name or an op: a name starts with a letter or _.)
    let id = this.ids === undefined ? strings.indexOf(s) : (this.ids.get(s) ?? -1);
    if (id < 0) {
      id = strings.length;
      strings.push(s);
      this.ids?.set(s, id);
      if (this.ids === undefined && strings.length > 16) this.ids = new Map(strings.map((t, i) => [t, i]));
    }
    this.lastString = s;
    this.lastId = id;
    return id;
  }

  /** A string of its own (a number's text): not shared, not looked up. */
  text(s: string): number {
    this.strings.push(s);
    return this.strings.length - 1;
  }

  private grow(): void {
    this.take(grown(this.cols, this.kind.length * 2));
  }
}

/** The variable names the expression uses, in order of first appearance (build.ts's `variableNames`). */
export function postfixVariableNames(p: Postfix): string[] {
  // The earliest start of each name, by id (a deep chain repeats one name: no map a use).
  const first = new Map<number, number>();
  const { kind, id, start } = p;
  for (let e = 0; e < p.length; e++) {
    if (kind[e] !== P_VARIABLE) continue;
    const seen = first.get(id[e]);
    if (seen === undefined || start[e] < seen) first.set(id[e], start[e]);
  }
  return [...first].sort((a, b) => a[1] - b[1]).map(([i]) => p.strings[i]);
}

/** The syntax tree of `p`, node for node what the parser made before it wrote this form. */
export function toTree(p: Postfix): Node {
  const { kind, flags, argc, id, value, start, end, strings } = p;
  const out: Node[] = [];
  // Only a form made by `fromTree` repeats entries: then each entry's node is kept for its repeats.
  const made: Node[] | undefined = p.kind.subarray(0, p.length).includes(P_SHARED) ? [] : undefined;
  for (let e = 0; e < p.length; e++) {
    let node: Node;
    switch (kind[e]) {
      case P_NUMBER:
        node = { type: 'number', value: value[e], text: strings[id[e]], start: start[e], end: end[e] };
        break;
      case P_CONSTANT:
        node = { type: 'constant', name: strings[id[e]], value: value[e], start: start[e], end: end[e] };
        break;
      case P_VARIABLE:
        node = { type: 'variable', name: strings[id[e]], start: start[e], end: end[e] };
        break;
      case P_CALL: {
        const args = popNodes(out, argc[e]);
        const call: CallNode = {
          type: 'call',
          op: strings[id[e]],
          args,
          form: FORMS[flags[e] & 7],
          start: start[e],
          end: end[e],
        };
        if ((flags[e] & F_DOTTED) !== 0) call.dotted = true;
        node = call;
        break;
      }
      case P_MATRIX: {
        const matrix: MatrixNode = { type: 'matrix', args: popNodes(out, argc[e]), start: start[e], end: end[e] };
        if ((flags[e] & F_ROWS) !== 0) matrix.rows = true;
        node = matrix;
        break;
      }
      case P_INDEX:
        node = { type: 'index', args: popNodes(out, argc[e]), start: start[e], end: end[e] };
        break;
      case P_RANGE:
        node = { type: 'range', args: popNodes(out, argc[e]), start: start[e], end: end[e] };
        break;
      case P_COLON:
        node = { type: 'colon', start: start[e], end: end[e] };
        break;
      case P_END:
        node = { type: 'end', start: start[e], end: end[e] };
        break;
      default: // P_SHARED
        node = made![argc[e]];
    }
    if (made !== undefined) made[e] = node;
    out.push(node);
  }
  return out[0];
}

/** The last `n` nodes, in order, taken off `out`. */
function popNodes(out: Node[], n: number): Node[] {
  if (n === 1) return [out.pop()!];
  const base = out.length - n;
  const args = out.slice(base);
  out.length = base;
  return args;
}

const KINDS: Readonly<Record<Node['type'], number>> = {
  number: P_NUMBER,
  constant: P_CONSTANT,
  variable: P_VARIABLE,
  call: P_CALL,
  matrix: P_MATRIX,
  index: P_INDEX,
  range: P_RANGE,
  colon: P_COLON,
  end: P_END,
};

/**
 * The compact form of a tree made elsewhere (a program's expanded line, a tree passed to `grad()`).
 * A subtree shared by several parents (the REPL passes a function's argument to each use of its
 * parameter) is written once, and a P_SHARED entry stands for each later use.
 */
export function fromTree(root: Node): Postfix {
  const p = new Postfix();
  const done = new Map<Node, number>();
  // A node is seen once to push its children, once more (as its index in `parents`, negated, less
  // one) to write its entry.
  const todo: (Node | number)[] = [root];
  const parents: Node[] = [];
  while (todo.length > 0) {
    const item = todo.pop()!;
    const node = typeof item === 'number' ? parents[-item - 1] : item;
    const args = childrenOf(node);
    if (typeof item !== 'number' && args.length > 0) {
      const known = done.get(node);
      if (known !== undefined) p.push(P_SHARED, 0, known, -1, node.start, node.end);
      else {
        parents.push(node);
        todo.push(-parents.length);
        for (let i = args.length - 1; i >= 0; i--) todo.push(args[i]);
      }
      continue;
    }
    const kind = KINDS[node.type];
    switch (node.type) {
      case 'number':
        p.pushValue(kind, p.text(node.text), node.value, node.start, node.end);
        break;
      case 'constant':
        p.pushValue(kind, p.intern(node.name), node.value, node.start, node.end);
        break;
      case 'variable':
        p.push(kind, 0, 0, p.intern(node.name), node.start, node.end);
        break;
      case 'call': {
        const form = FORMS.indexOf(node.form) | (node.dotted === true ? F_DOTTED : 0);
        done.set(node, p.push(kind, form, args.length, p.intern(node.op), node.start, node.end));
        break;
      }
      case 'matrix':
        done.set(node, p.push(kind, node.rows === true ? F_ROWS : 0, args.length, -1, node.start, node.end));
        break;
      case 'index':
      case 'range':
        done.set(node, p.push(kind, 0, args.length, -1, node.start, node.end));
        break;
      default:
        p.push(kind, 0, 0, -1, node.start, node.end);
    }
  }
  return p;
}
