/**
 * The tape: the same graph as DeZero's Variables and Functions, held flat, for the paths that only
 * want the numbers (`--quiet`, `--json --quiet`, the library's `grad()` at one point). Nothing on
 * it restates an op: forward is `op.forward(NUM, ...)`, backward evaluates the op's own traced
 * backward (`backwardTerms`, compiled once per op and pattern of inputs that need a gradient into
 * a small closure), and gradients are accumulated with the `add` op, in the order
 * `Variable.backward` adds them (its generation queue: highest generation first, newest first at a
 * tie; the tape gets that order without a queue, see `backward`), so both paths give the same bits. What the tape does not handle (an op that has no scalar
 * form on it, such as `diff`, or non-default `Config` switches) it refuses: `apply` returns -1
 * and the caller builds the Variables instead.
 *
 * Layout, one slot a node, in creation order (a slot's inputs always come before it):
 *   code[s]        the op's index in `ops`, its `index` in the registry (a leaf: -1)
 *   value[s]       the slot's value (a later change gives slots a shape: value[s] then becomes the
 *                  offset of its data in a pool, with shape[s] beside it; code, generation and the
 *                  operand lists stay as they are)
 *   needsGrad[s]   1 when a gradient could flow into it (Variable.requiresGrad)
 *   generation[s]  its creator's generation + 1 (a leaf: 0), as Variable.generation
 *   first[s]       where its operands start in `operands`; they end at first[s + 1]
 *   pattern[s]     which operands need a gradient, one bit each (the key of the compiled backward)
 *   usedBy[s]      the highest generation among the ops that took it so far (for `ordered`)
 */
import { Config } from './config.js';
import { backwardTerms, DEFINED, type OpSpec, type Term } from './op.js';
import { NUM } from './primitives.js';

/** An op's backward for one input, on the tape: (values, operands, first operand, y, gy) -> gx. */
type Grad = (value: Float64Array, operands: Int32Array, at: number, y: number, gy: number) => number;

/** The most operands a slot may have for its pattern to fit in one int (a wider call: not on the tape). */
const MAX_OPERANDS = 30;

/** True when `op` runs on the tape: its value and backward depend on its inputs' numbers only. */
export function onTape(op: OpSpec): boolean {
  return op.fusible && op.variableArgs === undefined;
}

/**
 * What the tape reads of an op, in one shape for every op (the specs' own shapes differ from op to
 * op, which makes reading them slow in a loop over many), and its compiled backwards.
 */
class TapeOp {
  /** The op's `index`: its code on the tape. */
  readonly code: number;
  readonly forward: OpSpec['forward'];
  readonly routes: OpSpec['routes'];
  readonly defaults: readonly number[];
  readonly minArity: number;
  /** The operand count of every call when it does not vary (-1 for a variadic op). */
  readonly fixed: number;
  /** The backwards of a fixed count's calls, by pattern; of the others, by count and pattern. */
  private readonly byPattern: ((Grad | null)[] | undefined)[];
  private readonly byKey = new Map<number, (Grad | null)[]>();
  constructor(readonly op: OpSpec) {
    this.code = op.index;
    this.forward = op.forward;
    this.routes = op.routes;
    this.defaults = op.defaults ?? [];
    this.minArity = op.minArity;
    this.fixed = op.variadic === true ? -1 : op.arity;
    // Every pattern's place from the start (an array filled later at a gap changes its kind,
    // which throws away code V8 optimised for it).
    this.byPattern = new Array<undefined>(this.fixed < 0 ? 0 : 2 ** Math.min(this.fixed, 8)).fill(undefined);
  }

  /**
   * The op's backward for its inputs' pattern and count (a variadic op's rule depends on it):
   * its traced Terms (`backwardTerms`) compiled once into closures.
   */
  rule(pattern: number, count: number): (Grad | null)[] {
    if (count === this.fixed)
      return this.byPattern[pattern] ?? (this.byPattern[pattern] = this.compile(pattern, count));
    const key = count * 0x80000000 + pattern;
    let rule = this.byKey.get(key);
    if (rule === undefined) this.byKey.set(key, (rule = this.compile(pattern, count)));
    return rule;
  }

  private compile(pattern: number, count: number): (Grad | null)[] {
    const needs: boolean[] = [];
    for (let i = 0; i < count; i++) needs.push(((pattern >> i) & 1) === 1);
    return backwardTerms(this.op, needs).map((t) => (t === null ? null : compileTerm(t)));
  }
}

/** `add`'s forward, which accumulates gradients as Variable.backward's add does. */
let ADD: OpSpec['forward'] = (m, a, b) => {
  // Found when first called: ops.ts defines add after this module may have loaded.
  ADD = DEFINED.find((op) => op.name === 'add')!.forward;
  return ADD(m, a, b);
};

/** Each op's TapeOp by its index, made when a tape first meets the op; null: not on the tape. */
const TAPE_OPS: (TapeOp | null | undefined)[] = [];

