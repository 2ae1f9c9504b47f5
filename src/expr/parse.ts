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
import type { CallNode, MatrixNode, Node } from './ast.js';
import { ragged, recordShape } from './literal.js';
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
 * value starts) or `index` (a `[` after one). A popped entry's fields stay readable until the
 * next push.
 */
class OpStack {
  length = 0;
  readonly ops: string[] = [];
  /** For `call`: the function's name. */
  readonly fns: string[] = [];
  /** For `matrix` written with `;`: the length of each row finished so far, by position. */
  readonly rows = new Map<number, number[]>();
  flags = new Uint8Array(16);
  precs = new Float64Array(16);
  starts = new Int32Array(16);
  /**
   * For `call`, `matrix` and `index`: the commas seen so far (in this row, for a matrix); for
   * `range`: its parts so far, 2 (`a:b`) or 3 (`a:s:b`).
   */
  counts = new Int32Array(16);

  push(op: string, prec: number, flags: number, start: number, count = 0): number {
    const i = this.length;
    if (i === this.flags.length) this.grow();
    this.ops[i] = op;
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

  /** The top entry's position, or -1 when empty. */
  get top(): number {
    return this.length - 1;
  }

  isGroup(i: number): boolean {
    return (this.flags[i] & F_GROUP) !== 0;
  }

  /** The innermost grouping's op, if any. */
  innermostGroup(): string | undefined {
    for (let i = this.length - 1; i >= 0; i--) if (this.isGroup(i)) return this.ops[i];
    return undefined;
  }

  private grow(): void {
    const n = this.flags.length * 2;
    const flags = new Uint8Array(n);
    flags.set(this.flags);
    this.flags = flags;
    const precs = new Float64Array(n);
    precs.set(this.precs);
    this.precs = precs;
    const starts = new Int32Array(n);
    starts.set(this.starts);
    this.starts = starts;
    const counts = new Int32Array(n);
    counts.set(this.counts);
    this.counts = counts;
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
const IMPLICIT_PREC = 3;
const UNARY_PREC = 4;

export function parse(input: string, options: ParseOptions = {}): Node {
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
  for (let k = 0; k < count; k++) {
    const kind = kinds[k];
    if ((kind === K_NUMBER || kind === K_NAME || kind === K_OP) && ++nodes > MAX_NODES) {
      throw new ExprError(
        `expression is too large: more than ${MAX_NODES} numbers, names and operators`,
        input,
        starts[k],
      );
    }
  }
  const out: Node[] = [];
  const stack = new OpStack();
  const names = new Map<string, string>();
  let lastName = '';
  let expectOperand = true;

  /** Pops one operator from the stack and builds its node from the operand stack. */
  const reduce = (): void => {
    const e = --stack.length;
    const op = stack.ops[e];
    const flags = stack.flags[e];
    if (op === '?') {
      throw new ExprError("'?' without its ':'", input, stack.starts[e], 'write c ? a : b');
    }
    if (op === 'range') {
      const parts = popArgs(out, stack.counts[e]);
      out.push({ type: 'range', args: parts, start: parts[0].start, end: parts[parts.length - 1].end });
      return;
    }
    if (op === 'cond') {
      const b = out.pop()!;
      const a = out.pop()!;
      const c = out.pop()!;
      out.push({ type: 'call', op: 'cond', args: [c, a, b], form: 'conditional', start: c.start, end: b.end });
      return;
    }
    if ((flags & F_PREFIX) !== 0) {
      const arg = out.pop()!;
      out.push(
        op === 'pos' ? arg : { type: 'call', op, args: [arg], form: 'prefix', start: stack.starts[e], end: arg.end },
      );
    } else {
      const b = out.pop()!;
      const a = out.pop()!;
      const node: CallNode = { type: 'call', op, args: [a, b], form: 'infix', start: a.start, end: b.end };
      if ((flags & F_DOTTED) !== 0) node.dotted = true;
      out.push(node);
    }
  };
  /** Reduces every operator down to the innermost grouping. */
  const reduceGroup = (): void => {
    while (stack.length > 0 && !stack.isGroup(stack.top)) reduce();
  };
  /** `[a, b; c, d]`: the elements since the last `;` become one row, checked against the first. */
  const finishRow = (open: number): void => {
    const n = stack.counts[open] + 1;
    const items = popArgs(out, n);
    const rows = stack.rows.get(open)!;
    if (rows.length > 0 && n !== rows[0]) {
      throw new ExprError(
        `ragged matrix: row ${rows.length + 1} has ${plural(n, 'element')} but row 1 has ${rows[0]}`,
        input,
        items[0].start,
        'every row of a matrix has the same number of elements',
      );
    }
    rows.push(n);
    const row: MatrixNode = { type: 'matrix', args: items, start: items[0].start, end: items[n - 1].end };
    recordShape(row);
    out.push(row);
    stack.counts[open] = 0;
  };
  /** Pushes a binary operator after reducing what binds tighter (or as tight, when left-associative). */
  const pushBinary = (op: string, prec: number, right: boolean, start: number, dotted = false): void => {
    for (;;) {
      const top = stack.top;
      if (top < 0 || stack.isGroup(top) || stack.ops[top] === '?') break;
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
    if (op === '?' && stack.top >= 0 && stack.ops[stack.top] === '?') {
      throw new ExprError(
        "a conditional in another's first branch needs parentheses (mathjs refuses it without)",
        input,
        start,
        'write a ? (b ? c : d) : e',
      );
    }
    stack.push(op, prec, dotted ? F_DOTTED : 0, start);
  };

  for (let k = 0; k < count; k++) {
    const kind = kinds[k];
    const tStart = starts[k];
    const tEnd = ends[k];
    // The end token has no next: K_END stands in (no case reads it there).
    const nextKind = k + 1 < count ? kinds[k + 1] : K_END;
    if (expectOperand) {
      switch (kind) {
        case K_NUMBER: {
          out.push({ type: 'number', value: values[k], text: tokens.text(k), start: tStart, end: tEnd });
          if (nextKind === K_NAME || nextKind === K_LPAREN) {
            checkImplicit(input, tokens, k);
            pushBinary('mul', IMPLICIT_PREC, false, starts[k + 1]);
            continue; // still expecting an operand: the name or group that follows
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
            if (!stack.ops.slice(0, stack.length).includes('index')) {
              throw new ExprError(
                "'end' means the last index of a dimension, so only inside an index such as x[end]",
                input,
                tStart,
              );
            }
            out.push({ type: 'end', start: tStart, end: tEnd });
            expectOperand = false;
            break;
          }
          if (nextKind === K_LPAREN) {
            const arity = arityOf(name, functions);
            if (arity === undefined) throw unknownFunction(input, tokens.at(k)!, functions);
            stack.fns[stack.pushGroup('call', tStart)] = name;
            k++; // the '(' belongs to the call
            if (kinds[k + 1] === K_RPAREN) {
              throw new ExprError(`${name}() needs ${argumentCount(arity)}`, input, starts[k + 1], `write ${name}(x)`);
            }
            continue;
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
              ? { type: 'constant', name, value: c, start: tStart, end: tEnd }
              : { type: 'variable', name, start: tStart, end: tEnd },
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
              out.push({ type: 'colon', start: tStart, end: tEnd });
              expectOperand = false;
              break;
            }
            out.push({ type: 'number', value: 1, text: '1', start: tStart, end: tStart });
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
            stack.ops[stack.top] === 'range' &&
            stack.innermostGroup() === 'index'
          ) {
            out.push({ type: 'end', start: tStart, end: tStart });
            expectOperand = false;
            k--; // the ']' or ',' again, now after an operand
            continue;
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
      continue;
    }

    // After an operand: an operator, '?', ':', ')', ',' or the end.
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
        const a = out.pop()!;
        out.push({ type: 'call', op: 'transpose', args: [a], form: 'postfix', start: a.start, end: tEnd });
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
        if (top < 0 || stack.ops[top] !== 'matrix') {
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
        const openOp = stack.ops[open];
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
          const args = popArgs(out, n);
          out.push({ type: 'index', args, start: args[0].start, end: tEnd });
          break;
        }
        let args: Node[];
        const rows = stack.rows.get(open)!;
        if (rows.length > 0) {
          finishRow(open);
          args = popArgs(out, rows.length);
        } else {
          const n = stack.counts[open] + 1;
          args = popArgs(out, n);
        }
        stack.rows.delete(open);
        const problem = ragged(args);
        if (problem !== undefined) {
          throw new ExprError(
            `ragged matrix: ${problem.message}`,
            input,
            problem.at.start,
            'every row of a matrix has the same number of elements',
          );
        }
        const node: MatrixNode = { type: 'matrix', args, start: openStart, end: tEnd };
        if (rows.length > 0) node.rows = true;
        recordShape(node);
        out.push(node);
        break;
      }
      case K_QUESTION:
        pushBinary('?', CONDITIONAL_PREC, true, tStart);
        expectOperand = true;
        break;
      case K_COLON: {
        // The conditional's ':' when a '?' waits in this grouping (mathjs), else a range's.
        let i = stack.length - 1;
        while (i >= 0 && !stack.isGroup(i) && stack.ops[i] !== '?') i--;
        if (i >= 0 && !stack.isGroup(i)) {
          while (stack.ops[stack.top] !== '?') reduce();
          stack.ops[stack.top] = 'cond';
          expectOperand = true;
          break;
        }
        for (;;) {
          const top = stack.top;
          if (top < 0 || stack.isGroup(top) || stack.precs[top] <= RANGE_PREC) break;
          reduce();
        }
        const top = stack.top;
        if (top >= 0 && !stack.isGroup(top) && stack.ops[top] === 'range') {
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
        const openOp = stack.ops[open];
        if (openOp === 'matrix' || openOp === 'index') {
          throw new ExprError(
            `expected ']' for the '[' at column ${columnOf(input, stack.starts[open])} before ')'`,
            input,
            tStart,
          );
        }
        if (openOp === 'call') {
          const name = stack.fns[open];
          finishCall(input, name, arityOf(name, functions)!, stack.counts[open] + 1, stack.starts[open], out, tEnd);
        } else {
          // Parentheses leave no node; widen the span so errors point at the whole group. The
          // node is this parse's own, made for this operand, so it is widened in place.
          const inner = out[out.length - 1];
          inner.start = stack.starts[open];
          inner.end = tEnd;
        }
        break;
      }
      case K_COMMA: {
        reduceGroup();
        const top = stack.top;
        if (top < 0 || stack.ops[top] === '(') {
          throw new ExprError(
            "unexpected ',': commas separate a function's arguments, a matrix's elements or an index's entries",
            input,
            tStart,
          );
        }
        stack.counts[top] += 1;
        expectOperand = true;
        break;
      }
      case K_END: {
        while (stack.length > 0) {
          const top = stack.top;
          const topOp = stack.ops[top];
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
  }
  return out[0];
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

/** The last `n` operands, in order, taken off `out` (what `splice` does, without its cost). */
function popArgs(out: Node[], n: number): Node[] {
  if (n === 1) return [out.pop()!];
  const base = out.length - n;
  const args: Node[] = [];
  for (let i = base; i < out.length; i++) args.push(out[i]);
  out.length = base;
  return args;
}

function finishCall(
  input: string,
  name: string,
  arity: Arity,
  argc: number,
  start: number,
  out: Node[],
  closeEnd: number,
): void {
  if (argc < arity.min || argc > arity.max) {
    const op = OPS.get(name);
    throw new ExprError(
      `${name} takes ${argumentCount(arity)}, got ${argc}`,
      input,
      start,
      op !== undefined ? `${name}: ${op.description}` : undefined,
    );
  }
  const args = popArgs(out, argc);
  if (name === 'log' && argc === 2) {
    // log(x, base) is log(x) / log(base), as mathjs computes and differentiates it
    const [x, base] = args;
    const log = (a: Node): Node => ({
      type: 'call',
      op: 'log',
      args: [a],
      form: 'function',
      start: a.start,
      end: a.end,
    });
    out.push({ type: 'call', op: 'div', args: [log(x), log(base)], form: 'infix', start: start, end: closeEnd });
    return;
  }
  const op = OPS.get(name);
  const variableArgs = op?.variableArgs;
  if (variableArgs !== undefined) for (const i of variableArgs) checkVariableArg(input, name, i, args[i], args[0]);
  out.push({ type: 'call', op: name, args, form: 'function', start: start, end: closeEnd });
}

const ORDINALS = ['first', 'second', 'third'];

/** `diff(f, x)`: the argument at `i` must be a plain variable name, what the derivative is taken with respect to. */
function checkVariableArg(input: string, name: string, i: number, arg: Node, first: Node): void {
  if (arg.type === 'variable') return;
  const written = input.slice(arg.start, arg.end);
  const what = arg.type === 'constant' ? `the constant ${arg.name}` : `'${written}'`;
  const f = i === 0 ? 'f' : input.slice(first.start, first.end);
  throw new ExprError(
    `the ${ORDINALS[i]} argument of ${name} must be a variable name, got ${what}`,
    input,
    arg.start,
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
