/**
 * A program: the bindings and function definitions of a session or a file, line by line, and the
 * graph of an expression built from them (the REPL and `dezero-grad -f` are thin users of it).
 *
 *   x = -4               a leaf: a name bound to a constant expression holds its value (a
 *                        number, or a vector or matrix: W = [1, 2; 3, 4])
 *   z = 2*x + 2 + x      a named intermediate: it keeps its expression and stays a node of the
 *                        graph, evaluated from the current leaves whenever it is used (so
 *                        rebinding x changes z: a calculator's semantics)
 *   x = x - 0.1*diff(x^2, x)
 *                        a leaf bound to itself: the one place where the value is taken, an
 *                        update of the leaf (an optimiser's step)
 *   c = c + 1            an intermediate bound to itself: the new c is built on the old one,
 *                        which is kept under the name c₁ (Python's `c = c + 1` on a Value)
 *   x0, x1 = e0, e1      every right side evaluated first, then every name updated to its value
 *   f(t) = t^2           a function: calls to it are expanded into the graph
 *
 * Gradients are taken with respect to the leaves; the intermediates are named steps of the graph
 * and keep their gradients for the trace (DeZero's `retain_grad`). A binding that would make a
 * cycle (`a = b` after `b = a`) is refused with the place of the name that closes it.
 */
import { elementsOf, type Value } from '../engine/tensor.js';
import type { CallNode, Node, VariableNode } from '../expr/ast.js';
import { build, variableNames, type Graph } from '../expr/build.js';
import { ExprError, MissingValueError } from '../expr/errors.js';
import { parseStatement, type NameToken, type Statement } from '../expr/statement.js';
import { eachNode, fold } from '../expr/walk.js';
import { OPS } from '../engine/registry.js';
import { differentiate, type GradResult } from './differentiate.js';

/** A function defined with `f(t) = ...`. */
export interface Definition {
  name: string;
  params: string[];
  body: Node;
  /** The body as written, for listing. */
  text: string;
}

export type Binding =
  | { kind: 'leaf'; name: string; value: Value }
  | {
      kind: 'intermediate';
      name: string;
      node: Node;
      /** The right side as written, for listing. */
      text: string;
      /** An earlier version of a rebound intermediate (`c₁`), reachable only through the newer one. */
      hidden?: boolean;
    };

/** What one statement did. */
export type Outcome =
  | { type: 'blank' }
  | { type: 'bound'; bindings: BoundName[] }
  | { type: 'defined'; definition: Definition; replaced?: 'variable' }
  | { type: 'result'; built: Built; result: GradResult<Value> };

export interface BoundName {
  binding: Binding;
  /** The leaf's value before an update (`x = x - ...`). */
  was?: Value;
  /** A function of that name was replaced by this binding. */
  replaced?: 'function';
  /** The name's value is fixed from outside (a command-line value), so a constant binding left it. */
  fixed?: boolean;
}

/** An expression ready to run: expanded, with the values of the leaves it uses. */
export interface Built {
  /** Calls to defined functions and intermediates expanded: only built-in ops and leaves remain. */
  root: Node;
  /** The intermediates' nodes in `root`, by name (for the builder). */
  named: Map<Node, string>;
  /** Every name the program binds: no step of the graph takes one as its letter. */
  reserved: string[];
  /** The leaves `root` uses, in order of first use. */
  values: Map<string, Value>;
  graph: Graph;
}

export interface ProgramOptions {
  /** Most operations one expression may expand to (see MAX_EXPANDED). */
  maxExpanded?: number;
  /**
   * Leaves whose values come from outside (a command line's `--x 0.5`): a binding of one of them
   * to a constant leaves it as it is.
   */
  fixed?: ReadonlySet<string>;
}

/** Past this many operations inlined from function bodies and intermediates, a line is refused rather than built. */
export const MAX_EXPANDED = 250_000;

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';

export class Program {
  /** Leaves and intermediates, in the order they were (last) bound. */
  readonly bindings = new Map<string, Binding>();
  readonly functions = new Map<string, Definition>();
  /** Every name some stored expression mentions: only such a name can close a cycle. */
  private readonly mentioned = new Set<string>();
  /** The last version number given to each rebuilt intermediate (`c₃`: 3). */
  private readonly versions = new Map<string, number>();

