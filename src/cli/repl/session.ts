/**
 * The REPL's session, with no terminal in sight: it takes one line and returns what to print.
 * It keeps the variables (`x = 0.5`), the functions (`f(t) = sin(t)^2`) and the last result (for
 * `:trace` and `:json`). The readline layer in repl.ts only moves lines in and text out.
 *
 * A line is one of:
 *   (blank)                 nothing
 *   :command [argument]     see commands.ts
 *   NAME = expression       binds NAME to the expression's value
 *   NAME(P, ...) = expr     defines a function; calls to it are expanded into the graph
 *   expression              prints its value and its gradient w.r.t. every variable it uses
 *
 * The expression grammar itself rejects `=`, so the left side of an assignment is read here with
 * the lexer, and the right side is parsed with the left side blanked out: positions in errors are
 * then positions in the line the user typed.
 */
import { differentiate } from '../../api/grad.js';
import { noGrad } from '../../engine/config.js';
import { CONSTANTS, OPS } from '../../engine/registry.js';
import type { CallNode, Node } from '../../expr/ast.js';
import { eachNode } from '../../expr/walk.js';
import { build, variableNames, type Graph } from '../../expr/build.js';
import { ExprError, MissingValueError } from '../../expr/errors.js';
import { tokenize, type Token } from '../../expr/lexer.js';
import { parse } from '../../expr/parse.js';
import { visible } from '../../expr/visible.js';
import { formatNumber } from '../../report/format.js';
import { renderJson } from '../../report/json.js';
import type { RenderSettings } from '../../report/settings.js';
import { PLAIN, type Style } from '../../report/style.js';
import { renderText } from '../../report/text.js';
import { UsageError } from '../errors.js';
import { formatError, warnNonFinite } from '../messages.js';
import { findCommand } from './commands.js';
import type { Definition, LastResult, ReplSession } from './state.js';

/** What one line produced. */
export interface LineResult {
  /** For standard output. */
  out: string;
  /** For standard error: the error, or warnings. */
  err: string;
  /** False when the line was an error (the session goes on either way). */
  ok: boolean;
  /** True after `:quit`. */
  quit: boolean;
}

export interface SessionOptions {
  /** How to print: the precision, the style, the terminal width (for `:trace`). */
  settings?: RenderSettings;
  /** Print `x = 0.5` after an assignment and the function after a definition (on a terminal). */
  echo?: boolean;
  /** Prefix errors with `line N:` (piped input, where the line is not on the screen). */
  lineNumbers?: boolean;
  /**
   * Ask the user to pick one of `choices` (a terminal with @inquirer/prompts); absent where no one
   * can answer, and then commands take their default.
   */
  choose?(message: string, choices: readonly string[]): Promise<string>;
  /**
   * Runs a line's synchronous work so that Ctrl-C can stop it (interrupt.ts, on a terminal); the
   * line then fails with that error and the session goes on. Absent: the work just runs.
   */
  guard?<T>(work: () => T): T;
  /** Most operations the calls to defined functions may expand to in one line (MAX_EXPANDED). */
  maxExpanded?: number;
}

/** Past this many operations inlined from function bodies, a line is refused rather than built. */
export const MAX_EXPANDED = 250_000;

export class Session implements ReplSession {
  readonly variables = new Map<string, number>();
  readonly functions = new Map<string, Definition>();
  last: LastResult | undefined;
  private done = false;
  private lineNumber = 0;

  constructor(readonly options: SessionOptions = {}) {}

  get settings(): RenderSettings {
    return this.options.settings ?? {};
  }

  get style(): Style {
    return this.settings.style ?? PLAIN;
  }

