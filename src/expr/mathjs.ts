/**
 * The bridge to mathjs, the independent oracle behind `--check` and `--symbolic`, in one place:
 * our syntax tree to mathjs text (each op from its definition's `mathjs` form, so `square`,
 * `sigmoid` and `relu`, which mathjs does not know, are rewritten there), and mathjs's answer back
 * to our syntax tree (mathjs's two-argument `log` rewritten here).
 *
 * mathjs is large: it is loaded only through `loadMathjs()`, on the paths that use it.
 */
import type { MathJsInstance, MathNode } from 'mathjs';
import type { CallNode, Node } from './ast.js';
import { CONSTANTS, getOp, OPS } from '../engine/registry.js';
import { fold, size } from './walk.js';
import { printWith } from './print.js';

export type Mathjs = MathJsInstance;

let instance: Promise<Mathjs> | undefined;

/**
 * mathjs's single-file build, which its package exports: it loads in about a tenth of the time of
 * the main entry's hundreds of modules (0.25 s against 1.6 s here). A variable, so that neither
 * tsc nor esbuild resolves it: it is found at run time, next to the program.
 */
const MATHJS_BUNDLE = 'mathjs/lib/browser/math.js';

/**
 * mathjs with `predictable: true`, so that sqrt(-1) is NaN as in our engine (never a complex
 * number). Loaded on first use. (The single-file build's `create` ignores its config argument,
 * so the config is set after.)
 */
export function loadMathjs(): Promise<Mathjs> {
  instance ??= (import(MATHJS_BUNDLE) as Promise<{ default: typeof import('mathjs') }>).then(({ default: m }) => {
    const math = m.create(m.all);
    if (math.config({ predictable: true }).predictable !== true)
      throw new Error('internal: mathjs did not take predictable: true');
    return math;
  });
  return instance;
}

/**
 * Past this many nodes the symbolic oracle is not consulted: mathjs differentiates recursively, and
 * a derivative can be much larger than its expression (a chain n deep gives about n²/2 nodes).
 */
export const MAX_SYMBOLIC_NODES = 1000;

/**
 * Our variables get a prefix in mathjs, so that a variable named `i`, `E`, `max` or `version`
 * cannot mean mathjs's constant or function of that name.
 */
const PREFIX = 'v_';

export function mathjsName(variable: string): string {
  return PREFIX + variable;
}

/**
 * Our syntax tree as mathjs text. Operators print as in our grammar (mathjs has the same
 * precedence), with only the parentheses they need: mathjs parses nested parentheses recursively,
 * and a parenthesis per node ran out of stack at 160 terms of a sum. Functions are written from
 * each op's `mathjs` form; `diff(f, x)` becomes mathjs's derivative of f (unsimplified), so
 * that an expression holding a derivative can itself be differentiated.
 */
export function toMathjs(root: Node, math?: Mathjs, shapes?: VariableShapes): string {
  return mathjsText(root, math, false, shapes);
}

/**
 * The shapes of the variables that are vectors or matrices (a variable not in it is a number),
 * so that the bridge knows where mathjs needs `map`.
 */
export type VariableShapes = ReadonlyMap<string, readonly number[]>;

const NO_SHAPES: VariableShapes = new Map();

/**
 * The functions of vectors and matrices (issue 16's engine ops), which mathjs has under the same
 * name and meaning: never written with `map`. Every other function is elementwise.
 */
const TENSOR_FUNCTIONS: ReadonlySet<string> = new Set([
  'sum',
  'mean',
  'prod',
  'dot',
  'norm',
  'transpose',
  'reshape',
  'size',
  'trace',
  'det',
  'inv',
  'concat',
  'softmax',
  'logsumexp',
  'sum_to',
  'broadcast_to',
]);

/** Functions whose result has no dimensions whatever their arguments' (a one-argument reduction). */
const REDUCING = new Set(['sum', 'mean', 'prod', 'max', 'min', 'dot', 'norm', 'trace', 'det', 'logsumexp']);

/**
 * How many dimensions each node's value has, as far as the text tells (0 for a number), from the
 * variables' shapes: mathjs needs `map` for an elementwise function of a matrix.
 */
