/**
 * The batch compiler: turns an expression's graph into one fused loop that computes the value and
 * every partial derivative point by point, with no array (and no Variable) per node.
 *
 * How it stays exactly the engine's arithmetic: it builds the graph once with the reference engine
 * at a sample point and runs the engine's own backward on it, recording which function sent which
 * gradient into which input, in the order the engine ran them. Each op's forward and its backward
 * (as traced from the op's own definition, `backwardTerms`) are then written out in the CODE
 * algebra (codegen.ts), the same primitives the engine computes with. Same operations, same order,
 * same rounding, by construction: the kernel and the engine agree bit for bit (test/compile.test.ts
 * checks it on random expressions and arrays).
 *
 * Safety: the generated source is made only of the primitives' code, `Math`, and names the
 * compiler invents (v3, g3, k3). Numbers from the expression (literals, constants, values of
 * constant subexpressions) are passed in an array, never written into the source.
 */
import { scalarOf } from '../engine/tensor.js';
import type { Node } from '../expr/ast.js';
import { eachNode } from '../expr/walk.js';
import { build, variableNames } from '../expr/build.js';
import { backwardTerms, OPS, opOf, type OpSpec, type Term } from '../engine/registry.js';
import type { Variable } from '../engine/variable.js';
import { Config } from '../engine/config.js';
import { NUM } from '../engine/primitives.js';
import { codeAlgebra, type Code } from './codegen.js';

/** One function application of the forward pass: `slots[output] = op(slots[inputs])`. */
export interface ForwardInstr {
  op: OpSpec;
  inputs: number[];
  output: number;
}

/** One gradient contribution: `grad[target] (+)= term(inputs, output, grad[output])`. */
export interface BackwardInstr {
  op: OpSpec;
  /** The op's backward for this input, traced from its definition. */
  term: Term;
  index: number;
  inputs: number[];
  output: number;
  target: number;
  /** False for the first contribution (assign), true after it (add), as in the engine. */
  accumulated: boolean;
}

/** The graph flattened into numbered slots: variables first, then constants and computed values. */
export interface Plan {
  /** The variables, in order of first appearance; variable j lives in slot j. */
  names: string[];
  /** Slots holding numbers known before the loop: literals, pi, e, constant subexpressions. */
  constants: { slot: number; value: number }[];
  forward: ForwardInstr[];
  backward: BackwardInstr[];
  outputSlot: number;
  /** The output's name as the trace shows it (y, or the variable when the expression is one). */
  outputName: string;
  slotCount: number;
}

/**
 * True when every op in the expression can be fused (`diff` cannot: its graph depends on the
 * point), and it uses no vector or matrix syntax (literals, indexing, ranges, the transpose: the
 * kernels are for numbers).
 */
export function fusible(root: Node): boolean {
  for (const node of eachNode(root)) {
    if (node.type === 'call' ? OPS.get(node.op)?.fusible !== true || node.form === 'postfix' : 'args' in node)
      return false;
  }
  return true;
}

/**
 * The engine itself as a kernel, for expressions that cannot be fused: builds the graph and runs
 * backward at every point (slow, but exactly the single-point answer by construction).
 */
export function engineKernel(root: Node, names: readonly string[], source = ''): Kernel {
  return (start, end, inputs, value, grads) => {
    for (let i = start; i < end; i++) {
      const values = new Map(names.map((n, j) => [n, at(inputs[j], i)]));
      const graph = build(root, values, source);
      const { output } = graph;
      if (output.creator !== null) output.backward();
      value[i] = scalarOf(output.data, 'the fused kernel');
      names.forEach((n, j) => {
        const v = graph.variables.get(n)!;
        // As differentiate(): the whole expression has gradient 1; a variable no gradient reached, 0.
        grads[j][i] = v === output ? 1 : v.grad === null ? 0 : scalarOf(v.grad.data, 'the fused kernel');
      });
    }
  };
}

function at(x: Input, i: number): number {
  return typeof x === 'number' ? x : x[i];
}

/**
 * Flattens `root` into a Plan by building it once with the reference engine and recording the
 * engine's backward order. Throws ExprError as `build` does (never for values: it builds at 1).
 */
export function plan(root: Node, source = ''): Plan {
  const names = variableNames(root);
  return planOf(build(root, new Map(names.map((n) => [n, 1])), source), names);
}

/** What planOf needs of a graph: its variables, its steps in creation order, its output. */
export interface PlannedGraph {
  variables: ReadonlyMap<string, Variable>;
  steps: readonly { op: OpSpec; output: Variable }[];
  output: Variable;
  outputName: string;
}

