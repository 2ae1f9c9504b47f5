/**
 * One line of a program (a session or a file) read into a statement:
 *
 *   (blank, or only a comment)    nothing
 *   NAME = expression             a binding
 *   A, B = expr1, expr2           bindings made together: every right side is evaluated first
 *   NAME(P, ...) = expression     a function definition
 *   expression                    an expression to evaluate
 *
 * `#` starts a comment that runs to the end of the line. The expression grammar itself rejects
 * `=`, so the left side is read here with the lexer, and each right side is parsed with the rest
 * of the line blanked out: positions in errors are then positions in the line as written.
 */
import type { Node } from './ast.js';
import { ExprError } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import { parsePostfix, type ParseOptions } from './parse.js';
import { toTree, type Postfix } from './postfix.js';
import { CONSTANTS, OPS } from '../engine/registry.js';

/** A name as written, with its place in the line. */
export interface NameToken {
  text: string;
  start: number;
}

export type Statement =
  | { type: 'blank' }
  | {
      type: 'expression';
      /** The parser's compact form of the line. */
      postfix: Postfix;
      /** Its syntax tree, made from `postfix` on first reading. */
      readonly root: Node;
    }
  | { type: 'bind'; targets: { name: NameToken; rhs: Node; text: string }[] }
  | { type: 'define'; name: NameToken; params: NameToken[]; body: Node; text: string };

/** `line` without its comment: everything from a `#` on. */
export function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return hash < 0 ? line : line.slice(0, hash);
}

/**
 * Reads one line. `functions` are the defined functions' arities (for the parser); `line` is the
 * line as written, with its comment, and every error points into it.
 */
export function parseStatement(line: string, functions: ReadonlyMap<string, number> = new Map()): Statement {
  const code = stripComment(line);
  if (code.trim() === '') return { type: 'blank' };
  const eq = assignmentSign(code);
  if (eq < 0) return expressionStatement(reparse(code, line, { functions }));
  const head = readHead(line, code, eq);
  const rhsText = code.slice(eq + 1);
  if (rhsText.trim() === '') {
    throw new ExprError(
      `nothing after '='`,
      line,
      code.length,
      head.params === undefined
        ? `write ${head.names[0].text} = 0.5`
        : `write ${head.names[0].text}(${head.params.map((p) => p.text).join(', ')}) = ...`,
    );
  }
  if (head.params !== undefined) {
    const name = head.names[0];
    checkName(line, name, 'function');
    const seen = new Set<string>();
    for (const p of head.params) {
      checkName(line, p, 'parameter');
      if (functions.has(p.text))
        throw new ExprError(`${p.text} is a function you defined, so it cannot be a parameter`, line, p.start);
      if (seen.has(p.text)) throw new ExprError(`parameter ${p.text} is named twice`, line, p.start);
      seen.add(p.text);
    }
    const arities = new Map(functions);
    arities.set(name.text, head.params.length); // so that a call to itself parses, and is reported as recursion
    const body = toTree(reparse(' '.repeat(eq + 1) + rhsText, line, { functions: arities }));
    return { type: 'define', name, params: head.params, body, text: rhsText.trim() };
  }
  for (const n of head.names) checkName(line, n, 'variable');
  const parts = splitTopLevel(code, eq + 1);
  if (parts.length !== head.names.length) {
    throw new ExprError(
      `${head.names.length} name${head.names.length === 1 ? '' : 's'} on the left of '=' but ${parts.length} expression${parts.length === 1 ? '' : 's'} on the right`,
      line,
      parts.length > head.names.length ? parts[head.names.length].start - 1 : eq,
      head.names.length === 1 ? 'one expression a name' : 'write a, b = 1, 2',
    );
  }
  const targets = head.names.map((name, i) => {
    const { start, end } = parts[i];
    const source = ' '.repeat(start) + code.slice(start, end);
    return { name, rhs: toTree(reparse(source, line, { functions })), text: code.slice(start, end).trim() };
  });
  return { type: 'bind', targets };
}