export function dimensions(root: Node, shapes: VariableShapes = NO_SHAPES): Map<Node, number> {
  const ndim = new Map<Node, number>();
  fold<number>(root, (node, args) => {
    let n = 0;
    switch (node.type) {
      case 'variable':
        n = shapes.get(node.name)?.length ?? 0;
        break;
      case 'matrix':
        n = 1 + Math.max(...args);
        break;
      case 'range':
        n = 1;
        break;
      case 'index':
        // a scalar entry drops its dimension, a vector, range or ':' keeps it
        n = node.args.slice(1).filter((e, i) => e.type === 'colon' || e.type === 'range' || args[i + 1] > 0).length;
        break;
      case 'call': {
        const [a = 0, b = 0] = args;
        if (node.op === 'mul' && node.dotted !== true && a > 0 && b > 0) n = a + b - 2;
        else if (REDUCING.has(node.op))
          n = args.length === 1 ? 0 : node.op === 'max' || node.op === 'min' ? Math.max(...args) : Math.max(0, a - 1);
        else if (node.op === 'size') n = 1;
        else if (node.op === 'reshape') n = node.args[1]?.type === 'matrix' ? node.args[1].args.length : 1;
        else n = Math.max(...args);
        break;
      }
      default:
        n = 0;
    }
    ndim.set(node, n);
    return n;
  });
  return ndim;
}

/** toMathjs, with each op's `mathjsForDerivative` when the text is for mathjs's `derivative`. */
function mathjsText(root: Node, math: Mathjs | undefined, forDerivative: boolean, shapes?: VariableShapes): string {
  const ndim = dimensions(root, shapes);
  for (const [node, n] of ndim) {
    if (node.type === 'call' && node.form === 'conditional' && n > 0 && (ndim.get(node.args[0]) ?? 0) > 0) {
      throw new SymbolicUnavailable('mathjs takes no vector or matrix as the condition of c ? a : b');
    }
  }
  return printWith(root, {
    variable: mathjsName,
    call: (node, args) => {
      const op = getOp(node.op);
      if (op.variableArgs !== undefined) {
        if (math === undefined) throw new SymbolicUnavailable(`${op.name}(...) needs mathjs to be written for it`);
        const f = forDerivative ? args[0] : mathjsText(node.args[0], math, true);
        return `(${math.derivative(f, args[1], { simplify: false }).toString()})`;
      }
      // An argument left out is its default (leaky_relu(x) is leaky_relu(x, 0.2)).
      const arg = (k: number): string => args[k] ?? String(op.defaults![k - op.minArity]);
      const form = forDerivative && op.mathjsForDerivative !== undefined ? op.mathjsForDerivative : op.mathjs;
      if (form === null) throw new SymbolicUnavailable(`mathjs has no ${op.name}`);
      // `{...}`: every argument, for the ops that take any number (max(a, b, c)).
      const tensors = node.args.filter((a) => (ndim.get(a) ?? 0) > 0).length;
      if (tensors > 0 && !TENSOR_FUNCTIONS.has(op.name) && !(REDUCING.has(op.name) && args.length === 1)) {
        // An elementwise function of a matrix: mathjs 15 wants map(X, f), with f's other
        // arguments numbers (max(v, 2) would be a reduction along a dimension there).
        if (tensors > 1 || (ndim.get(node.args[0]) ?? 0) === 0) {
          throw new SymbolicUnavailable(
            `mathjs has no elementwise ${op.name} of more than one argument that is a vector or matrix`,
          );
        }
        const body = form
          .replace('{...}', ['t_', ...args.slice(1)].join(', '))
          .replace(/\{(\d)\}/g, (_, k: string) => (k === '0' ? 't_' : arg(Number(k))));
        return `map(${args[0]}, f_(t_) = ${body})`;
      }
      const text = form.replace('{...}', args.join(', ')).replace(/\{(\d)\}/g, (_, k: string) => arg(Number(k)));
      return text === `${op.name}(${args.join(', ')})` ? text : `(${text})`;
    },
  });
}