/**
 * The Plan of a graph already built (plan() builds the expression's; a gradient graph built by
 * backward with createGraph is one too, for higher orders over many points). Its shape must not
 * depend on the point: no conditional, whose backward follows the branch taken.
 */
export function planOf(graph: PlannedGraph, names: readonly string[]): Plan {
  const slotOf = new Map<Variable, number>();
  names.forEach((name, j) => slotOf.set(graph.variables.get(name)!, j));
  const constants: Plan['constants'] = [];
  const slot = (v: Variable): number => {
    let s = slotOf.get(v);
    if (s === undefined) {
      // Not a variable and not computed from one: a number known before the loop.
      s = slotOf.size;
      slotOf.set(v, s);
      constants.push({ slot: s, value: scalarOf(v.data, 'the fused kernel') });
    }
    return s;
  };

  const forward: ForwardInstr[] = [];
  for (const step of graph.steps) {
    const f = step.output.creator;
    if (f === null) continue; // computed from constants only: its value is a constant
    const inputs = f.inputs.map(slot);
    // A computed value gets its slot here, before anything could take it for a constant.
    slotOf.set(step.output, slotOf.size);
    forward.push({ op: step.op, inputs, output: slotOf.size - 1 });
  }
  const outputSlot = slot(graph.output);

  const backward: BackwardInstr[] = [];
  if (graph.output.creator !== null) {
    // Every route open: a conditional's branches both appear, the kernel picks per point.
    const old = Config.allRoutes;
    Config.allRoutes = true;
    try {
      graph.output.backward({
        onStep: ({ fn, index, input, accumulated }) => {
          const op = opOf(fn)!;
          const term = backwardTerms(
            op,
            fn.inputs.map((x) => x.requiresGrad),
          )[index];
          if (term === null) throw new Error(`internal: ${op.name} sent a gradient its traced backward does not have`);
          backward.push({
            op,
            term,
            index,
            inputs: fn.inputs.map(slot),
            output: slot(fn.outputs[0]),
            target: slot(input),
            accumulated,
          });
        },
      });
    } finally {
      Config.allRoutes = old;
    }
  }
  return {
    names: [...names],
    constants,
    forward,
    backward,
    outputSlot,
    outputName: graph.outputName,
    slotCount: slotOf.size,
  };
}

/** A variable's values for a run: an array (one per point) or one number for every point. */
export type Input = Float64Array | number;

/**
 * Computes points [start, end): `value[i]` and `grads[j][i]` (d value / d names[j]) from
 * `inputs[j]` (indexed by i, or a number repeated).
 */
export interface Kernel {
  (start: number, end: number, inputs: readonly Input[], value: Float64Array, grads: readonly Float64Array[]): void;
  /**
   * New output arrays of `length` points that this kernel writes faster than others (the SIMD
   * kernel's, in its WebAssembly memory); undefined, or absent, to allocate ordinary ones.
   */
  outputs?: (length: number) => { value: Float64Array; grads: Float64Array[] } | undefined;
  /**
   * The same kernel working in a shared WebAssembly memory (the SIMD kernel; a pool's threads, or
   * the arena of arena.ts): its area from `base` bytes; the outputs written in place, the value's
   * first point at `outAt` bytes and a gradient every `stride` bytes after it (`outAt` -1: the
   * outputs are elsewhere, copied out); input j read in place from `inAt[j]` bytes (-1 or
   * absent: copied in).
   */
  on?: (shared: { memory: object; base: number; outAt: number; stride: number; inAt?: readonly number[] }) => Kernel;
}

/** Past this many instructions a generated function is too big to optimise well: interpret instead. */
const MAX_FUSED = 4000;

/** True when the plan is small enough for one generated loop (else it runs on the tape interpreter). */
export function fusesWell(p: Plan): boolean {
  return p.forward.length + p.backward.length <= MAX_FUSED;
}

/**
 * The kernel for a plan, specialised on which inputs are arrays (`true`) and which are numbers.
 * Small graphs get one generated loop; very large ones (a 200,000-deep chain) a tape interpreter
 * running the same templates, which needs memory per slot, not per point.
 */
export function compileKernel(p: Plan, arrays: readonly boolean[], mode: 'auto' | 'fused' | 'tape' = 'auto'): Kernel {
  const fused = mode === 'auto' ? fusesWell(p) : mode === 'fused';
  return fused ? fuse(p, arrays) : interpret(p);
}

/** What slot s holds in a generated kernel: its value and its gradient. */
const v = (s: number): string => `v${s}`;
const g = (s: number): string => `g${s}`;

function fuse(p: Plan, arrays: readonly boolean[]): Kernel {
  const { source, constants } = kernelSource(p, arrays);
  return kernelFrom(source, constants);
}

