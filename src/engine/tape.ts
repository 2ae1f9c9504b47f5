/**
 * The tape: the same graph as DeZero's Variables and Functions, held flat, for the paths that only
 * want the numbers (`--quiet`, `--json --quiet`, the library's `grad()` at one point). Nothing on
 * it restates an op: forward is `op.forward(NUM, ...)`, backward evaluates the op's own traced
 * backward (`backwardTerms`, compiled once per op and pattern of inputs that need a gradient into
 * a small closure), and gradients are accumulated with the `add` op, in the order
 * `Variable.backward` adds them (its generation queue: highest generation first, newest first at a
 * tie), so both paths give the same bits. What the tape does not handle (an op that has no scalar
 * form on it, such as `diff`, or non-default `Config` switches) it refuses: `apply` returns -1
 * and the caller builds the Variables instead.
 *
 * Layout, one slot a node, in creation order (a slot's inputs always come before it):
 *   code[s]        the op's index in `ops` (a leaf: -1)
 *   value[s]       the slot's value (a later change gives slots a shape: value[s] then becomes the
 *                  offset of its data in a pool, with shape[s] beside it; code, generation and the
 *                  operand lists stay as they are)
 *   needsGrad[s]   1 when a gradient could flow into it (Variable.requiresGrad)
 *   generation[s]  its creator's generation + 1 (a leaf: 0), as Variable.generation
 *   first[s]       where its operands start in `operands`; they end at first[s + 1]
 *   pattern[s]     which operands need a gradient, one bit each (the key of the compiled backward)
 */
import { Config } from './config.js';
import { backwardTerms, DEFINED, type OpSpec, type Term } from './op.js';
import { NUM } from './primitives.js';

/** An op's backward for one input, on the tape: (values, operands, first operand, y, gy) -> gx. */
type Grad = (value: Float64Array, operands: Int32Array, at: number, y: number, gy: number) => number;

/** The most operands a slot may have for its pattern to fit in one int (a wider call: not on the tape). */
const MAX_OPERANDS = 30;

const addOp = DEFINED.find((op) => op.name === 'add')!;

/** True when `op` runs on the tape: its value and backward depend on its inputs' numbers only. */
export function onTape(op: OpSpec): boolean {
  return op.fusible && op.variableArgs === undefined;
}

export class Tape {
  size = 0;
  code = new Int32Array(64);
  value = new Float64Array(64);
  needsGrad = new Uint8Array(64);
  generation = new Int32Array(64);
  first = new Int32Array(65);
  pattern = new Int32Array(64);
  operands = new Int32Array(64);
  private operandCount = 0;
  /** The ops by code, and each op's compiled backwards by pattern. */
  readonly ops: OpSpec[] = [];
  private readonly codes = new Map<OpSpec, number>();

  /** False when a `Config` switch asks for something only the Variables do (no graph, tracing, all routes). */
  static usable(): boolean {
    return Config.enableBackprop && !Config.tracing && !Config.allRoutes;
  }

  /** A variable (needsGrad) or a constant: a slot with no creator. */
  leaf(value: number, needsGrad: boolean): number {
    const s = this.slot();
    this.code[s] = -1;
    this.value[s] = value;
    this.needsGrad[s] = needsGrad ? 1 : 0;
    this.generation[s] = 0;
    this.pattern[s] = 0;
    this.first[s + 1] = this.operandCount;
    return s;
  }