/** The index of the assignment's `=` (not part of `==`, `<=`, `>=` or `!=`), or -1. */
function assignmentSign(code: string): number {
  for (let i = 0; i < code.length; i++) {
    if (code[i] !== '=') continue;
    const before = code[i - 1];
    if (code[i + 1] === '=') {
      i++;
      continue;
    }
    if (before === '<' || before === '>' || before === '!' || before === '=') continue;
    return i;
  }
  return -1;
}

/** The right side split at the commas outside brackets: `x0 - 1, f(a, [b, c])` is two parts. */
function splitTopLevel(code: string, from: number): { start: number; end: number }[] {
  const parts: { start: number; end: number }[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < code.length; i++) {
    const c = code[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push({ start, end: i });
      start = i + 1;
    }
  }
  parts.push({ start, end: code.length });
  return parts;
}

/** The left side of `=`: `NAME`, `A, B, ...` or `NAME(P, ...)`, read with the expression lexer. */
function readHead(line: string, code: string, eq: number): { names: NameToken[]; params?: NameToken[] } {
  let tokens: Token[];
  try {
    tokens = tokenize(code.slice(0, eq));
  } catch (e) {
    throw e instanceof ExprError ? new ExprError(e.message, line, e.index, e.hint) : e;
  }
  const bad = (t: Token): ExprError =>
    new ExprError(
      "the left side of '=' must be a name or a function head",
      line,
      t.kind === 'end' ? eq : t.start,
      'write x = 0.5 to bind a variable, f(t) = sin(t)^2 to define a function',
    );
  const [name, open] = tokens;
  if (name.kind !== 'name') throw bad(name);
  if (open.kind === 'end') return { names: [name] };
  if (open.kind === ',') {
    // `a, b = ...`
    const names: NameToken[] = [name];
    let k = 1;
    while (tokens[k].kind === ',') {
      const next = tokens[k + 1];
      if (next.kind !== 'name') throw bad(next);
      const twice = names.find((n) => n.text === next.text);
      if (twice !== undefined) throw new ExprError(`${next.text} is named twice on the left of '='`, line, next.start);
      names.push(next);
      k += 2;
    }
    if (tokens[k].kind !== 'end') throw bad(tokens[k]);
    return { names };
  }
  if (open.kind !== '(') throw bad(open);
  const params: NameToken[] = [];
  let k = 2;
  if (tokens[k].kind === ')') {
    throw new ExprError(
      'a function needs at least one parameter',
      line,
      tokens[k].start,
      `for a value, write ${name.text} = ...`,
    );
  }
  for (;;) {
    const p = tokens[k++];
    if (p.kind !== 'name') throw bad(p);
    params.push(p);
    const sep = tokens[k++];
    if (sep.kind === ')') break;
    if (sep.kind !== ',') throw bad(sep);
  }
  if (tokens[k].kind !== 'end') throw bad(tokens[k]);
  return { names: [name], params };
}

/** A name a user is about to give something: not a built-in function, a constant or a reserved word. */
function checkName(line: string, t: NameToken, what: 'variable' | 'function' | 'parameter'): void {
  const name = t.text;
  const op = OPS.get(name);
  if (op !== undefined && (op.callable || what === 'function')) {
    throw new ExprError(
      `${name} is a built-in ${op.callable ? 'function' : 'operation'}`,
      line,
      t.start,
      `pick another name for the ${what}`,
    );
  }
  if (CONSTANTS.has(name)) {
    throw new ExprError(`${name} is a constant`, line, t.start, `pick another name for the ${what}`);
  }
  // Reserved words: the parser knows them and says so.
  reparse(' '.repeat(t.start) + name, line);
}

/** An expression statement whose tree is made when it is first read. */
function expressionStatement(postfix: Postfix): Statement {
  let root: Node | undefined;
  return {
    type: 'expression',
    postfix,
    get root(): Node {
      return (root ??= toTree(postfix));
    },
  };
}

/** Parses `source` (the line with parts blanked) and reports errors against the line itself. */
function reparse(source: string, line: string, options?: ParseOptions): Postfix {
  try {
    return parsePostfix(source, options);
  } catch (e) {
    throw e instanceof ExprError ? new ExprError(e.message, line, e.index, e.hint) : e;
  }
}