/** A route as code: a number of a definition (0, 1) as a literal, null (never) as 0. */
function wrapRoute(r: Code | number | null, code: ReturnType<typeof codeAlgebra>): Code {
  return r === null ? code.literal(0) : typeof r === 'number' ? code.literal(r) : r;
}

/** A backward Term written in code, its leaves given. */
function termCode(t: Term, code: ReturnType<typeof codeAlgebra>, leaf: (t: Term) => Code): Code {
  if (t.kind === 'const') return code.literal(scalarOf(t.value, 'the fused kernel'));
  if (t.kind !== 'apply') return leaf(t);
  return t.op.forward(code.prims, ...t.args.map((a) => termCode(a, code, leaf)));
}

/**
 * The generated kernel's source for a plan and a pattern of array (`true`) and number inputs: a
 * function of `K` (the constants, in order) and `F` (NUM, for the primitives it calls rather than
 * writes out) returning the kernel, and those constants (the plan's,
 * then any the compiler folded from them). Our own primitives and names only (see the header); the
 * worker pool sends this same text to its threads.
 */
export function kernelSource(p: Plan, arrays: readonly boolean[]): { source: string; constants: number[] } {
  const n = p.names.length;
  const code = codeAlgebra();
  const slots: Code[] = [];
  for (const c of p.constants) slots[c.slot] = code.constant(v(c.slot), c.value);
  const pre: string[] = [];
  const body: string[] = [];
  for (let j = 0; j < n; j++) {
    if (arrays[j]) {
      pre.push(`const X${j} = X[${j}];`);
      body.push(`const ${v(j)} = X${j}[i];`);
    } else {
      pre.push(`const ${v(j)} = X[${j}];`);
    }
    pre.push(`const G${j} = G[${j}];`);
    slots[j] = code.name(v(j));
  }
  for (const f of p.forward) {
    const value = f.op.forward(code.prims, ...f.inputs.map((s) => slots[s]));
    slots[f.output] = code.bind(value, v(f.output), (text) => body.push(`const ${v(f.output)} = ${text};`));
  }
  // A gradient behind a conditional's branch flows at some points only: such a slot has a flag
  // L (reached at this point) and starts at -0, which `+` leaves every first contribution as it
  // is; a contribution runs only where its function was reached and its route is open.
  const route = (b: BackwardInstr): Code | undefined =>
    b.op.routes === undefined
      ? undefined
      : wrapRoute(b.op.routes(code.prims, ...b.inputs.map((s) => slots[s]))[b.index], code);
  const maybe = new Set<number>();
  const never = new Set<BackwardInstr>();
  for (const b of p.backward) {
    const r = route(b);
    if (r !== undefined && r.value !== undefined && !r.value) never.add(b);
    else if (maybe.has(b.output) || (r !== undefined && r.value === undefined)) maybe.add(b.target);
  }
  const reached = new Set<number>();
  if (p.backward.length > 0) {
    body.push(`let ${g(p.outputSlot)} = 1;`);
    reached.add(p.outputSlot);
  }
  for (const s of maybe) body.push(`let L${s} = false;`, `let ${g(s)} = -0;`);
  for (const b of p.backward) {
    if (never.has(b)) continue;
    const gx = termCode(b.term, code, (t) =>
      t.kind === 'input' ? slots[b.inputs[t.index]] : t.kind === 'output' ? slots[b.output] : code.name(g(b.output)),
    ).text;
    if (maybe.has(b.target)) {
      const r = route(b);
      const when = [
        ...(maybe.has(b.output) ? [`L${b.output}`] : []),
        ...(r !== undefined && r.value === undefined ? [r.text] : []),
      ];
      const add = `${g(b.target)} = ${g(b.target)} + ${gx}; L${b.target} = true;`;
      body.push(when.length > 0 ? `if (${when.join(' && ')}) { ${add} }` : add);
    } else {
      body.push(b.accumulated ? `${g(b.target)} = ${g(b.target)} + ${gx};` : `let ${g(b.target)} = ${gx};`);
    }
    reached.add(b.target);
  }
  body.push(`V[i] = ${v(p.outputSlot)};`);
  for (let j = 0; j < n; j++) {
    const grad = j === p.outputSlot ? '1' : maybe.has(j) ? `(L${j} ? ${g(j)} : 0)` : reached.has(j) ? g(j) : '0';
    body.push(`G${j}[i] = ${grad};`);
  }
  // Only the constants the loop reads (a folded one may have been used by another fold only).
  const text = body.join('\n');
  const used = (name: string): boolean => new RegExp(`\\b${name}\\b`).test(text);
  const constants: number[] = [];
  const head: string[] = ['"use strict";'];
  const pass = (name: string, value: number): void => {
    if (!used(name)) return;
    head.push(`const ${name} = K[${constants.length}];`);
    constants.push(value);
  };
  for (const c of p.constants) pass(v(c.slot), c.value);
  code.folded.forEach((value, i) => pass(`k${i}`, value));
  const source =
    `${head.join('\n')}\nreturn function kernel(start, end, X, V, G) {\n${pre.join('\n')}\n` +
    `for (let i = start; i < end; i++) {\n${text}\n}\n};`;
  return { source, constants };
}

