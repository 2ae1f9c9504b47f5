/**
 * The parser: tokens to a syntax tree by operator precedence (Dijkstra's shunting yard), with an
 * explicit operator stack and an explicit operand stack, so that nesting depth never touches the
 * JavaScript call stack (a 200,000-deep expression parses).
 *
 * Precedence and associativity follow mathjs, from loosest to tightest:
 *   0.25  c ? a : b      the conditional, right-associative: `a ? b : c ? d : e` is `a ? b : (c ? d : e)`
 *   0.5   < > <= >= == !=  comparisons (1 or 0); a chain `a < b < c` is refused (mathjs reads it
 *                        as a < b and b < c)
 *   0.75  a:b  a:s:b     a range; in a conditional's first branch `:` is the conditional's, so
 *                        `c ? 1:3 : 4` is `c ? 1 : (3:4)` (mathjs)
 *   1  + -            binary, left-associative
 *   2  * / % mod .* ./   binary, left-associative
 *   3  implicit *     `2x`, `3(x+1)`: only a number directly followed by a name or `(`
 *   4  unary - +      prefix: `-x^2` is `-(x^2)`, `-2x` is `(-2)*x`
 *   5  ^ .^ (**)      binary, right-associative: `2^3^x` is `2^(3^x)`, `2^-x` is `2^(-x)`
 *   6  x'  x[i, j]    postfix transpose and indexing, tightest: `-x'` is `-(x')`, `x'^2` is `(x')^2`
 *
 * Brackets: `[1, 2; 3, 4]` a matrix literal (`;` ends a row), `x[2, :]` an index (`:` a whole
 * dimension, `end` its last index, ranges such as `2:end`).
 */
import type { Node } from './ast.js';
import { LiteralShapes } from './literal.js';
import { columns, grown, type Columns } from './columns.js';
import { ExprError } from './errors.js';
import {
  K_COLON,
  K_COMMA,
  K_END,
  K_LBRACKET,
  K_LPAREN,
  K_NAME,
  K_NUMBER,
  K_OP,
  K_QUESTION,
  K_QUOTE,
  K_RBRACKET,
  K_RPAREN,
  K_SEMICOLON,
  lex,
  OP_MINUS,
  OP_PLUS,
  OP_TEXTS,
  type Token,
  type Tokens,
} from './lexer.js';
import { CALLABLE, CONSTANTS, OPS } from '../engine/registry.js';
import { nearest } from './suggest.js';
import {
  F_DOTTED as P_DOTTED,
  F_ROWS,
  FORM_CONDITIONAL,
  FORM_FUNCTION,
  FORM_INFIX,
  FORM_POSTFIX,
  FORM_PREFIX,
  P_CALL,
  P_COLON,
  P_CONSTANT,
  P_END,
  P_INDEX,
  P_MATRIX,
  P_NUMBER,
  P_RANGE,
  P_VARIABLE,
  Postfix,
  toTree,
} from './postfix.js';

/** Longest input accepted, in UTF-16 units; past it the message says so, before any work. */
export const MAX_INPUT_LENGTH = 2_000_000;

/**
 * Most numbers, names and operators accepted (about the number of nodes in the graph). Each node
 * costs about 1.5 KB through parse, graph, backward and the full trace: 4,000,000 (`----x`) ran
 * out of Node's default heap printing the whole trace; 1,000,000 stays near 1.6 GB. A 200,000-deep
 * `sin(sin(...))` is 200,001.
 */
export const MAX_NODES = 1_000_000;

/** Words that are operators in mathjs; as names they would mean something else there. */
const RESERVED = new Set(['mod', 'to', 'in', 'and', 'or', 'not', 'xor']);

const COMPARISON_PREC = 0.5;
const CONDITIONAL_PREC = 0.25;
const RANGE_PREC = 0.75;

const F_PREFIX = 1;
/** mul, div and pow written `.*` `./` `.^`. */
const F_DOTTED = 2;
const F_GROUP = 4;

/**
 * The operator stack, in flat arrays (no object an entry: a 200,000-deep chain holds 200,000 of
 * them at once). An entry's `op` is a registry op, `pos` for unary plus (no node), `range` for
 * `:`, `?` and then `cond` for a conditional, or a grouping: `(`, `call`, `matrix` (a `[` where a
 * value starts) or `index` (a `[` after one); it is kept as its code in STACK_OPS. A popped
 * entry's fields stay readable until the next push.
 */
class OpStack {
  length = 0;
  codes!: Uint8Array;
  /** For `call`: the function's name (its id in the compact form's strings) and how many arguments it takes. */
  fns!: Int32Array;
  mins!: Int32Array;
  maxs!: Float64Array;
  /** For `matrix` written with `;`: the length of each row finished so far, by position. */
  readonly rows = new Map<number, number[]>();
  flags!: Uint8Array;
  precs!: Float64Array;
  starts!: Int32Array;
  /**
   * For `call`, `matrix` and `index`: the commas seen so far (in this row, for a matrix); for
   * `range`: its parts so far, 2 (`a:b`) or 3 (`a:s:b`).
   */
  counts!: Int32Array;