/** Why the symbolic oracle has no answer, as a sentence for the text output. */
export class SymbolicUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SymbolicUnavailable';
  }
}

/**
 * d(root)/d(name) by mathjs's `derivative`, as a mathjs node, unsimplified: the chain rule as
 * written, the oracle `--check` evaluates. Throws SymbolicUnavailable with the reason when mathjs
 * cannot give one.
 */
export function derivative(math: Mathjs, root: Node, name: string): MathNode {
  const n = size(root);
  if (n > MAX_SYMBOLIC_NODES) {
    throw new SymbolicUnavailable(`the expression has ${n} nodes; the symbolic oracle stops at ${MAX_SYMBOLIC_NODES}`);
  }
  return guarded(() => math.derivative(mathjsText(root, math, true), mathjsName(name), { simplify: false }));
}

/**
 * mathjs's simplify rules that hold for complex numbers but not for real powers of negative
 * numbers: (a*b)^c = a^c*b^c fails at a = b = -1, c = 1/2, and turns (-cos(2))^x into NaN.
 */
const UNSAFE_RULES = ['(n1*n2)^n3', '(n1*n2)^(-1)', '(n ^ n1) ^ n2'];

let safeRules: unknown[] | undefined;

/**
 * Past this many nodes in the derivative, mathjs's simplify is not asked: its time grows faster
 * than the square of the size (186 nodes take 0.16 s here, 671 take 4 s, a 50-deep chain of sin
 * did not finish in two minutes), and it cannot be interrupted.
 */
export const MAX_SIMPLIFY_NODES = 250;

/** How many nodes a mathjs tree has. */
export function mathjsSize(node: MathNode): number {
  let n = 0;
  node.traverse(() => {
    n++;
  });
  return n;
}

/**
 * A derivative simplified by mathjs, with only the rules that keep real values real; the
 * derivative as it is (and `simplified: false`) when it is too large to simplify in good time.
 */
export function simplified(math: Mathjs, d: MathNode): { node: MathNode; simplified: boolean; size: number } {
  const size = mathjsSize(d);
  if (size > MAX_SIMPLIFY_NODES) return { node: d, simplified: false, size };
  safeRules ??= (math.simplify as unknown as { rules: unknown[] }).rules.filter((r) => {
    const text =
      typeof r === 'object' && r !== null ? String((r as { s?: string; l?: string }).s ?? (r as { l?: string }).l) : '';
    return !UNSAFE_RULES.some((u) => text.startsWith(u));
  });
  const rules = safeRules as Parameters<Mathjs['simplify']>[1];
  return { node: guarded(() => math.simplify(d, rules)), simplified: true, size };
}

function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SymbolicUnavailable) throw e;
    if (e instanceof RangeError) throw new SymbolicUnavailable('the expression is nested too deeply for mathjs');
    throw new SymbolicUnavailable(`mathjs cannot differentiate it: ${briefly((e as Error).message)}`);
  }
}

/** mathjs's reasons for not differentiating, in one short clause. */
function briefly(message: string): string {
  if (message.includes('ConditionalNode')) return 'its derivative does not take a conditional c ? a : b';
  const op = /Cannot process operator "([^"]+)" in derivative/.exec(message);
  if (op !== null) return `its derivative does not take the operator ${op[1]}`;
  const fn = /Cannot process function "([^"]+)" in derivative/.exec(message);
  if (fn !== null) return `its derivative does not take the function ${fn[1]}`;
  return message;
}

/** A mathjs node evaluated at `values` (our variable names); a complex or other non-number result is NaN. */
export function evaluateMathjs(node: MathNode, values: ReadonlyMap<string, number>): number {
  const scope = new Map<string, number>();
  for (const [k, v] of values) scope.set(mathjsName(k), v);
  let value: unknown;
  try {
    value = node.evaluate(scope);
  } catch (e) {
    throw new SymbolicUnavailable(`mathjs cannot evaluate its derivative: ${(e as Error).message}`);
  }
  if (typeof value === 'boolean') return value ? 1 : 0; // a comparison: mathjs's true is our 1
  return typeof value === 'number' ? value : NaN;
}

