/**
 * The graph builder: walks the syntax tree (with an explicit stack) and calls the ops on
 * Variables, so that evaluating the expression builds DeZero's graph of Functions over Variables
 * (define-by-run). Intermediates get names in forward order, as in the book: a, b, c, ... skipping
 * names the expression uses, and the output is y (or another free letter).
 */
import type { Node } from './ast.js';
import { eachNode, fold } from './walk.js';
import { MissingValueError } from './errors.js';
import { getOp, opOf, type OpSpec } from '../engine/registry.js';
import { Variable } from '../engine/variable.js';

/** One function application, in forward order. */
export interface ForwardStep {
  /** The output's name: a, b, ... or y. */
  name: string;
  op: OpSpec;
  /** The inputs as the trace shows them: names, or literals for constants. */
  inputs: string[];
  output: Variable;
  /**
   * True for a step of a gradient graph: built by backward with `createGraph`, inside `diff(f, x)`
   * or by a higher-order pass. Its op is the one whose backward rule made it.
   */
  gradient?: boolean;
}

export interface Graph {
  output: Variable;
  /** The name shown for the output (the `y` in dy/dx). */
  outputName: string;
  /** The expression's variables, in order of first appearance. */
  variables: Map<string, Variable>;
  steps: ForwardStep[];
  /** A name no variable or step uses yet (a, b, ... continued), for gradient graphs built later. */
  freshName: () => string;
}

/** The variable names an expression uses, in order of first appearance. */
export function variableNames(root: Node): string[] {
  const first = new Map<string, number>();
  for (const node of eachNode(root)) {
    if (node.type === 'variable') {
      const seen = first.get(node.name);
      if (seen === undefined || node.start < seen) first.set(node.name, node.start);
    }
  }
  return [...first].sort((a, b) => a[1] - b[1]).map(([name]) => name);
}

const OUTPUT_NAMES = ['y', 'z', 'w', 'v', 'u', 'f', 'g', 'h', 'out'];

/** The output's name: y, or the next of z, w, v, ... that no name in `taken` is. */
export function outputNameAvoiding(taken: ReadonlySet<string>): string {
  return OUTPUT_NAMES.find((n) => !taken.has(n)) ?? freshName(taken, 'out');
}

export interface BuildOptions {
  /**
   * Names for the outputs of some calls: a program's named intermediates (`z = 2*x + 2 + x`),
   * shown in the trace under the user's name instead of a letter.
   */
  named?: ReadonlyMap<Node, string>;
  /** More names the steps may not take (a program's other bindings), so that no letter means two things. */
  reserved?: Iterable<string>;
}

/**
 * Evaluates `root` at `values`, building the graph. `source` is the expression text, for errors.
 * A variable without a value is a MissingValueError pointing at its first use.
 */
export function build(root: Node, values: ReadonlyMap<string, number>, source = '', options: BuildOptions = {}): Graph {
  const named = options.named;
  const used = new Set(variableNames(root));
  const variables = new Map<string, Variable>();
  for (const name of used) {
    const value = values.get(name);
    if (value === undefined) throw new MissingValueError(name, source, firstUse(root, name));
    variables.set(name, new Variable(value, name));
  }
  // Names the steps may not take: the variables', the named intermediates', and any name given a
  // value (`x^2 --y 2` prints z = 1, dz/dx = 2, dz/dy = 0).
  const taken = takenNames(used, values, options);
  const outputName = named?.get(root) ?? outputNameAvoiding(taken);
  const names = new NameSource(new Set([...taken, outputName, 'e', 'pi']));
  const steps: ForwardStep[] = [];

  // Post-order: each op applied to its arguments' Variables; a shared subtree is one Function.
  const output = fold<Variable>(root, (node, args) => {
    switch (node.type) {
      case 'number':
        return new Variable(node.value, node.text, false);
      case 'constant':
        return new Variable(node.value, node.name, false);
      case 'variable':
        return variables.get(node.name)!;
      case 'call': {
        const op = getOp(node.op);
        const y = op.fn(...args);
        // diff(f, x) builds a gradient graph inside: its nodes get names and steps of their own.
        for (const s of nameGradientGraph(y, () => names.next())) steps.push(s);
        y.name = node === root ? outputName : (named?.get(node) ?? names.next());
        steps.push({ name: y.name, op, inputs: args.map(displayName), output: y });
        return y;
      }
    }
  });
  return {
    output,
    // `x` alone and `3` alone have an output too: y = x, y = 3 (never `x = x`, `3 = 3`, dx/dx).
    outputName,
    variables,
    steps,
    freshName: () => names.next(),
  };
}

/** The names a graph's steps may not take: its variables', the named intermediates', any name given a value. */
export function takenNames(
  used: Iterable<string>,
  values: ReadonlyMap<string, number>,
  options: BuildOptions,
): Set<string> {
  return new Set([...used, ...values.keys(), ...(options.named?.values() ?? []), ...(options.reserved ?? [])]);
}

/** A variable's name, or for an unnamed constant (a seed, a literal inside a backward rule) its value. */
export function displayName(v: Variable): string {
  return v.name ?? (v.creator === null ? String(v.data) : '?');
}

/**
 * Names the unnamed intermediates that `output`'s graph reaches (the nodes a backward pass with
 * `createGraph` made) and returns them as steps in creation order, marked `gradient`. `output`
 * itself is named too when `withOutput`, else left to the caller. Stops at named variables, so
 * for an ordinary op it costs nothing.
 */
export function nameGradientGraph(output: Variable, fresh: () => string, withOutput = false): ForwardStep[] {
  const found: Variable[] = [];
  const seen = new Set<Variable>();
  const todo: Variable[] = withOutput ? [output] : output.creator === null ? [] : [...output.creator.inputs];
  while (todo.length > 0) {
    const v = todo.pop()!;
    if (v.name !== null || v.creator === null || seen.has(v)) continue;
    seen.add(v);
    found.push(v);
    for (const x of v.creator.inputs) todo.push(x);
  }
  // Creation order is a topological order: a function's output is made after its inputs.
  found.sort((a, b) => a.id - b.id);
  return found.map((v) => {
    const f = v.creator!;
    v.name = fresh();
    return { name: v.name, op: opOf(f)!, inputs: f.inputs.map(displayName), output: v, gradient: true };
  });
}

function firstUse(root: Node, name: string): number {
  let best = Infinity;
  for (const node of eachNode(root)) {
    if (node.type === 'variable' && node.name === name) best = Math.min(best, node.start);
  }
  return best === Infinity ? 0 : best;
}

function freshName(used: ReadonlySet<string>, base: string): string {
  for (let i = 1; ; i++) if (!used.has(base + i)) return base + i;
}

/** a, b, ..., z, aa, ab, ... skipping taken names. */
class NameSource {
  private n = 0;
  constructor(private readonly taken: Set<string>) {}
  next(): string {
    for (;;) {
      const name = letters(this.n++);
      if (!this.taken.has(name)) return name;
    }
  }
}

function letters(n: number): string {
  let s = '';
  n += 1;
  while (n > 0) {
    n -= 1;
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  }
  return s;
}