  constructor() {
    this.take(columns(16, 2, 4, 2));
  }

  private cols!: Columns;

  /** The columns as `columns` laid them out. */
  private take(c: Columns): void {
    this.cols = c;
    [this.maxs, this.precs] = c.f64;
    [this.fns, this.mins, this.starts, this.counts] = c.i32;
    [this.codes, this.flags] = c.u8;
  }

  push(op: string, prec: number, flags: number, start: number, count = 0): number {
    const i = this.length;
    if (i === this.flags.length) this.grow();
    this.codes[i] = STACK_CODES.get(op)!;
    this.precs[i] = prec;
    this.flags[i] = flags;
    this.starts[i] = start;
    this.counts[i] = count;
    this.length = i + 1;
    return i;
  }

  pushGroup(op: string, start: number): number {
    return this.push(op, 0, F_GROUP, start);
  }

  /** A call to the function `fn` (an id in the compact form's strings). */
  pushCall(fn: number, arity: Arity, start: number): number {
    const i = this.pushGroup('call', start);
    this.fns[i] = fn;
    this.mins[i] = arity.min;
    this.maxs[i] = arity.max;
    return i;
  }

  /** The op of the entry at `i`. */
  op(i: number): string {
    return STACK_OPS[this.codes[i]];
  }

  setOp(i: number, op: string): void {
    this.codes[i] = STACK_CODES.get(op)!;
  }

  /** True when some entry is `op`. */
  holds(op: string): boolean {
    const code = STACK_CODES.get(op)!;
    for (let i = 0; i < this.length; i++) if (this.codes[i] === code) return true;
    return false;
  }

  /** How many entries it holds before it grows. */
  get capacity(): number {
    return this.flags.length;
  }

  /** The top entry's position, or -1 when empty. */
  get top(): number {
    return this.length - 1;
  }

  isGroup(i: number): boolean {
    return (this.flags[i] & F_GROUP) !== 0;
  }

  /** The innermost grouping's op, if any. */
  innermostGroup(): string | undefined {
    for (let i = this.length - 1; i >= 0; i--) if (this.isGroup(i)) return this.op(i);
    return undefined;
  }

  private grow(): void {
    this.take(grown(this.cols, this.flags.length * 2));
  }
}

/** The stacks a parse may take instead of making its own, and the largest kept. */
let spare: { stack: OpStack; out: Operands } | undefined;
const SPARE_CAPACITY = 4096;

/** The operands read so far: each one's root entry in the compact form (a flat stack of entry indices). */
class Operands {
  length = 0;
  items = new Int32Array(16);

  push(e: number): void {
    if (this.length === this.items.length) {
      const next = new Int32Array(this.length * 2);
      next.set(this.items);
      this.items = next;
    }
    this.items[this.length++] = e;
  }

  /** The root of the `i`th of the top `n` operands (0 the first). */
  at(n: number, i: number): number {
    return this.items[this.length - n + i];
  }
}

export interface ParseOptions {
  /**
   * Functions defined by the caller (the REPL's `f(t) = ...`), by name with their arity. A call to
   * one becomes a `call` node whose `op` is that name: the caller expands it before building.
   */
  functions?: ReadonlyMap<string, number>;
}

const BINARY: Record<string, { op: string; prec: number; right: boolean }> = {
  '+': { op: 'add', prec: 1, right: false },
  '-': { op: 'sub', prec: 1, right: false },
  '*': { op: 'mul', prec: 2, right: false },
  '/': { op: 'div', prec: 2, right: false },
  '%': { op: 'mod', prec: 2, right: false },
  '^': { op: 'pow', prec: 5, right: true },
  '.*': { op: 'mul', prec: 2, right: false },
  './': { op: 'div', prec: 2, right: false },
  '.^': { op: 'pow', prec: 5, right: true },
  '<': { op: 'smaller', prec: COMPARISON_PREC, right: false },
  '>': { op: 'larger', prec: COMPARISON_PREC, right: false },
  '<=': { op: 'smallerEq', prec: COMPARISON_PREC, right: false },
  '>=': { op: 'largerEq', prec: COMPARISON_PREC, right: false },
  '==': { op: 'equal', prec: COMPARISON_PREC, right: false },
  '!=': { op: 'unequal', prec: COMPARISON_PREC, right: false },
};
const NO_FUNCTIONS: ReadonlyMap<string, number> = new Map();
/** What the operator stack holds, by code (OpStack.codes). */
const STACK_OPS: readonly string[] = [
  '(',
  'call',
  'matrix',
  'index',
  '?',
  'cond',
  'range',
  'pos',
  'neg',
  ...new Set(Object.values(BINARY).map((b) => b.op)),
];
const STACK_CODES: ReadonlyMap<string, number> = new Map(STACK_OPS.map((op, i) => [op, i]));
const IMPLICIT_PREC = 3;
const UNARY_PREC = 4;

/** The syntax tree of `input` (the compact form's `toTree`). */
export function parse(input: string, options: ParseOptions = {}): Node {
  return toTree(parsePostfix(input, options));
}