  constructor(readonly options: ProgramOptions = {}) {}

  /** The functions' arities, for the parser. */
  arities(): Map<string, number> {
    return new Map([...this.functions.values()].map((d) => [d.name, d.params.length]));
  }

  /**
   * Reads and runs one line (a binding, a definition, an expression or a comment):
   *
   *     const p = new Program();
   *     p.run('x = -4'); p.run('z = 2*x + 2 + x');
   *     p.run('z*z')  // { type: 'result', result: { value: 100, gradient: { x: -60 }, ... } }
   */
  run(line: string): Outcome {
    return this.execute(parseStatement(line, this.arities()), line);
  }

  /** Runs one statement; `line` is its text, for errors. */
  execute(statement: Statement, line: string): Outcome {
    switch (statement.type) {
      case 'blank':
        return { type: 'blank' };
      case 'expression': {
        const built = this.build(statement.root, line);
        return { type: 'result', built, result: differentiate(built.graph) };
      }
      case 'define':
        return this.define(statement.name, statement.params, statement.body, statement.text, line);
      case 'bind':
        return { type: 'bound', bindings: this.bind(statement.targets, line) };
    }
  }

  /** Sets a leaf directly (a value from outside the program). */
  setLeaf(name: string, value: Value): void {
    this.functions.delete(name);
    this.bindings.delete(name);
    this.bindings.set(name, { kind: 'leaf', name, value });
  }

  /** Forgets a name (a binding or a function); false when there was none. */
  forget(name: string): boolean {
    const had = this.bindings.delete(name) || this.functions.delete(name);
    return had;
  }

  clear(): void {
    this.bindings.clear();
    this.functions.clear();
    this.mentioned.clear();
    this.versions.clear();
  }

  /** A binding's current value (an intermediate's from the current leaves). */
  valueOf(name: string, line = name): Value {
    const b = this.bindings.get(name);
    if (b === undefined) throw new MissingValueError(name, line, 0);
    if (b.kind === 'leaf') return b.value;
    return this.build({ type: 'variable', name, start: 0, end: name.length }, line).graph.output.data;
  }

  /** The graph of `root` at the current leaves: intermediates and calls expanded, then built. */
  build(root: Node, line: string): Built {
    const { root: expanded, named, uses } = this.expand(root, line);
    const values = new Map<string, Value>();
    for (const name of variableNames(expanded)) {
      const b = this.bindings.get(name);
      if (b === undefined || b.kind !== 'leaf') throw missing(name, uses.get(name)!, line, 'bind it first');
      values.set(name, b.value);
    }
    const reserved = [...this.bindings.keys()];
    return { root: expanded, named, reserved, values, graph: build(expanded, values, line, { named, reserved }) };
  }

  /**
   * `root` with the intermediates and the calls to defined functions expanded, and the names of
   * the intermediates' nodes, without building it: for a caller that supplies the leaves' values
   * itself (many points). Every name it uses must be bound to a leaf.
   */
  expanded(root: Node, line: string): { root: Node; named: Map<Node, string>; reserved: string[]; leaves: string[] } {
    const { root: expanded, named, uses } = this.expand(root, line);
    const leaves = variableNames(expanded);
    for (const name of leaves) {
      if (this.bindings.get(name)?.kind !== 'leaf') throw missing(name, uses.get(name)!, line, 'bind it first');
    }
    return { root: expanded, named, reserved: [...this.bindings.keys()], leaves };
  }