function tapeOp(op: OpSpec): TapeOp | null {
  let t = TAPE_OPS[op.index];
  if (t === undefined) TAPE_OPS[op.index] = t = onTape(op) ? new TapeOp(op) : null;
  return t;
}

export class Tape {
  size = 0;
  code: Int32Array;
  value: Float64Array;
  needsGrad: Uint8Array;
  generation: Int32Array;
  first: Int32Array;
  pattern: Int32Array;
  /** The highest generation of the ops that took the slot as an operand so far. */
  private usedBy: Int32Array;
  operands: Int32Array;
  private operandCount = 0;
  /**
   * True while every slot's takers (the ops that took it as an operand) have generations that do
   * not decrease with their slot: then backward runs in plain reverse slot order (see `backward`).
   */
  ordered = true;
  /** True while every op slot's value is finite (a leaf's value is not counted). */
  finite = true;
  /** The ops by code (the registry's order: `code[s]` is the op's `index`). */
  readonly ops: readonly OpSpec[] = DEFINED;

  /** `capacity`: the slots to make room for at once (a hint: the tape grows past it as needed). */
  constructor(capacity = 64) {
    const n = Math.max(1, capacity | 0);
    this.code = new Int32Array(n);
    this.value = new Float64Array(n);
    this.needsGrad = new Uint8Array(n);
    this.generation = new Int32Array(n);
    this.first = new Int32Array(n + 1);
    this.pattern = new Int32Array(n);
    this.usedBy = new Int32Array(n);
    this.operands = new Int32Array(2 * n);
  }

  /** False when a `Config` switch asks for something only the Variables do (no graph, tracing, all routes). */
  static usable(): boolean {
    return Config.enableBackprop && !Config.tracing && !Config.allRoutes;
  }

  /** A variable (needsGrad) or a constant: a slot with no creator. */
  leaf(value: number, needsGrad: boolean): number {
    const s = this.size;
    if (s === this.code.length) this.growSlots(s + 1);
    this.size = s + 1;
    this.code[s] = -1;
    this.value[s] = value;
    this.needsGrad[s] = needsGrad ? 1 : 0;
    this.generation[s] = 0;
    this.pattern[s] = 0;
    this.usedBy[s] = 0;
    this.first[s + 1] = this.operandCount;
    return s;
  }

  /**
   * `op` applied to the slots `args[from .. from + given)` (with its defaults for arguments left
   * out, as `op.fn` gives them), or -1 when the op does not run on the tape.
   */
  apply(op: OpSpec, args: ArrayLike<number>, from = 0, given = args.length - from): number {
    const t = TAPE_OPS[op.index] ?? tapeOp(op);
    if (t === null) return -1;
    const defaults = t.defaults;
    let count = given;
    let skip = 0;
    if (defaults.length > 0) {
      skip = Math.max(0, given - t.minArity);
      count = given + Math.max(0, defaults.length - skip);
    }
    if (count > MAX_OPERANDS) return -1;
    const at = this.operandCount;
    if (at + count > this.operands.length) this.growOperands(at + count);
    for (let i = 0; i < given; i++) this.operands[at + i] = args[from + i];
    // The arguments left out get the op's defaults, as constants; they take no operands themselves.
    for (let i = skip, k = given; i < defaults.length; i++, k++) this.operands[at + k] = this.leaf(defaults[i], false);
    this.operandCount = at + count;
    const s = this.size;
    if (s === this.code.length) this.growSlots(s + 1);
    const { operands, value, needsGrad, generation } = this;
    let pattern = 0;
    let top = 0;
    for (let i = 0; i < count; i++) {
      const x = operands[at + i];
      if (needsGrad[x] === 1) {
        pattern |= 1 << i;
        if (generation[x] > top) top = generation[x];
      }
    }
    const f = t.forward;
    const y: unknown =
      count === 1
        ? f(NUM, value[operands[at]])
        : count === 2
          ? f(NUM, value[operands[at]], value[operands[at + 1]])
          : count === 3
            ? f(NUM, value[operands[at]], value[operands[at + 1]], value[operands[at + 2]])
            : f(NUM, ...Array.from(operands.subarray(at, at + count), (x) => value[x]));
    // A value that is not a number (a tensor) is the Variables' to hold (its operands are dropped,
    // so the tape stays whole).
    if (typeof y !== 'number') {
      this.operandCount = at;
      return -1;
    }
    value[s] = y;
    if (y - y !== 0) this.finite = false;
    this.size = s + 1;
    this.code[s] = t.code;
    this.usedBy[s] = 0;
    this.pattern[s] = pattern;
    this.first[s + 1] = at + count;
    // Only what a gradient could flow through joins the graph (book step 18): a constant's result
    // is a constant, with no creator and generation 0.
    if (pattern === 0) {
      needsGrad[s] = 0;
      generation[s] = 0;
      return s;
    }
    const g = top + 1;
    needsGrad[s] = 1;
    generation[s] = g;
    // Its rule, compiled now if it is new: backward then only looks it up (code that compiles in
    // the middle of backward's long loop makes V8 drop its optimised loop).
    t.rule(pattern, count);
    // Each input's takers so far: one of a higher generation before this one breaks reverse order.
    const usedBy = this.usedBy;
    for (let i = 0; i < count; i++) {
      const x = operands[at + i];
      if (needsGrad[x] === 0) continue;
      if (usedBy[x] > g) this.ordered = false;
      else usedBy[x] = g;
    }
    return s;
  }