  /**
   * `op` applied to the slots `args[from .. from + given)` (with its defaults for arguments left
   * out, as `op.fn` gives them), or -1 when the op does not run on the tape.
   */
  apply(op: OpSpec, args: ArrayLike<number>, from = 0, given = args.length - from): number {
    if (!onTape(op)) return -1;
    const defaults = op.defaults ?? [];
    const skip = Math.max(0, given - op.minArity);
    const count = given + Math.max(0, defaults.length - skip);
    if (count > MAX_OPERANDS) return -1;
    let code = this.codes.get(op);
    if (code === undefined) {
      code = this.ops.length;
      this.ops.push(op);
      this.codes.set(op, code);
    }
    this.growOperands(count);
    const at = this.operandCount;
    for (let i = 0; i < given; i++) this.operands[at + i] = args[from + i];
    // The arguments left out get the op's defaults, as constants; they take no operands themselves.
    for (let i = skip, k = given; i < defaults.length; i++, k++) this.operands[at + k] = this.leaf(defaults[i], false);
    this.operandCount += count;
    const s = this.slot();
    const { operands, value, needsGrad, generation } = this;
    let pattern = 0;
    let top = 0;
    for (let i = 0; i < count; i++) {
      const x = operands[at + i];
      if (needsGrad[x] === 1) pattern |= 1 << i;
      if (generation[x] > top) top = generation[x];
    }
    this.code[s] = code;
    const f = op.forward;
    const y: unknown =
      count === 1
        ? f(NUM, value[operands[at]])
        : count === 2
          ? f(NUM, value[operands[at]], value[operands[at + 1]])
          : count === 3
            ? f(NUM, value[operands[at]], value[operands[at + 1]], value[operands[at + 2]])
            : f(NUM, ...Array.from(operands.subarray(at, at + count), (x) => value[x]));
    // A value that is not a number (a tensor) is the Variables' to hold.
    if (typeof y !== 'number') {
      this.size = s;
      return -1;
    }
    value[s] = y;
    // Only what a gradient could flow through joins the graph (book step 18): a constant's result
    // is a constant, with no creator and generation 0.
    needsGrad[s] = pattern === 0 ? 0 : 1;
    generation[s] = pattern === 0 ? 0 : top + 1;
    this.pattern[s] = pattern;
    this.first[s + 1] = this.operandCount;
    return s;
  }

  /**
   * Reverse mode from `output`: the gradient of every slot that received one (others 0) and which
   * did, as `Variable.backward` would leave them on the leaves; undefined if a rule gave something
   * other than a number (then the Variables run it).
   */
  backward(output: number): { grad: Float64Array; reached: Uint8Array } | undefined {
    const n = this.size;
    const grad = new Float64Array(n);
    const reached = new Uint8Array(n);
    // The seed: dy/dy = 1.
    grad[output] = 1;
    reached[output] = 1;
    if (this.code[output] < 0 || this.needsGrad[output] === 0) return { grad, reached };
    const queue = new SlotQueue(this.generation);
    const queued = new Uint8Array(n);
    queue.push(output);
    queued[output] = 1;
    const { code, value, needsGrad, first, operands, pattern } = this;
    // Pop a function, evaluate its backward for each input that needs a gradient, accumulate with add.
    while (queue.size > 0) {
      const f = queue.pop();
      if (reached[f] === 0) continue;
      const gy = grad[f];
      const op = this.ops[code[f]];
      const at = first[f];
      const count = first[f + 1] - at;
      const rule = this.rule(code[f], pattern[f], count);
      let open: unknown[] | null = null;
      if (op.routes !== undefined) {
        const xs: number[] = [];
        for (let i = 0; i < count; i++) xs.push(value[operands[at + i]]);
        open = op.routes(NUM, ...xs);
      }
      const y = value[f];
      for (let i = 0; i < count; i++) {
        const x = operands[at + i];
        const g = rule[i];
        if (needsGrad[x] === 0 || g === null || (open !== null && !open[i])) continue;
        const gx: unknown = g(value, operands, at, y, gy);
        if (typeof gx !== 'number') return undefined;
        if (reached[x] === 1) grad[x] = addOp.forward(NUM, grad[x], gx);
        else {
          grad[x] = gx;
          reached[x] = 1;
        }
        if (code[x] >= 0 && queued[x] === 0) {
          queued[x] = 1;
          queue.push(x);
        }
      }
    }
    return { grad, reached };
  }