  /** Runs one line. Never throws: errors come back in `err` with `ok: false`. */
  async run(line: string): Promise<LineResult> {
    this.lineNumber++;
    let out = '';
    let err = '';
    try {
      const trimmed = line.trim();
      const guard = this.options.guard ?? (<T>(work: () => T): T => work());
      if (trimmed === '') {
        // nothing to do
      } else if (trimmed.startsWith(':')) {
        out = await guard(() => this.command(trimmed.slice(1)));
      } else {
        const eq = line.indexOf('=');
        if (eq >= 0 && line[eq + 1] !== '=') out = guard(() => this.binding(line, eq));
        else ({ out, err } = guard(() => this.evaluate(line)));
      }
      return { out, err, ok: true, quit: this.done };
    } catch (e) {
      return { out, err: err + this.formatFailure(e), ok: false, quit: this.done };
    }
  }

  /** Ends the session after this line (`:quit`). */
  quit(): void {
    this.done = true;
  }

  /** Forgets everything (`:clear`). */
  clear(): void {
    this.variables.clear();
    this.functions.clear();
    this.last = undefined;
  }

  /** The functions' arities, for the parser. */
  arities(): Map<string, number> {
    return new Map([...this.functions.values()].map((d) => [d.name, d.params.length]));
  }

  /** `:trace`: the full forward and backward trace of the last expression. */
  traceText(): string {
    const last = this.requireLast('trace');
    return renderText(last.result, last.values, this.settings);
  }

  /** `:json`: the last expression's result as one JSON object. */
  jsonText(): string {
    const last = this.requireLast('json');
    return renderJson(last.source.trim(), last.values, last.result, this.settings);
  }

  /** The last expression's graph built afresh and differentiated, for `:dot`, `:tree` and `:order`. */
  lastGraph(command: string): Graph {
    const last = this.requireLast(command);
    const graph = build(last.root, last.values, last.source);
    differentiate(graph);
    return graph;
  }

  requireLast(command: string): LastResult {
    if (this.last === undefined) {
      throw new UsageError(
        `:${command} shows the last expression, and there is none yet`,
        'type an expression first, e.g. sin(x)^2',
      );
    }
    return this.last;
  }

  /** `x = 0.5` as the session shows a variable. */
  describeVariable(name: string, value: number): string {
    const s = this.style;
    return `${s.name(name)} = ${s.value(formatNumber(value, this.settings.precision))}`;
  }

  /** `f(t) = sin(t)^2` as the session shows a function. */
  describeFunction(d: Definition): string {
    return `${this.style.fn(d.name)}(${d.params.map((p) => this.style.name(p)).join(', ')}) = ${visible(d.text, false)}`;
  }

  private async command(text: string): Promise<string> {
    const match = /^([A-Za-z]*)\s*(.*)$/s.exec(text)!;
    return findCommand(match[1]).run(this, match[2].trim());
  }

  /** `NAME = expr` or `NAME(P, ...) = expr`; `eq` is the index of the `=`. */
  private binding(line: string, eq: number): string {
    const head = readHead(line, eq);
    const rhs = ' '.repeat(eq + 1) + line.slice(eq + 1);
    if (rhs.trim() === '') {
      throw new ExprError(
        `nothing after '='`,
        line,
        line.length,
        head.params === undefined
          ? `write ${head.name} = 0.5`
          : `write ${head.name}(${head.params.map((p) => p.text).join(', ')}) = ...`,
      );
    }
    if (head.params === undefined) return this.assign(line, head.name, rhs);
    return this.define(line, head.name, head.params, rhs, line.slice(eq + 1).trim());
  }

  private assign(line: string, name: Token, rhs: string): string {
    checkName(line, name, 'variable');
    if (this.functions.has(name.text)) {
      throw new ExprError(
        `${name.text} is a function you defined`,
        line,
        name.start,
        `pick another name, or forget the function with :clear ${name.text}`,
      );
    }
    const { root, values } = this.prepare(rhs, line);
    const value = noGrad(() => build(root, values, line).output.data);
    if (!Number.isFinite(value)) {
      throw new ExprError(`${name.text} would be ${value}: a variable needs a finite value`, line, rhs.search(/\S/));
    }
    this.variables.delete(name.text); // a rebound variable moves to the end of :vars
    this.variables.set(name.text, value);
    return this.options.echo ? this.describeVariable(name.text, value) + '\n' : '';
  }