  /**
   * `x = ...`, or `a, b = ...` (all right sides evaluated first). A name bound to a constant
   * expression, or a leaf bound to an expression that uses it, becomes a leaf holding the value;
   * any other binding is an intermediate.
   */
  private bind(targets: { name: NameToken; rhs: Node; text: string }[], line: string): BoundName[] {
    if (targets.length > 1) {
      // Evaluated together, then assigned: an update of every name.
      const values = targets.map((t) => this.leafValue(t.name, t.rhs, line));
      return targets.map((t, i) => this.assignLeaf(t.name.text, values[i]));
    }
    const [{ name, rhs, text }] = targets;
    const current = this.bindings.get(name.text);
    const refs = variableNames(rhs);
    const self = refs.includes(name.text);
    if (this.options.fixed?.has(name.text) && !self && this.isConstant(rhs)) {
      return [{ binding: current!, fixed: true }];
    }
    if ((self && current?.kind === 'leaf') || (!self && this.isConstant(rhs))) {
      return [this.assignLeaf(name.text, this.leafValue(name, rhs, line))];
    }
    let node = rhs;
    let shown = text;
    if (self) {
      if (current === undefined) {
        const at = firstUse(rhs, name.text);
        throw new MissingValueError(name.text, line, at, `bind it first: ${name.text} = 0.5`);
      }
      // `c = c + 1` on an intermediate: the new c uses the old one, kept under another name.
      const old = this.versionName(name.text);
      this.bindings.set(old, { ...current, name: old, hidden: true } as Binding);
      node = renameVariable(rhs, name.text, old);
      shown = text.replace(new RegExp(`(?<![A-Za-z0-9_])${name.text}(?![A-Za-z0-9_])`, 'g'), old);
      try {
        this.checkBound(node, line);
        this.checkCycle(name.text, node, line, 'binding');
      } catch (e) {
        this.bindings.delete(old);
        throw e;
      }
    } else {
      this.checkBound(rhs, line);
      this.checkCycle(name.text, rhs, line, 'binding');
    }
    const replaced = this.functions.delete(name.text) ? ('function' as const) : undefined;
    for (const n of this.namesIn(node)) this.mentioned.add(n);
    const binding: Binding = { kind: 'intermediate', name: name.text, node, text: shown };
    this.bindings.delete(name.text);
    this.bindings.set(name.text, binding);
    return [{ binding, ...(replaced !== undefined ? { replaced } : {}) }];
  }

  private define(name: NameToken, params: NameToken[], body: Node, text: string, line: string): Outcome {
    this.checkCycle(name.text, body, line, 'function', new Set(params.map((p) => p.text)));
    const definition: Definition = { name: name.text, params: params.map((p) => p.text), body, text };
    const replaced = this.bindings.delete(name.text) ? ('variable' as const) : undefined;
    for (const n of this.namesIn(body, new Set(definition.params))) this.mentioned.add(n);
    this.functions.set(name.text, definition);
    return { type: 'defined', definition, ...(replaced !== undefined ? { replaced } : {}) };
  }

  /** The value of a right side that becomes a leaf (a number, a vector or a matrix); it must be finite. */
  private leafValue(name: NameToken, rhs: Node, line: string): Value {
    const value = this.build(rhs, line).graph.output.data;
    const bad = elementsOf(value).find((x) => !Number.isFinite(x));
    if (bad !== undefined) {
      const what = typeof value === 'number' ? `would be ${value}` : `would hold ${bad}`;
      throw new ExprError(`${name.text} ${what}: a leaf needs a finite value`, line, rhs.start);
    }
    return value;
  }

  private assignLeaf(name: string, value: Value): BoundName {
    const current = this.bindings.get(name);
    const replaced = this.functions.delete(name) ? ('function' as const) : undefined;
    const binding: Binding = { kind: 'leaf', name, value };
    this.bindings.delete(name); // a rebound name moves to the end of the listing
    this.bindings.set(name, binding);
    return {
      binding,
      ...(current?.kind === 'leaf' ? { was: current.value } : {}),
      ...(replaced !== undefined ? { replaced } : {}),
    };
  }

  /** True when `rhs` uses no binding at all, not even through the functions it calls. */
  private isConstant(rhs: Node): boolean {
    if (variableNames(rhs).length > 0) return false;
    const seen = new Set<string>();
    const todo = userCalls(rhs).map((c) => c.op);
    while (todo.length > 0) {
      const f = this.functions.get(todo.pop()!);
      if (f === undefined || seen.has(f.name)) continue;
      seen.add(f.name);
      const params = new Set(f.params);
      if (variableNames(f.body).some((n) => !params.has(n))) return false;
      for (const c of userCalls(f.body)) todo.push(c.op);
    }
    return true;
  }