  /** The op's backward for its inputs' pattern (and count: a variadic op's rule depends on it), compiled once. */
  private rule(code: number, pattern: number, count: number): (Grad | null)[] {
    const op = this.ops[code];
    let byKey = compiled.get(op);
    if (byKey === undefined) compiled.set(op, (byKey = new Map()));
    const key = count * 0x80000000 + pattern;
    let rule = byKey.get(key);
    if (rule === undefined) {
      const needs: boolean[] = [];
      for (let i = 0; i < count; i++) needs.push(((pattern >> i) & 1) === 1);
      rule = backwardTerms(op, needs).map((t) => (t === null ? null : compileTerm(t)));
      byKey.set(key, rule);
    }
    return rule;
  }

  private slot(): number {
    const s = this.size;
    if (s === this.code.length) {
      const cap = s * 2;
      this.code = grow(this.code, new Int32Array(cap));
      this.value = grow(this.value, new Float64Array(cap));
      this.needsGrad = grow(this.needsGrad, new Uint8Array(cap));
      this.generation = grow(this.generation, new Int32Array(cap));
      this.pattern = grow(this.pattern, new Int32Array(cap));
      this.first = grow(this.first, new Int32Array(cap + 1));
    }
    this.size = s + 1;
    return s;
  }

  private growOperands(k: number): void {
    let cap = this.operands.length;
    if (this.operandCount + k <= cap) return;
    while (this.operandCount + k > cap) cap *= 2;
    this.operands = grow(this.operands, new Int32Array(cap));
  }
}

/** Compiled backwards shared by every tape: by op, then by operand count and pattern. */
const compiled = new Map<OpSpec, Map<number, (Grad | null)[]>>();

function grow<T extends Int32Array | Float64Array | Uint8Array>(old: T, next: T): T {
  next.set(old);
  return next;
}

/** A Term as a closure over the tape's arrays: the same ops' forwards, in the same order. */
function compileTerm(t: Term): Grad {
  switch (t.kind) {
    case 'input': {
      const k = t.index;
      return (v, o, at) => v[o[at + k]];
    }
    case 'output':
      return (_v, _o, _at, y) => y;
    case 'gy':
      return (_v, _o, _at, _y, gy) => gy;
    case 'const': {
      const c = t.value as number; // the tape's rules are traced on numbers
      return () => c;
    }
    case 'apply': {
      const f = t.op.forward;
      const gs = t.args.map(compileTerm);
      if (gs.length === 1) {
        const [g0] = gs;
        return (v, o, at, y, gy) => f(NUM, g0(v, o, at, y, gy));
      }
      if (gs.length === 2) {
        const [g0, g1] = gs;
        return (v, o, at, y, gy) => f(NUM, g0(v, o, at, y, gy), g1(v, o, at, y, gy));
      }
      if (gs.length === 3) {
        const [g0, g1, g2] = gs;
        return (v, o, at, y, gy) => f(NUM, g0(v, o, at, y, gy), g1(v, o, at, y, gy), g2(v, o, at, y, gy));
      }
      return (v, o, at, y, gy) => f(NUM, ...gs.map((g) => g(v, o, at, y, gy)));
    }
  }
}

/**
 * Slots waiting for backward, as Variable.backward's queue orders functions: highest generation
 * first, then the newest (the highest slot, as the highest output id).
 */
class SlotQueue {
  private heap = new Int32Array(16);
  size = 0;
  constructor(private readonly generation: Int32Array) {}
  private before(a: number, b: number): boolean {
    const g = this.generation;
    if (g[a] !== g[b]) return g[a] > g[b];
    return a > b;
  }
  push(s: number): void {
    if (this.size === this.heap.length) this.heap = grow(this.heap, new Int32Array(this.size * 2));
    const h = this.heap;
    let i = this.size++;
    h[i] = s;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i], h[parent])) break;
      const t = h[i];
      h[i] = h[parent];
      h[parent] = t;
      i = parent;
    }
  }
  pop(): number {
    const h = this.heap;
    const top = h[0];
    const last = h[--this.size];
    if (this.size > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.size && this.before(h[l], h[m])) m = l;
        if (r < this.size && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        const t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
      }
    }
    return top;
  }
}