/** mathjs text evaluated at `values`: the oracle for our own evaluation. */
export function evaluateMathjsText(math: Mathjs, text: string, values: ReadonlyMap<string, number>): number {
  return evaluateMathjs(math.parse(text), values);
}

// ---- mathjs back to our grammar ----------------------------------------------------------------

const at = { start: 0, end: 0 };
const num = (value: number): Node =>
  value < 0 || Object.is(value, -0)
    ? call('neg', [num(-value)])
    : { type: 'number', value, text: String(value), ...at };
function call(op: string, args: Node[]): CallNode {
  return {
    type: 'call',
    op,
    args,
    form: getOp(op).symbol === undefined ? 'function' : op === 'neg' ? 'prefix' : 'infix',
    ...at,
  };
}

/** mathjs operators by their function name. */
const OPERATORS: Readonly<Record<string, string>> = {
  add: 'add',
  subtract: 'sub',
  multiply: 'mul',
  divide: 'div',
  pow: 'pow',
  unaryMinus: 'neg',
};

/**
 * A mathjs node as our syntax tree (positions are zero: it was never typed). Variables lose their
 * prefix. Throws SymbolicUnavailable for anything our grammar cannot say.
 */
export function fromMathjs(root: MathNode): Node {
  // Post-order with an explicit stack, like fold() on our own tree.
  const results: Node[] = [];
  const todo: { node: MathNode; expanded: boolean }[] = [{ node: root, expanded: false }];
  const children = (node: MathNode): MathNode[] => {
    if ('args' in node && Array.isArray(node.args)) return node.args as MathNode[];
    if (node.type === 'ParenthesisNode') return [(node as unknown as { content: MathNode }).content];
    return [];
  };
  while (todo.length > 0) {
    const item = todo.pop()!;
    const kids = children(item.node);
    if (!item.expanded && kids.length > 0) {
      item.expanded = true;
      todo.push(item);
      for (let i = kids.length - 1; i >= 0; i--) todo.push({ node: kids[i], expanded: false });
      continue;
    }
    const args = results.splice(results.length - kids.length, kids.length);
    results.push(convert(item.node, args));
  }
  return results[0];
}

function convert(node: MathNode, args: Node[]): Node {
  const cannot = (what: string): never => {
    throw new SymbolicUnavailable(`mathjs's answer uses ${what}, which dezero-grad's grammar does not have`);
  };
  switch (node.type) {
    case 'ConstantNode': {
      const value = (node as unknown as { value: unknown }).value;
      if (typeof value !== 'number' || !Number.isFinite(value)) return cannot(`the constant ${String(value)}`);
      return num(value);
    }
    case 'SymbolNode': {
      const name = (node as unknown as { name: string }).name;
      if (name.startsWith(PREFIX)) return { type: 'variable', name: name.slice(PREFIX.length), ...at };
      const value = CONSTANTS.get(name);
      if (value !== undefined) return { type: 'constant', name, value, ...at };
      return cannot(`the symbol ${name}`);
    }
    case 'ParenthesisNode':
      return args[0];
    case 'OperatorNode': {
      const fn = (node as unknown as { fn: string }).fn;
      if (fn === 'unaryPlus') return args[0];
      const op = OPERATORS[fn];
      if (op === undefined) return cannot(`the operator ${fn}`);
      if (op === 'neg') return call('neg', args);
      // simplify may leave n-ary sums and products: fold them from the left.
      return args.slice(1).reduce((a, b) => call(op, [a, b]), args[0]);
    }
    case 'FunctionNode': {
      const name = (node as unknown as { fn: { name: string } }).fn.name;
      // Our own op, when its mathjs form is the same call (sec, csc, coth, ... are ops of ours).
      const op = OPS.get(name);
      const form = `${name}(${args.map((_, i) => `{${i}}`).join(', ')})`;
      if (op?.callable && op.arity === args.length && op.mathjs === form) return call(name, args);
      if (name === 'log' && args.length === 2) return call('div', [call('log', [args[0]]), call('log', [args[1]])]);
      return cannot(`the function ${name}`);
    }
    default:
      return cannot(`a ${node.type}`);
  }
}
