/**
 * The graph builder: walks the syntax tree (with an explicit stack) and calls the ops on
 * Variables, so that evaluating the expression builds DeZero's graph of Functions over Variables
 * (define-by-run). Intermediates get names in forward order, as in the book: a, b, c, ... skipping
 * names the expression uses, and the output is y (or another free letter).
 */
import { childrenOf, type CallNode, type Node } from './ast.js';
import { eachNode, fold } from './walk.js';
import { postfixVariableNames, type Postfix } from './postfix.js';
import { ExprError, MissingValueError } from './errors.js';
import { getOp, opOf, type OpSpec } from '../engine/registry.js';
import { Variable } from '../engine/variable.js';
import type { Value } from '../engine/tensor.js';
import { noGrad } from '../engine/config.js';
import { applyAt, constantVector, indexConstant, isScalar, opFor, rangeValues, shapeOf } from './lower.js';
import { shapeText } from '../engine/tensor.js';

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
export function variableNames(root: Node | Postfix): string[] {
  if (!('type' in root)) return postfixVariableNames(root);
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
export function build(root: Node, values: ReadonlyMap<string, Value>, source = '', options: BuildOptions = {}): Graph {
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

  /**
   * Post-order: each op applied to its arguments' Variables; a shared subtree is one Function.
   * An index's entries are not folded with it: they are constants, evaluated (with `end` the
   * size of the dimension they index) once the object's shape is known. `end` is that size
   * inside an entry; `record` is false there (an entry's arithmetic is not part of the graph).
   */
  const evaluate = (top: Node, end: number | undefined, record: boolean): Variable =>
    fold<Variable>(
      top,
      (node, args) => {
        switch (node.type) {
          case 'number':
            return new Variable(node.value, node.text, false);
          case 'constant':
            return new Variable(node.value, node.name, false);
          case 'variable':
            return variables.get(node.name)!;
          case 'end':
            return new Variable(end!, 'end', false);
          case 'colon':
            throw new ExprError("internal: ':' outside an index entry", source, node.start);
          case 'range': {
            const [a, s, b] = args.length === 3 ? args : [args[0], undefined, args[1]];
            const part = (v: Variable | undefined, what: string, fallback: number): number => {
              if (v === undefined) return fallback;
              if (!isScalar(v)) {
                throw new ExprError(
                  `the range's ${what} is a ${shapeText(shapeOf(v))} value: it must be a number`,
                  source,
                  node.start,
                );
              }
              return v.data as number;
            };
            const values = rangeValues(part(a, 'start', 1), part(s, 'step', 1), part(b, 'end', 1), node, source);
            return constantVector(
              values,
              node,
              source,
              record ? source.slice(node.start, node.end) || undefined : undefined,
            );
          }
          case 'index': {
            const [object] = args;
            const indices = resolveIndex(node, object);
            return apply(node, 'index', [object, ...indices], record);
          }
          case 'matrix':
            // A literal of constants is one constant, shown as written: `[1, 2; 3, 4]`, not its stacks.
            if (args.every((a) => !a.requiresGrad && a.creator === null)) {
              const v = noGrad(() => applyAt(opFor('stack', node, source), args, source, () => node.start));
              v.name = record ? source.slice(node.start, node.end) || null : null;
              return v;
            }
            return apply(node, 'stack', args, record);
          case 'call':
            return apply(node, lowered(node, args), args, record);
        }
      },
      (node) => (node.type === 'index' ? node.args.slice(0, 1) : childrenOf(node)),
    );

  /** Applies the op `name` for `node`, recording the step when `record`. */
  const apply = (node: Node, name: string, args: Variable[], record: boolean): Variable => {
    const op = TENSOR_OPS.has(name) ? opFor(name, node, source) : getOp(name);
    const y = applyAt(op, args, source, () => operatorAt(node, source));
    if (!record) return y;
    // diff(f, x) builds a gradient graph inside: its nodes get names and steps of their own.
    for (const s of nameGradientGraph(y, () => names.next())) steps.push(s);
    y.name = node === root ? outputName : (named?.get(node) ?? names.next());
    steps.push({ name: y.name, op, inputs: args.map(displayName), output: y });
    return y;
  };

  /**
   * `*` is the matrix product when both sides are vectors or matrices (mathjs's multiply), `'`
   * the transpose. `^` and `/` of a matrix mean the matrix power and multiplying by an inverse in
   * mathjs: refused, with the elementwise `.^` and `./` to write instead.
   */
  const lowered = (node: CallNode, args: Variable[]): string => {
    if (node.dotted === true || args.every(isScalar)) return node.op;
    if (node.op === 'mul' && node.form === 'infix' && !isScalar(args[0]) && !isScalar(args[1])) return 'matmul';
    if (node.op === 'pow' && node.form === 'infix') {
      throw new ExprError(
        `'^' of a ${shapeText(shapeOf(isScalar(args[0]) ? args[1] : args[0]))} value is the matrix power in mathjs, which dezero-grad does not have`,
        source,
        operatorAt(node, source),
        'write .^ for the elementwise power',
      );
    }
    if (node.op === 'div' && node.form === 'infix' && !isScalar(args[1])) {
      throw new ExprError(
        `'/' by a ${shapeText(shapeOf(args[1]))} value multiplies by its inverse in mathjs, which dezero-grad does not do`,
        source,
        operatorAt(node, source),
        'write ./ for the elementwise quotient',
      );
    }
    return node.op;
  };

  /** An index's entries as the engine's 0-based constants, checked against the object's shape. */
  const resolveIndex = (node: Node & { type: 'index' }, object: Variable): Variable[] => {
    const shape = shapeOf(object);
    const entries = node.args.slice(1);
    const written = source.slice(node.args[0].start, node.args[0].end) || 'the value';
    if (shape.length === 0) {
      throw new ExprError(`${written} is a number, so it cannot be indexed`, source, entries[0].start);
    }
    if (entries.length > shape.length) {
      throw new ExprError(
        `too many indices: ${written} has shape ${shapeText(shape)}, so ${shape.length} ${shape.length === 1 ? 'index' : 'indices'}`,
        source,
        entries[shape.length].start,
      );
    }
    if (entries.length < shape.length) {
      throw new ExprError(
        `too few indices: ${written} has shape ${shapeText(shape)}, so ${shape.length} indices (mathjs takes no fewer)`,
        source,
        node.end - 1,
        `write ${written}[${[...entries.map((e) => source.slice(e.start, e.end) || 'i'), ...Array(shape.length - entries.length).fill(':')].join(', ')}]`,
      );
    }
    return entries.map((entry, dim) =>
      indexConstant(
        entry.type === 'colon' ? 'colon' : noGrad(() => evaluate(entry, shape[dim], false)),
        dim,
        shape[dim],
        shape.length,
        entry,
        source,
      ),
    );
  };

  const output = evaluate(root, undefined, true);
  return {
    output,
    // `x` alone and `3` alone have an output too: y = x, y = 3 (never `x = x`, `3 = 3`, dx/dx).
    outputName,
    variables,
    steps,
    freshName: () => names.next(),
  };
}

/** The engine's ops the matrix syntax lowers to (issue 16): a build without them says so at the node. */
const TENSOR_OPS: ReadonlySet<string> = new Set(['stack', 'matmul', 'transpose', 'index']);

/**
 * Where an error about `node` points: an infix operator's symbol (the first non-space after its
 * left operand and any closing parentheses), a postfix `'`, else the node's start.
 */
function operatorAt(node: Node, source: string): number {
  if (node.type === 'call' && (node.form === 'infix' || node.form === 'postfix') && source.length > 0) {
    let i = node.args[0].end;
    while (i < node.end && /[\s)\]]/.test(source[i])) i++;
    if (i < node.end) return i;
  }
  return node.start;
}

/** The names a graph's steps may not take: its variables', the named intermediates', any name given a value. */
export function takenNames(
  used: Iterable<string>,
  values: ReadonlyMap<string, Value>,
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