/**
 * The kernel from `kernelSource`'s text. Cached by source, so the same expression compiled again
 * reuses V8's optimised code instead of warming up a new function.
 */
export function kernelFrom(source: string, constants: readonly number[]): Kernel {
  let factory = factories.get(source);
  if (factory === undefined) {
    factory = new Function('K', 'F', source) as (k: readonly number[], f: typeof NUM) => Kernel;
    if (factories.size >= 64) factories.clear();
    factories.set(source, factory);
  }
  return factory(constants, NUM);
}

const factories = new Map<string, (k: readonly number[], f: typeof NUM) => Kernel>();

/** A compiled step of the tape: reads its inputs, the output and its gradient from the slot arrays. */
type StepFn = (vals: Float64Array, grads: Float64Array) => number;
const stepFns = new Map<string, (ins: readonly number[], out: number, f: typeof NUM) => StepFn>();

/** A step's code over slot arrays (`V[i0]`, `V[out]`, `G[out]`), compiled once per distinct text. */
function stepFn(text: string, ins: readonly number[], out: number): StepFn {
  const key = `${ins.length}|${text}`;
  let make = stepFns.get(key);
  if (make === undefined) {
    const names = ins.map((_, k) => `i${k}`).join(', ');
    make = new Function('ins', 'out', 'F', `"use strict"; const [${names}] = ins; return (V, G) => ${text};`) as (
      ins: readonly number[],
      out: number,
      f: typeof NUM,
    ) => StepFn;
    stepFns.set(key, make);
  }
  return make(ins, out, NUM);
}

/**
 * The tape interpreter: one pass over the instructions per point, Float64Arrays of slots. Every
 * slot has a reached flag and starts at -0 (which `+` leaves every first contribution as it is),
 * so a conditional's branch not taken sends nothing, as in the engine.
 */
function interpret(p: Plan): Kernel {
  const n = p.names.length;
  const vals = new Float64Array(p.slotCount);
  const grads = new Float64Array(p.slotCount);
  const live = new Uint8Array(p.slotCount);
  for (const c of p.constants) vals[c.slot] = c.value;
  // Operands are read from the slot arrays; nothing is folded, so the text depends on the op only.
  const code = codeAlgebra({ fold: false });
  const operand = (k: number): Code => code.name(`V[i${k}]`);
  const operands = (ins: readonly number[]): Code[] => ins.map((_, k) => operand(k));
  const fwd = p.forward.map((f) => ({
    fn: stepFn(f.op.forward(code.prims, ...operands(f.inputs)).text, f.inputs, f.output),
    out: f.output,
  }));
  const bwd = p.backward.map((b) => {
    const leaf = (t: Term): Code =>
      t.kind === 'input' ? operand(t.index) : t.kind === 'output' ? code.name('V[out]') : code.name('G[out]');
    const r =
      b.op.routes === undefined ? undefined : wrapRoute(b.op.routes(code.prims, ...operands(b.inputs))[b.index], code);
    return {
      fn: stepFn(termCode(b.term, code, leaf).text, b.inputs, b.output),
      route: r === undefined ? undefined : stepFn(r.text, b.inputs, b.output),
      out: b.output,
      target: b.target,
    };
  });
  return (start, end, inputs, value, gradsOut) => {
    for (let i = start; i < end; i++) {
      for (let j = 0; j < n; j++) {
        const x = inputs[j];
        vals[j] = typeof x === 'number' ? x : x[i];
      }
      for (const f of fwd) vals[f.out] = f.fn(vals, grads);
      grads.fill(-0);
      live.fill(0);
      grads[p.outputSlot] = 1;
      live[p.outputSlot] = 1;
      for (const b of bwd) {
        if (live[b.out] === 0 || (b.route !== undefined && !b.route(vals, grads))) continue;
        grads[b.target] = grads[b.target] + b.fn(vals, grads);
        live[b.target] = 1;
      }
      value[i] = vals[p.outputSlot];
      for (let j = 0; j < n; j++) gradsOut[j][i] = j === p.outputSlot ? 1 : live[j] === 1 ? grads[j] : 0;
    }
  };
}