  private define(line: string, name: Token, params: Token[], rhs: string, text: string): string {
    checkName(line, name, 'function');
    if (this.variables.has(name.text)) {
      throw new ExprError(
        `${name.text} is a variable`,
        line,
        name.start,
        `pick another name for the function, or forget the variable with :clear ${name.text}`,
      );
    }
    const seen = new Set<string>();
    for (const p of params) {
      checkName(line, p, 'parameter');
      if (this.functions.has(p.text))
        throw new ExprError(`${p.text} is a function you defined, so it cannot be a parameter`, line, p.start);
      if (seen.has(p.text)) throw new ExprError(`parameter ${p.text} is named twice`, line, p.start);
      seen.add(p.text);
    }
    const arities = this.arities();
    arities.set(name.text, params.length); // so that a call to itself parses, and is reported below
    const body = reparse(rhs, line, { functions: arities });
    const loop = this.findLoop(name.text, body);
    if (loop !== undefined) {
      const through = loop.op === name.text ? 'itself' : `itself through ${loop.op}`;
      throw new ExprError(
        `${name.text} would call ${through}: recursive definitions are not supported`,
        line,
        loop.start,
      );
    }
    const def: Definition = { name: name.text, params: params.map((p) => p.text), body, text };
    this.functions.set(name.text, def);
    return this.options.echo ? this.describeFunction(def) + '\n' : '';
  }

  /** The first call in `body` through which `name` would end up calling itself, if any. */
  private findLoop(name: string, body: Node): CallNode | undefined {
    for (const call of this.userCalls(body)) {
      if (call.op === name) return call;
      // Does call.op reach `name` through the definitions as they are now?
      const seen = new Set<string>([call.op]);
      const todo = [call.op];
      while (todo.length > 0) {
        const def = this.functions.get(todo.pop()!);
        if (def === undefined) continue;
        for (const inner of this.userCalls(def.body)) {
          if (inner.op === name) return call;
          if (!seen.has(inner.op)) {
            seen.add(inner.op);
            todo.push(inner.op);
          }
        }
      }
    }
    return undefined;
  }

  /** The calls to functions that are not built in, in source order. */
  private userCalls(root: Node): CallNode[] {
    const calls: CallNode[] = [];
    for (const node of eachNode(root)) if (node.type === 'call' && !OPS.has(node.op)) calls.push(node);
    return calls;
  }

  private evaluate(line: string): { out: string; err: string } {
    const { root, values } = this.prepare(line, line);
    const result = differentiate(build(root, values, line));
    this.last = { source: line, root, values, result };
    let err = '';
    warnNonFinite(result, values, { err: (t) => (err += t) });
    const out = renderText(result, values, { ...this.settings, quiet: true });
    return { out, err };
  }

  /**
   * Parses `source` (the line, perhaps with its left side blanked), expands the calls to defined
   * functions and collects the values of the variables it uses; errors point into `line`.
   */
  private prepare(source: string, line: string): { root: Node; values: Map<string, number> } {
    const parsed = reparse(source, line, { functions: this.arities() });
    const { root, uses } = this.expand(parsed, line);
    const values = new Map<string, number>();
    for (const name of variableNames(root)) {
      const value = this.variables.get(name);
      if (value === undefined) {
        const use = uses.get(name)!;
        const hint =
          use.via === undefined
            ? `bind it first: ${name} = 0.5`
            : `${use.via} uses ${name}; bind it first: ${name} = 0.5`;
        throw new MissingValueError(name, line, use.index, hint);
      }
      values.set(name, value);
    }
    return { root, values };
  }