  /**
   * Reverse mode from `output`: the gradient of every slot that received one (others 0) and which
   * did, as `Variable.backward` would leave them on the leaves; undefined if a rule gave something
   * other than a number (then the Variables run it).
   *
   * The order is Variable.backward's, so the additions and their bits are the same. Its queue pops
   * the highest generation first, the newest at a tie, and only ever pushes an input's creator,
   * whose generation is lower than that of the function that pushed it: so what it pops is
   * decreasing in (generation, slot), and it is every slot that receives a gradient, in that
   * order. Here the slots up to `output` that could receive one are sorted that way (a counting
   * sort by generation, slots ascending within each), and those that did are run from the end.
   * When the tape is `ordered` no sort is needed: a slot's gradient is the sum of what its takers
   * send, in the order they run, and each takes it after every taker (they come later on the
   * tape); when every slot's takers have generations that do not decrease with their slot, reverse
   * slot order runs each slot's takers in the queue's order, so every sum is made in the same
   * order, and every gradient (reached or not) has the same bits.
   */
  backward(output: number): { grad: Float64Array; reached: Uint8Array } | undefined {
    const n = this.size;
    const grad = new Float64Array(n);
    const reached = new Uint8Array(n);
    // The seed: dy/dy = 1.
    grad[output] = 1;
    reached[output] = 1;
    const { code, needsGrad } = this;
    if (code[output] < 0 || needsGrad[output] === 0) return { grad, reached };
    const order = this.ordered ? null : this.order(output);
    // Run each slot that received a gradient (a function of its own, which V8 optimises by its
    // calls, instead of by replacing this loop while it runs).
    for (let k = order === null ? output : order.length - 1; k >= 0; k--) {
      const f = order === null ? k : order[k];
      if (reached[f] === 1 && code[f] >= 0 && !this.step(f, grad, reached)) return undefined;
    }
    return { grad, reached };
  }

  /**
   * Slot `f`'s backward: for each input that needs a gradient (and whose route is open), its
   * rule's gx, added into the input's gradient with add. False if a gx is not a number.
   */
  private step(f: number, grad: Float64Array, reached: Uint8Array): boolean {
    const { value, operands } = this;
    const t = TAPE_OPS[this.code[f]]!;
    const at = this.first[f];
    const count = this.first[f + 1] - at;
    let open: unknown[] | null = null;
    if (t.routes !== undefined) {
      const xs: number[] = [];
      for (let i = 0; i < count; i++) xs.push(value[operands[at + i]]);
      open = t.routes(NUM, ...xs);
    }
    const rule = t.rule(this.pattern[f], count);
    const y = value[f];
    const gy = grad[f];
    for (let i = 0; i < count; i++) {
      const g = rule[i];
      if (g === null || (open !== null && !open[i])) continue;
      const x = operands[at + i];
      const gx: unknown = g(value, operands, at, y, gy);
      if (typeof gx !== 'number') return false;
      if (reached[x] === 1) grad[x] = ADD(NUM, grad[x], gx);
      else {
        grad[x] = gx;
        reached[x] = 1;
      }
    }
    return true;
  }

  /**
   * The op slots up to `output` that could receive a gradient, ascending by (generation, slot):
   * the queue's order, reversed.
   */
  private order(output: number): Int32Array {
    // Such a slot is an op's with needsGrad, which is what a generation above 0 says.
    const generation = this.generation;
    const top = generation[output];
    // Where each generation's slots start, after counting them.
    const start = new Int32Array(top + 2);
    for (let s = 0; s <= output; s++) {
      const g = generation[s];
      if (g > 0 && g <= top) start[g + 1]++;
    }
    for (let g = 0; g <= top; g++) start[g + 1] += start[g];
    const order = new Int32Array(start[top + 1]);
    for (let s = 0; s <= output; s++) {
      const g = generation[s];
      if (g > 0 && g <= top) order[start[g]++] = s;
    }
    return order;
  }

  private growSlots(need: number): void {
    let cap = this.code.length;
    while (cap < need) cap *= 2;
    this.code = grow(this.code, new Int32Array(cap));
    this.value = grow(this.value, new Float64Array(cap));
    this.needsGrad = grow(this.needsGrad, new Uint8Array(cap));
    this.generation = grow(this.generation, new Int32Array(cap));
    this.pattern = grow(this.pattern, new Int32Array(cap));
    this.usedBy = grow(this.usedBy, new Int32Array(cap));
    this.first = grow(this.first, new Int32Array(cap + 1));
  }

  private growOperands(need: number): void {
    let cap = this.operands.length;
    while (cap < need) cap *= 2;
    this.operands = grow(this.operands, new Int32Array(cap));
  }
}

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