  /** Every variable an intermediate's right side names must be bound now. */
  private checkBound(rhs: Node, line: string): void {
    for (const node of eachNode(rhs)) {
      if (node.type === 'variable' && !this.bindings.has(node.name)) {
        const hint = this.functions.has(node.name)
          ? `${node.name} is a function: call it, ${node.name}(...)`
          : `bind it first: ${node.name} = 0.5`;
        throw new MissingValueError(node.name, line, firstUse(rhs, node.name), hint);
      }
    }
  }

  /**
   * Refuses a binding or definition of `name` whose right side would reach `name` again, through
   * intermediates and function bodies as they are now. The caret goes under the name (or call)
   * in the right side that starts the loop.
   */
  private checkCycle(
    name: string,
    rhs: Node,
    line: string,
    what: 'binding' | 'function',
    params: ReadonlySet<string> = new Set(),
  ): void {
    if (!this.mentioned.has(name) && !rhsMentions(rhs, name, params)) return;
    for (const start of mentions(rhs, params)) {
      const path = this.pathTo(start.name, name);
      if (path === undefined) continue;
      if (what === 'function') {
        const through = path.length === 0 ? 'itself' : `itself through ${start.name}`;
        throw new ExprError(`${name} would call ${through}: recursive definitions are not supported`, line, start.at);
      }
      const chain = [start.name, ...path];
      const steps = chain.slice(0, -1).map((n, i) => `${n} uses ${chain[i + 1]}`);
      throw new ExprError(
        `${name} would depend on itself: ${steps.join(', ')}`,
        line,
        start.at,
        'an intermediate cannot depend on itself; to take a value, update a leaf: x = x + 1',
      );
    }
  }

  /** The names after `from` on a path of uses from `from` to `to`; undefined when there is none. */
  private pathTo(from: string, to: string): string[] | undefined {
    if (from === to) return [];
    const parent = new Map<string, string>([[from, '']]);
    const todo = [from];
    while (todo.length > 0) {
      const n = todo.shift()!;
      for (const next of this.usesOf(n)) {
        if (parent.has(next)) continue;
        parent.set(next, n);
        if (next === to) {
          const path: string[] = [];
          for (let at = to; at !== from; at = parent.get(at)!) path.unshift(at);
          return path;
        }
        todo.push(next);
      }
    }
    return undefined;
  }

  /** The names a binding's or function's expression mentions. */
  private usesOf(name: string): string[] {
    const b = this.bindings.get(name);
    if (b?.kind === 'intermediate') return this.namesIn(b.node);
    const f = this.functions.get(name);
    if (f !== undefined) return this.namesIn(f.body, new Set(f.params));
    return [];
  }

  private namesIn(root: Node, params: ReadonlySet<string> = new Set()): string[] {
    return mentions(root, params).map((m) => m.name);
  }

  /** `c₁`, `c₂`, ...: the next name of that form not bound yet. */
  private versionName(name: string): string {
    for (let k = (this.versions.get(name) ?? 0) + 1; ; k++) {
      const v = name + [...String(k)].map((d) => SUBSCRIPTS[Number(d)]).join('');
      if (!this.bindings.has(v)) {
        this.versions.set(name, k);
        return v;
      }
    }
  }