/**
 * `input` read into the compact form (postfix.ts), checked as `parse` checks it: every syntax
 * error is thrown here, with its position.
 */
export function parsePostfix(input: string, options: ParseOptions = {}): Postfix {
  const functions = options.functions ?? NO_FUNCTIONS;
  if (input.length > MAX_INPUT_LENGTH) {
    throw new ExprError(
      `expression is too long: ${input.length} characters (the limit is ${MAX_INPUT_LENGTH})`,
      input,
      MAX_INPUT_LENGTH,
    );
  }
  const tokens = lex(input);
  const { kinds, starts, ends, values } = tokens;
  const count = tokens.count;
  let nodes = 0;
  for (let k = 0; count > MAX_NODES && k < count; k++) {
    const kind = kinds[k];
    if ((kind === K_NUMBER || kind === K_NAME || kind === K_OP) && ++nodes > MAX_NODES) {
      throw new ExprError(
        `expression is too large: more than ${MAX_NODES} numbers, names and operators`,
        input,
        starts[k],
      );
    }
  }
  const p = new Postfix(count + 1);
  // The stacks of the last parse, emptied, when no other parse holds them (a small parse would
  // spend more on making them than on its tokens).
  const { stack, out } = spare ?? { stack: new OpStack(), out: new Operands() };
  spare = undefined;
  stack.length = 0;
  stack.rows.clear();
  out.length = 0;
  let literals: LiteralShapes | undefined; // made at the first matrix
  const shapes = (): LiteralShapes => (literals ??= new LiteralShapes(p));
  /** Writes an entry whose children are the top `argc` operands, which it replaces. */
  const emit = (kind: number, flags: number, argc: number, id: number, start: number, end: number): void => {
    out.length -= argc;
    out.push(p.push(kind, flags, argc, id, start, end));
  };
  const names = new Map<string, string>();
  let lastName = '';
  let expectOperand = true;

  /** Pops one operator from the stack and builds its node from the operand stack. */
  const reduce = (): void => {
    const e = --stack.length;
    const op = stack.op(e);
    const flags = stack.flags[e];
    if (op === '?') {
      throw new ExprError("'?' without its ':'", input, stack.starts[e], 'write c ? a : b');
    }
    if (op === 'range') {
      const n = stack.counts[e];
      emit(P_RANGE, 0, n, -1, p.start[out.at(n, 0)], p.end[out.at(n, n - 1)]);
      return;
    }
    if (op === 'cond') {
      emit(P_CALL, FORM_CONDITIONAL, 3, p.intern('cond'), p.start[out.at(3, 0)], p.end[out.at(3, 2)]);
      return;
    }
    if ((flags & F_PREFIX) !== 0) {
      if (op !== 'pos') emit(P_CALL, FORM_PREFIX, 1, p.intern(op), stack.starts[e], p.end[out.at(1, 0)]);
    } else {
      const form = (flags & F_DOTTED) !== 0 ? FORM_INFIX | P_DOTTED : FORM_INFIX;
      emit(P_CALL, form, 2, p.intern(op), p.start[out.at(2, 0)], p.end[out.at(2, 1)]);
    }
  };
  /** Reduces every operator down to the innermost grouping. */
  const reduceGroup = (): void => {
    while (stack.length > 0 && !stack.isGroup(stack.top)) reduce();
  };
  /** `[a, b; c, d]`: the elements since the last `;` become one row, checked against the first. */
  const finishRow = (open: number): void => {
    const n = stack.counts[open] + 1;
    const rows = stack.rows.get(open)!;
    if (rows.length > 0 && n !== rows[0]) {
      throw new ExprError(
        `ragged matrix: row ${rows.length + 1} has ${plural(n, 'element')} but row 1 has ${rows[0]}`,
        input,
        p.start[out.at(n, 0)],
        'every row of a matrix has the same number of elements',
      );
    }
    rows.push(n);
    const from = out.length - n;
    const row = p.push(P_MATRIX, 0, n, -1, p.start[out.at(n, 0)], p.end[out.at(n, n - 1)]);
    shapes().record(row, out.items, from, n);
    out.length = from;
    out.push(row);
    stack.counts[open] = 0;
  };
  /** Pushes a binary operator after reducing what binds tighter (or as tight, when left-associative). */
  const pushBinary = (op: string, prec: number, right: boolean, start: number, dotted = false): void => {
    for (;;) {
      const top = stack.top;
      if (top < 0 || stack.isGroup(top) || stack.op(top) === '?') break;
      const topPrec = stack.precs[top];
      if (topPrec === COMPARISON_PREC && prec === COMPARISON_PREC) {
        throw new ExprError(
          'a chain of comparisons is ambiguous (mathjs reads a < b < c as a < b and b < c)',
          input,
          start,
          'write (a < b) < c to compare the result, or (a < b) * (b < c) for both',
        );
      }
      if (topPrec > prec || (topPrec === prec && !right)) reduce();
      else break;
    }
    if (op === '?' && stack.top >= 0 && stack.op(stack.top) === '?') {
      throw new ExprError(
        "a conditional in another's first branch needs parentheses (mathjs refuses it without)",
        input,
        start,
        'write a ? (b ? c : d) : e',
      );
    }
    stack.push(op, prec, dotted ? F_DOTTED : 0, start);
  };

  /** One token where an operand is expected: returns the last token it took (a call takes its `(`). */
  const operand = (k: number): number => {
    const kind = kinds[k];
    const tStart = starts[k];
    const tEnd = ends[k];
    // The end token has no next: K_END stands in (no case reads it there).
    const nextKind = k + 1 < count ? kinds[k + 1] : K_END;
    switch (kind) {
      case K_NUMBER: {
        out.push(p.pushValue(P_NUMBER, p.text(tokens.text(k)), values[k], tStart, tEnd));
        if (nextKind === K_NAME || nextKind === K_LPAREN) {
          checkImplicit(input, tokens, k);
          pushBinary('mul', IMPLICIT_PREC, false, starts[k + 1]);
          return k; // still expecting an operand: the name or group that follows
        }
        expectOperand = false;
        break;
      }
      case K_NAME: {
        // One string a distinct name: the nodes share it (a deep chain would keep a copy a node).
        // The name just before is checked in place first (a chain repeats one name: no copy made).
        let name = lastName;
        if (tEnd - tStart !== name.length || !input.startsWith(name, tStart)) {
          const text = tokens.text(k);
          const known = names.get(text);
          if (known === undefined) names.set(text, (name = text));
          else name = known;
          lastName = name;
        }
        if (name === 'end' && nextKind !== K_LPAREN) {
          if (!stack.holds('index')) {
            throw new ExprError(
              "'end' means the last index of a dimension, so only inside an index such as x[end]",
              input,
              tStart,
            );
          }
          out.push(p.push(P_END, 0, 0, -1, tStart, tEnd));
          expectOperand = false;
          break;
        }
        if (nextKind === K_LPAREN) {
          const arity = arityOf(name, functions);
          if (arity === undefined) throw unknownFunction(input, tokens.at(k)!, functions);
          stack.pushCall(p.intern(name), arity, tStart);
          k++; // the '(' belongs to the call
          if (kinds[k + 1] === K_RPAREN) {
            throw new ExprError(`${name}() needs ${argumentCount(arity)}`, input, starts[k + 1], `write ${name}(x)`);
          }
          return k;
        }
        if (arityOf(name, functions) !== undefined) {
          throw new ExprError(
            `${name} is a function: call it with parentheses`,
            input,
            tEnd,
            `write ${name}(${nextKind === K_NAME || nextKind === K_NUMBER ? tokens.text(k + 1) : 'x'})`,
          );
        }
        if (RESERVED.has(name)) {
          throw new ExprError(`'${name}' is a reserved word (an operator in mathjs), so not a name`, input, tStart);
        }
        const c = CONSTANTS.get(name);
        out.push(
          c !== undefined
            ? p.pushValue(P_CONSTANT, p.intern(name), c, tStart, tEnd)
            : p.push(P_VARIABLE, 0, 0, p.intern(name), tStart, tEnd),
        );
        expectOperand = false;
        break;
      }
      case K_LPAREN:
        stack.pushGroup('(', tStart);
        break;
      case K_LBRACKET:
        if (nextKind === K_RBRACKET) {
          throw new ExprError(
            'an empty matrix [] is not supported: a value has at least one element',
            input,
            tStart,
            'write e.g. [1, 2, 3]',
          );
        }
        stack.rows.set(stack.pushGroup('matrix', tStart), []);
        break;
      case K_COLON: {
        // A bare `:` (a whole dimension) or `:b` (from 1), only as an entry of an index.
        const prevKind = k > 0 ? kinds[k - 1] : -1;
        if (stack.innermostGroup() === 'index' && (prevKind === K_LBRACKET || prevKind === K_COMMA)) {
          if (nextKind === K_COMMA || nextKind === K_RBRACKET) {
            out.push(p.push(P_COLON, 0, 0, -1, tStart, tEnd));
            expectOperand = false;
            break;
          }
          out.push(p.pushValue(P_NUMBER, p.text('1'), 1, tStart, tStart));
          stack.push('range', RANGE_PREC, 0, tStart, 2);
          break;
        }
        throw new ExprError(
          prevKind === K_QUESTION
            ? "unexpected ':' after '?': the conditional's first branch is missing"
            : "unexpected ':': a range needs its start (1:3), and a bare ':' is a whole dimension only inside an index such as x[:, 1]",
          input,
          tStart,
        );
      }
      case K_RBRACKET:
      case K_COMMA:
        // `x[2:]`: a range in an index without its end runs to the end.
        if (
          k > 0 &&
          kinds[k - 1] === K_COLON &&
          stack.top >= 0 &&
          !stack.isGroup(stack.top) &&
          stack.op(stack.top) === 'range' &&
          stack.innermostGroup() === 'index'
        ) {
          out.push(p.push(P_END, 0, 0, -1, tStart, tStart));
          expectOperand = false;
          k--; // the ']' or ',' again, now after an operand
          return k;
        }
        throw missingOperand(input, tokens.at(k)!, tokens.at(k - 1));
      case K_OP: {
        const o = tokens.ops[k];
        if (o === OP_MINUS || o === OP_PLUS) {
          stack.push(o === OP_MINUS ? 'neg' : 'pos', UNARY_PREC, F_PREFIX, tStart);
          break;
        }
        throw missingOperand(input, tokens.at(k)!, tokens.at(k - 1));
      }
      default:
        throw missingOperand(input, tokens.at(k)!, tokens.at(k - 1));
    }
    return k;
  };

  /** One token after an operand: an operator, `?`, `:`, `)`, `,` or the end. */
  const operator = (k: number): number => {
    const kind = kinds[k];
    const tStart = starts[k];
    const tEnd = ends[k];
    const nextKind = k + 1 < count ? kinds[k + 1] : K_END;
    switch (kind) {
      case K_OP: {
        const text = OP_TEXTS[tokens.ops[k]];
        const b = BINARY[text];
        pushBinary(b.op, b.prec, b.right, tStart, text.charCodeAt(0) === 46);
        expectOperand = true;
        break;
      }
      case K_QUOTE: {
        // The transpose binds tightest: it applies to the operand just read (`-x'` is -(x')).
        emit(P_CALL, FORM_POSTFIX, 1, p.intern('transpose'), p.start[out.at(1, 0)], tEnd);
        break;
      }
      case K_LBRACKET: {
        const prev = tokens.at(k - 1)!;
        if (prev.kind === 'number') {
          throw new ExprError(
            `a number cannot be indexed (mathjs refuses ${prev.text}[...] too)`,
            input,
            tStart,
            `for a product write ${prev.text}*[...]`,
          );
        }
        if (nextKind === K_RBRACKET) {
          throw new ExprError(
            'an index needs at least one entry',
            input,
            starts[k + 1],
            'write e.g. x[1], or x[:] for all',
          );
        }
        stack.pushGroup('index', tStart);
        expectOperand = true;
        break;
      }
      case K_SEMICOLON: {
        reduceGroup();
        const top = stack.top;
        if (top < 0 || stack.op(top) !== 'matrix') {
          throw new ExprError(
            top < 0
              ? "unexpected ';': only one expression is allowed"
              : "unexpected ';': it ends a row of a matrix, as in [1, 2; 3, 4]",
            input,
            tStart,
          );
        }
        finishRow(top);
        expectOperand = true;
        break;
      }
      case K_RBRACKET: {
        reduceGroup();
        if (stack.length === 0) throw new ExprError("unmatched ']'", input, tStart, 'remove it, or add the missing [');
        const open = --stack.length;
        const openOp = stack.op(open);
        const openStart = stack.starts[open];
        if (openOp === '(' || openOp === 'call') {
          throw new ExprError(
            `expected ')' for the '(' at column ${columnOf(input, openOp === 'call' ? findParen(input, openStart) : openStart)} before ']'`,
            input,
            tStart,
          );
        }
        if (openOp === 'index') {
          const n = stack.counts[open] + 2; // the object and its entries
          emit(P_INDEX, 0, n, -1, p.start[out.at(n, 0)], tEnd);
          break;
        }
        const rows = stack.rows.get(open)!;
        if (rows.length > 0) finishRow(open);
        const n = rows.length > 0 ? rows.length : stack.counts[open] + 1;
        stack.rows.delete(open);
        const from = out.length - n;
        const problem = shapes().ragged(out.items, from, n);
        if (problem !== undefined) {
          throw new ExprError(
            `ragged matrix: ${problem.message}`,
            input,
            p.start[problem.at],
            'every row of a matrix has the same number of elements',
          );
        }
        const matrix = p.push(P_MATRIX, rows.length > 0 ? F_ROWS : 0, n, -1, openStart, tEnd);
        shapes().record(matrix, out.items, from, n);
        out.length = from;
        out.push(matrix);
        break;
      }
      case K_QUESTION:
        pushBinary('?', CONDITIONAL_PREC, true, tStart);
        expectOperand = true;
        break;
      case K_COLON: {
        // The conditional's ':' when a '?' waits in this grouping (mathjs), else a range's.
        let i = stack.length - 1;
        while (i >= 0 && !stack.isGroup(i) && stack.op(i) !== '?') i--;
        if (i >= 0 && !stack.isGroup(i)) {
          while (stack.op(stack.top) !== '?') reduce();
          stack.setOp(stack.top, 'cond');
          expectOperand = true;
          break;
        }
        for (;;) {
          const top = stack.top;
          if (top < 0 || stack.isGroup(top) || stack.precs[top] <= RANGE_PREC) break;
          reduce();
        }
        const top = stack.top;
        if (top >= 0 && !stack.isGroup(top) && stack.op(top) === 'range') {
          if (stack.counts[top] === 3) {
            throw new ExprError('a range is start:end or start:step:end, not more', input, tStart);
          }
          stack.counts[top] = 3;
        } else stack.push('range', RANGE_PREC, 0, tStart, 2);
        expectOperand = true;
        break;
      }
      case K_RPAREN: {
        reduceGroup();
        if (stack.length === 0) throw new ExprError("unmatched ')'", input, tStart, 'remove it, or add the missing (');
        const open = --stack.length;
        const openOp = stack.op(open);
        if (openOp === 'matrix' || openOp === 'index') {
          throw new ExprError(
            `expected ']' for the '[' at column ${columnOf(input, stack.starts[open])} before ')'`,
            input,
            tStart,
          );
        }
        if (openOp === 'call') {
          const name = p.strings[stack.fns[open]];
          const argc = stack.counts[open] + 1;
          finishCall(input, name, stack.mins[open], stack.maxs[open], argc, stack.starts[open], p, out, tEnd);
        } else {
          // Parentheses leave no node; widen the span so errors point at the whole group.
          const inner = out.items[out.length - 1];
          p.start[inner] = stack.starts[open];
          p.end[inner] = tEnd;
        }
        break;
      }
      case K_COMMA: {
        reduceGroup();
        const top = stack.top;
        if (top < 0 || stack.op(top) === '(') {
          throw new ExprError(
            "unexpected ',': commas separate a function's arguments, a matrix's elements or an index's entries",
            input,
            tStart,
          );
        }
        // log(x, base) is log(x) / log(base): log(x) is written as soon as x is read, so that the
        // entries stay in post-order (x, log, base, log, div, what `build` makes in turn).
        if (stack.counts[top] === 0 && stack.op(top) === 'call' && p.strings[stack.fns[top]] === 'log') {
          const x = out.at(1, 0);
          emit(P_CALL, FORM_FUNCTION, 1, p.intern('log'), p.start[x], p.end[x]);
        }
        stack.counts[top] += 1;
        expectOperand = true;
        break;
      }
      case K_END: {
        while (stack.length > 0) {
          const top = stack.top;
          const topOp = stack.op(top);
          const topStart = stack.starts[top];
          if (topOp === 'matrix' || topOp === 'index') {
            throw new ExprError(
              `missing ']' for the '[' at column ${columnOf(input, topStart)}`,
              input,
              tStart,
              "add ']'",
            );
          }
          if (topOp === '(' || topOp === 'call') {
            throw new ExprError(
              `missing ')' for the '(' at column ${columnOf(input, topOp === 'call' ? findParen(input, topStart) : topStart)}`,
              input,
              tStart,
              "add ')'",
            );
          }
          reduce();
        }
        break;
      }
      default:
        if (kind === K_NAME && tEnd - tStart === 3 && input.startsWith('mod', tStart)) {
          pushBinary('mod', BINARY['%'].prec, false, tStart); // mathjs's word for %
          expectOperand = true;
          break;
        }
        throw missingOperator(input, tokens, k);
    }
    return k;
  };

  // Two functions of their own, each compiled as soon as it is hot (one loop over every case was
  // slow to optimise: a deep chain ran most of its tokens before the compiled code was ready).
  for (let k = 0; k < count; k++) k = expectOperand ? operand(k) : operator(k);
  // Kept for the next parse unless a deep one grew them (then they go with it).
  if (stack.capacity <= SPARE_CAPACITY && out.items.length <= SPARE_CAPACITY) spare = { stack, out };
  return p;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function columnOf(input: string, index: number): number {
  return new ExprError('', input, index).column;
}

function findParen(input: string, from: number): number {
  const i = input.indexOf('(', from);
  return i < 0 ? from : i;
}

/** How many arguments a function takes: from `min` to `max` (leaky_relu takes 1 or 2). */
interface Arity {
  min: number;
  max: number;
}

/** `1 argument`, `2 arguments`, `1 or 2 arguments`. */
function argumentCount(a: Arity): string {
  if (a.max === Infinity) return `${a.min} or more arguments`;
  return `${a.min === a.max ? a.min : `${a.min} or ${a.max}`} argument${a.max === 1 ? '' : 's'}`;
}

/** The number of arguments `name` takes when called, or undefined when it is not a function. */
function arityOf(name: string, functions: ReadonlyMap<string, number>): Arity | undefined {
  let known = OP_ARITY.get(name);
  if (known === undefined) {
    const op = OPS.get(name);
    if (op !== undefined && !op.callable) return undefined; // an operator's op, written with its operator
    if (op !== undefined)
      OP_ARITY.set(name, (known = { min: op.minArity, max: op.variadic === true ? Infinity : op.arity }));
  }
  if (known !== undefined) return known;
  const n = functions.get(name);
  return n === undefined ? undefined : { min: n, max: n };
}

/**
 * The callable ops' arities, each made the first time it is looked up (a deep chain looks one up
 * a call; all of them at start-up were ~70 objects for a run that calls two).
 */
const OP_ARITY = new Map<string, Arity>([['log', { min: 1, max: 2 }]]); // log(x, base): see finishCall

function finishCall(
  input: string,
  name: string,
  min: number,
  max: number,
  argc: number,
  start: number,
  p: Postfix,
  out: Operands,
  closeEnd: number,
): void {
  if (argc < min || argc > max) {
    const op = OPS.get(name);
    throw new ExprError(
      `${name} takes ${argumentCount({ min, max })}, got ${argc}`,
      input,
      start,
      op !== undefined ? `${name}: ${op.description}` : undefined,
    );
  }
  if (name === 'log' && argc === 2) {
    // log(x, base) is log(x) / log(base), as mathjs computes and differentiates it (log(x) was
    // written at the comma)
    const base = out.at(1, 0);
    out.items[out.length - 1] = p.push(P_CALL, FORM_FUNCTION, 1, p.intern('log'), p.start[base], p.end[base]);
    out.length -= 2;
    out.push(p.push(P_CALL, FORM_INFIX, 2, p.intern('div'), start, closeEnd));
    return;
  }
  const variableArgs = VARIABLE_ARGS.get(name);
  if (variableArgs !== undefined)
    for (const i of variableArgs) checkVariableArg(input, name, i, p, out.at(argc, i), out.at(argc, 0));
  out.length -= argc;
  out.push(p.push(P_CALL, FORM_FUNCTION, argc, p.intern(name), start, closeEnd));
}

/** The arguments that must be variable names (`diff(f, x)`'s), by op. */
const VARIABLE_ARGS: ReadonlyMap<string, readonly number[]> = new Map(
  CALLABLE.filter((op) => op.variableArgs !== undefined).map((op) => [op.name, op.variableArgs!]),
);

const ORDINALS = ['first', 'second', 'third'];

/** `diff(f, x)`: the argument at `i` must be a plain variable name, what the derivative is taken with respect to. */
function checkVariableArg(input: string, name: string, i: number, p: Postfix, arg: number, first: number): void {
  const kind = p.kind[arg];
  if (kind === P_VARIABLE) return;
  const written = input.slice(p.start[arg], p.end[arg]);
  const what = kind === P_CONSTANT ? `the constant ${p.strings[p.id[arg]]}` : `'${written}'`;
  const f = i === 0 ? 'f' : input.slice(p.start[first], p.end[first]);
  throw new ExprError(
    `the ${ORDINALS[i]} argument of ${name} must be a variable name, got ${what}`,
    input,
    p.start[arg],
    `write ${name}(${f}, x) to differentiate with respect to x`,
  );
}

/** `2x`, `3(x+1)`: allowed, except right after `/` or as an exponent, where it would be ambiguous. */
function checkImplicit(input: string, tokens: Tokens, k: number): void {
  // Skip unary signs in front of the number to find the operator it follows.
  let j = k - 1;
  while (
    j >= 0 &&
    tokens.at(j)!.kind === 'op' &&
    (tokens.at(j)!.text === '-' || tokens.at(j)!.text === '+') &&
    (j === 0 ||
      tokens.at(j - 1)!.kind === 'op' ||
      tokens.at(j - 1)!.kind === '(' ||
      tokens.at(j - 1)!.kind === ',' ||
      tokens.at(j - 1)!.kind === '[' ||
      tokens.at(j - 1)!.kind === ';')
  )
    j--;
  const before = j >= 0 ? tokens.at(j)! : undefined;
  const num = tokens.at(k)!;
  const nextTok = tokens.at(k + 1)!;
  const rest = nextTok.kind === '(' ? '(...)' : nextTok.text;
  if (nextTok.kind === 'name' && RESERVED.has(nextTok.text)) {
    // `2 mod(7)` is mathjs's operator: 2 mod 7.
    throw new ExprError(
      `'${nextTok.text}' after a number is an operator in mathjs, not a product`,
      input,
      nextTok.start,
      nextTok.text === 'mod' ? `write mod(${num.text}, y), or ${num.text}*mod(x, y)` : undefined,
    );
  }
  if (before?.kind === 'op' && before.text === '/') {
    const lhs = j > 0 ? tokens.at(j - 1)!.text : 'a';
    throw new ExprError(
      `ambiguous implicit multiplication after '/': ${lhs}/${num.text}${rest}`,
      input,
      nextTok.start,
      `write ${lhs}/(${num.text}*${rest}) or (${lhs}/${num.text})*${rest}`,
    );
  }
  if (before?.kind === 'op' && before.text === '^') {
    const lhs = j > 0 ? tokens.at(j - 1)!.text : 'a';
    throw new ExprError(
      `ambiguous implicit multiplication in an exponent: ${lhs}^${num.text}${rest}`,
      input,
      nextTok.start,
      `write ${lhs}^(${num.text}*${rest}) or ${lhs}^${num.text}*${rest}`,
    );
  }
}

/** What other tools (calculators, numpy, PyTorch, textbooks) call our functions. */
const OTHER_NAMES: Readonly<Record<string, string>> = {
  ln: 'log',
  lg: 'log10',
  ld: 'log2',
  lb: 'log2',
  log1: 'log1p',
  arcsin: 'asin',
  arccos: 'acos',
  arctan: 'atan',
  arctan2: 'atan2',
  arcsec: 'asec',
  arccsc: 'acsc',
  arccot: 'acot',
  arsinh: 'asinh',
  arcsinh: 'asinh',
  arcosh: 'acosh',
  arccosh: 'acosh',
  artanh: 'atanh',
  arctanh: 'atanh',
  sgn: 'sign',
  signum: 'sign',
  trunc: 'fix',
  truncate: 'fix',
  fmod: 'mod',
  remainder: 'mod',
  power: 'pow',
  cuberoot: 'cbrt',
  root: 'nthRoot',
  nthroot: 'nthRoot',
  logistic: 'sigmoid',
  expit: 'sigmoid',
  swish: 'silu',
  leakyrelu: 'leaky_relu',
  leakyRelu: 'leaky_relu',
  gammaln: 'lgamma',
  loggamma: 'lgamma',
  tgamma: 'gamma',
  amax: 'max',
  amin: 'min',
  maximum: 'max',
  minimum: 'min',
  where: 'cond',
  ifelse: 'cond',
  if: 'cond',
};

function unknownFunction(input: string, t: Token, functions: ReadonlyMap<string, number>): ExprError {
  const name = t.text;
  if (CONSTANTS.has(name)) {
    return new ExprError(`${name} is a constant, not a function`, input, t.end, `write ${name}*(...)`);
  }
  const op = OPS.get(name);
  if (op !== undefined) {
    return new ExprError(`${name} is written with its operator`, input, t.start, `write a ${op.symbol} b`);
  }
  const names = [...CALLABLE.map((o) => o.name), ...functions.keys()];
  const known = Object.hasOwn(OTHER_NAMES, name) ? OTHER_NAMES[name] : undefined;
  if (known === 'cond')
    return new ExprError(`unknown function '${name}'`, input, t.start, 'write the conditional c ? a : b');
  if (known !== undefined && OPS.get(known)?.callable === true) {
    return new ExprError(
      `unknown function '${name}'`,
      input,
      t.start,
      `dezero-grad calls it ${known}: write ${known}(...)`,
    );
  }
  const guess = nearest(name, names);
  if (guess !== undefined) return new ExprError(`unknown function '${name}'`, input, t.start, `did you mean ${guess}?`);
  // A short name that is no function anywhere may be a variable times a group.
  const product = name.length <= 2 && known === undefined ? `for a product write ${name}*(...); ` : '';
  return new ExprError(
    `unknown function '${name}'`,
    input,
    t.start,
    `${product}the functions are: ${names.join(', ')}`,
  );
}

function missingOperand(input: string, t: Token, prev: Token | undefined): ExprError {
  if (t.kind === 'end') {
    if (prev === undefined) return new ExprError('empty expression', input, 0, 'write e.g. square(exp(square(x)))');
    return new ExprError(
      `expression ends after '${prev.text}'`,
      input,
      t.start,
      `'${prev.text}' needs an operand after it`,
    );
  }
  if (t.kind === ')' && prev?.kind === '(') return new ExprError("empty parentheses '()'", input, t.start);
  const after = prev === undefined ? 'at the start' : `after '${prev.text}'`;
  const what =
    t.kind === 'op' ? `operator '${t.text === '^' && t.end - t.start === 2 ? '**' : t.text}'` : `'${t.text}'`;
  return new ExprError(`unexpected ${what} ${after}: expected a number, a name, '(' or '['`, input, t.start);
}

function missingOperator(input: string, tokens: Tokens, k: number): ExprError {
  const t = tokens.at(k)!;
  const prev = tokens.at(k - 1)!;
  if (t.kind === 'name' && RESERVED.has(t.text)) {
    return new ExprError(
      `'${t.text}' is not an operator here (and a reserved word, so not a name)`,
      input,
      t.start,
      t.text === 'mod' ? 'write mod(a, b)' : undefined,
    );
  }
  if (t.kind === 'name' && prev.kind === 'name' && OPS.has(prev.text) === false) {
    return new ExprError(
      `missing operator between '${prev.text}' and '${t.text}'`,
      input,
      t.start,
      `write ${prev.text}*${t.text}`,
    );
  }
  if (t.kind === '(' && prev.kind === 'name') {
    // a variable or constant followed by '(' (a known function was handled as a call)
    return new ExprError(`'${prev.text}' is not a function`, input, t.start, `write ${prev.text}*(...) for a product`);
  }
  const p = prev.kind === ')' ? '(...)' : prev.kind === ']' ? '[...]' : prev.text;
  const n = t.kind === '(' ? '(...)' : t.text;
  if (t.kind === 'number' && prev.kind === 'number') {
    return new ExprError(
      `missing operator between '${prev.text}' and '${t.text}'`,
      input,
      t.start,
      `write ${prev.text}*${t.text}`,
    );
  }
  return new ExprError(`missing operator before '${t.text}'`, input, t.start, `write ${p}*${n}, or ${p}+${n}`);
}