  /**
   * Replaces every call to a defined function by its body, with the parameters replaced by the
   * arguments, until only built-in ops remain: the graph then runs through the function's
   * operations, and backward through them, like through any others. An argument is one shared
   * subtree, however often the body uses its parameter, so the builder evaluates it once (as a
   * call in Python would). Iterative (an explicit stack); nodes from a body take the position of
   * the call, so errors point at it.
   */
  private expand(root: Node, line: string): { root: Node; uses: Map<string, { index: number; via?: string }> } {
    interface Item {
      node: Node;
      /** Parameter -> argument (already expanded), inside an inlined body. */
      env?: ReadonlyMap<string, Node>;
      /** The outermost call being inlined: position for the nodes of its body. */
      at?: CallNode;
      /** The function whose body this is. */
      via?: string;
      expanded?: boolean;
    }
    const uses = new Map<string, { index: number; via?: string }>();
    let operations = 0;
    const limit = this.options.maxExpanded ?? MAX_EXPANDED;
    const results: Node[] = [];
    const todo: Item[] = [{ node: root }];
    const place = <T extends Node>(node: T, item: Item): T =>
      item.at === undefined ? node : { ...node, start: item.at.start, end: item.at.end };
    while (todo.length > 0) {
      const item = todo.pop()!;
      const node = item.node;
      switch (node.type) {
        case 'number':
        case 'constant':
          results.push(place(node, item));
          break;
        case 'variable': {
          const arg = item.env?.get(node.name);
          if (arg !== undefined) {
            results.push(arg);
            break;
          }
          const placed = place(node, item);
          const use = uses.get(node.name);
          if (use === undefined || placed.start < use.index)
            uses.set(node.name, { index: placed.start, via: item.via });
          results.push(placed);
          break;
        }
        case 'call': {
          if (!item.expanded) {
            todo.push({ ...item, expanded: true });
            for (let i = node.args.length - 1; i >= 0; i--)
              todo.push({ node: node.args[i], env: item.env, at: item.at, via: item.via });
            break;
          }
          const args = results.splice(results.length - node.args.length, node.args.length);
          if (OPS.has(node.op)) {
            if (item.at !== undefined && ++operations > limit) {
              throw new ExprError(
                `this expands to more than ${limit} operations`,
                line,
                (item.at ?? node).start,
                'a function that calls another twice doubles the work at each level',
              );
            }
            results.push({ ...place(node, item), args });
            break;
          }
          const def = this.functions.get(node.op);
          const at = item.at ?? node;
          if (def === undefined) {
            throw new ExprError(
              `${node.op} is not defined any more (${item.via} calls it)`,
              line,
              at.start,
              `define it again: ${node.op}(t) = ...`,
            );
          }
          if (def.params.length !== args.length) {
            throw new ExprError(
              `${item.via} calls ${node.op} with ${args.length} argument${args.length === 1 ? '' : 's'}, but ${node.op} now takes ${def.params.length}`,
              line,
              at.start,
              `define ${item.via} again`,
            );
          }
          todo.push({ node: def.body, env: new Map(def.params.map((p, i) => [p, args[i]])), at, via: def.name });
          break;
        }
      }
    }
    return { root: results[0], uses };
  }

  private formatFailure(e: unknown): string {
    let text: string;
    if (e instanceof ExprError || e instanceof UsageError) {
      text = formatError(e);
    } else {
      const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
      text = `dezero-grad: internal error: a bug in dezero-grad; please report it with the line you typed\n${detail}\n`;
    }
    return this.options.lineNumbers ? text.replace(/^dezero-grad: /, `dezero-grad: line ${this.lineNumber}: `) : text;
  }
}

/** The left side of `=`: `NAME` or `NAME(P, ...)`, read with the expression lexer. */
function readHead(line: string, eq: number): { name: Token; params?: Token[] } {
  let tokens: Token[];
  try {
    tokens = tokenize(line.slice(0, eq));
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
  if (open.kind === 'end') return { name };
  if (open.kind !== '(') throw bad(open);
  const params: Token[] = [];
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
  return { name, params };
}

/** A name a user is about to give something: not a built-in function, a constant or a reserved word. */
function checkName(line: string, t: Token, what: 'variable' | 'function' | 'parameter'): void {
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

/** Parses `source` (the line with parts blanked) and reports errors against the line itself. */
function reparse(source: string, line: string, options?: Parameters<typeof parse>[1]): Node {
  try {
    return parse(source, options);
  } catch (e) {
    throw e instanceof ExprError ? new ExprError(e.message, line, e.index, e.hint) : e;
  }
}