  /**
   * Replaces every intermediate by its expression and every call to a defined function by its
   * body, with the parameters replaced by the arguments, until only built-in ops and leaves
   * remain: the graph then runs through them, and backward through them, like through any others.
   * An intermediate is one shared subtree however often it is used (and an argument one shared
   * subtree however often the body uses its parameter), so the builder evaluates it once, as
   * Python would. Iterative (an explicit stack); nodes from a body or an intermediate take the
   * position of their use, so errors point at it.
   */
  private expand(
    root: Node,
    line: string,
  ): { root: Node; named: Map<Node, string>; uses: Map<string, { index: number; via?: string }> } {
    interface Item {
      node: Node;
      /** Parameter -> argument (already expanded), inside an inlined body. */
      env?: ReadonlyMap<string, Node>;
      /** The outermost use being inlined: position for the nodes of its body. */
      at?: Node;
      /** The function or intermediate whose expression this is. */
      via?: string;
      expanded?: boolean;
      /** Set on the item that finishes an intermediate: its name. */
      finishes?: string;
    }
    const uses = new Map<string, { index: number; via?: string }>();
    const named = new Map<Node, string>();
    const done = new Map<string, Node>();
    const active = new Set<string>();
    let operations = 0;
    const limit = this.options.maxExpanded ?? MAX_EXPANDED;
    const results: Node[] = [];
    const todo: Item[] = [{ node: root }];
    const place = <T extends Node>(node: T, item: Item): T =>
      item.at === undefined ? node : { ...node, start: item.at.start, end: item.at.end };
    while (todo.length > 0) {
      const item = todo.pop()!;
      const node = item.node;
      if (item.finishes !== undefined) {
        const result = results[results.length - 1];
        done.set(item.finishes, result);
        active.delete(item.finishes);
        if (result.type === 'call' && !named.has(result)) named.set(result, item.finishes);
        continue;
      }
      switch (node.type) {
        case 'number':
        case 'constant':
        case 'colon':
        case 'end':
          results.push(place(node, item));
          break;
        case 'matrix':
        case 'index':
        case 'range':
          if (!item.expanded) {
            todo.push({ ...item, expanded: true });
            for (let i = node.args.length - 1; i >= 0; i--)
              todo.push({ node: node.args[i], env: item.env, at: item.at, via: item.via });
            break;
          }
          results.push({ ...place(node, item), args: results.splice(results.length - node.args.length) });
          break;
        case 'variable': {
          const arg = item.env?.get(node.name);
          if (arg !== undefined) {
            results.push(arg);
            break;
          }
          const b = this.bindings.get(node.name);
          if (b?.kind === 'intermediate') {
            const ready = done.get(b.name);
            if (ready !== undefined) {
              results.push(ready);
              break;
            }
            if (active.has(b.name)) {
              throw new ExprError(`${b.name} uses itself`, line, place(node, item).start);
            }
            active.add(b.name);
            todo.push({ node, finishes: b.name });
            todo.push({ node: b.node, at: item.at ?? node, via: b.name });
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
                item.at.start,
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
    return { root: results[0], named, uses };
  }
}

function missing(name: string, use: { index: number; via?: string }, line: string, advice: string): MissingValueError {
  const hint = use.via === undefined ? `${advice}: ${name} = 0.5` : `${use.via} uses ${name}; ${advice}: ${name} = 0.5`;
  return new MissingValueError(name, line, use.index, hint);
}

/** The calls to functions that are not built in, in source order. */
function userCalls(root: Node): CallNode[] {
  const calls: CallNode[] = [];
  for (const node of eachNode(root)) if (node.type === 'call' && !OPS.has(node.op)) calls.push(node);
  return calls;
}

/** The variables (not parameters) and defined functions an expression names, in source order, once each. */
function mentions(root: Node, params: ReadonlySet<string>): { name: string; at: number }[] {
  const found = new Map<string, number>();
  for (const node of eachNode(root)) {
    const name =
      node.type === 'variable' && !params.has(node.name)
        ? node.name
        : node.type === 'call' && !OPS.has(node.op)
          ? node.op
          : undefined;
    if (name !== undefined && (found.get(name) ?? Infinity) > node.start) found.set(name, node.start);
  }
  return [...found].sort((a, b) => a[1] - b[1]).map(([name, at]) => ({ name, at }));
}

function rhsMentions(root: Node, name: string, params: ReadonlySet<string>): boolean {
  return mentions(root, params).some((m) => m.name === name);
}

function firstUse(root: Node, name: string): number {
  let best = Infinity;
  for (const node of eachNode(root))
    if (node.type === 'variable' && node.name === name) best = Math.min(best, node.start);
  return best === Infinity ? root.start : best;
}

/** `root` with every variable `from` renamed `to` (a copy; the rest shared). */
function renameVariable(root: Node, from: string, to: string): Node {
  return fold<Node>(root, (node, args) => {
    if (node.type === 'variable') return node.name === from ? ({ ...node, name: to } satisfies VariableNode) : node;
    if ('args' in node) return { ...node, args };
    return node;
  });
}
