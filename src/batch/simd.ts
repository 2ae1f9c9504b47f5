/**
 * The SIMD kernel (`simd: true`): the plan written out as one WebAssembly function over f64x2,
 * two points a step, generated from the same definitions as the JavaScript kernel (each op's
 * forward in the primitives, its backward as traced by backwardTerms), through an algebra of
 * WASM values instead of JavaScript text.
 *
 * What it computes: the plan's operations in the engine's order, with exp, sin, cos and tanh the
 * polynomials of simd-math.ts (their scalar forms are SIMD_NUM: the kernel agrees with the plan
 * run on SIMD_NUM bit for bit, test/simd.test.ts), the other arithmetic exactly as JavaScript's
 * (+ - * /, sqrt, abs, min, max, floor, ceil and the selections have f64x2 instructions with the
 * same IEEE results). A primitive without an f64x2 form is computed lane by lane by calling the
 * engine's own function (NUM, imported), as is a lane outside a polynomial's range.
 *
 * Safety: the module holds our instructions only. Every number (the expression's constants, the
 * functions' coefficients, a variable given as one number) is in the module's memory, written
 * by the JavaScript side, and loaded into locals once per call (V8 would rebuild a v128.const
 * at each use). Inputs pass through the memory in blocks of BLOCK points, copied in by the
 * wrapper (simdKernel), so the kernel has the JavaScript kernel's signature; the outputs are
 * written where a call says (its second and third parameters): the memory's own blocks, copied
 * out, or arrays the kernel allocated in a memory of their own (`outputs`), written in place.
 */
import { scalarOf } from '../engine/tensor.js';
import type { Prims } from '../engine/primitives.js';
import type { Term } from '../engine/registry.js';
import { fusesWell, type Input, type Kernel, type Plan } from './compile.js';
import { EXP_MAX, expPoly, type Lanes, SIMD_NUM, SIN_MAX, sinCosPoly, tanhPoly } from './simd-math.js';
import { Body, encodeModule, I32, memarg, OP, SIMD, sleb, uleb, V128 } from './wasm.js';

/** The part of the WebAssembly API used here (TypeScript's libraries without the DOM lack it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

/** Points a call of the module computes: the inputs' and outputs' blocks stay in the cache. */
export const BLOCK = 4096;

/** Pairs of points a step of the loop; a call computes a multiple of UNROLL pairs. */
export const UNROLL = 2;

/** A generated module and how the wrapper feeds it (plain data: the pool sends it to its threads). */
export interface SimdCode {
  bytes: Uint8Array;
  /** The primitive each import calls (f0, f1, ...), a name of NUM. */
  imports: string[];
  /** Which inputs are arrays (each gives the functions a parameter: where its block's first point is). */
  arrays: boolean[];
  /** Where (in f64s of the area) each input goes: its block for an array copied in, its number otherwise. */
  at: number[];
  /** Where the value's block is; gradient j's follows at out + (j + 1) * block. */
  out: number;
  block: number;
  /** Pairs of points a step: a call's number of pairs is a multiple of it. */
  unroll: number;
  /** Numbers the kernel reads, written once at `constantsAt`. */
  constants: number[];
  constantsAt: number;
  /** The same functions over a shared memory imported as p.m (a pool's threads, each its own area). */
  sharedBytes: Uint8Array;
  /** Bytes of an instance's area: its blocks and numbers (a 16-byte multiple). */
  area: number;
}

/** True when the plan has a SIMD kernel: a generated loop, and no op whose gradient flows by route. */
export function simdFits(p: Plan): boolean {
  return fusesWell(p) && p.forward.every((f) => f.op.routes === undefined);
}

/** A value in the generated code: a v128 local, or a number known before the loop. */
type Val = { readonly local: number } | { readonly value: number };

const keyOf = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

/**
 * Most locals a generated function may have. V8 refuses more than 50,000, and its optimising
 * compiler slows down faster than the function grows (here, loaded: 10 terms of
 * tanh(exp(sin(k x))) ~0.1 s to the first result, 50 terms ~1 s): larger plans keep the
 * JavaScript kernel.
 */
export const MAX_LOCALS = 6000;

/**
 * The WASM module for a plan and a pattern of array (`true`) and number inputs; undefined when
 * its functions would pass MAX_LOCALS.
 */
export function simdCode(p: Plan, arrays: readonly boolean[], block = BLOCK): SimdCode | undefined {
  const n = p.names.length;
  const arrayCount = arrays.filter(Boolean).length;
  const out = arrayCount * block;
  const constantsAt = out + (n + 1) * block;
  // Shared by the two functions: the numbers in memory and the imports.
  const constants: number[] = [];
  const constIndex = new Map<string, number>();
  const imports: string[] = [];
  const arities: number[] = [];
  const importIndex = new Map<string, number>();
  const callee = (name: string, arity: number): number => {
    const k = `${name}/${arity}`;
    let f = importIndex.get(k);
    if (f === undefined) {
      f = imports.length;
      imports.push(name);
      arities.push(arity);
      importIndex.set(k, f);
    }
    return f;
  };
  const at: number[] = [];
  let a = 0;
  for (let j = 0; j < n; j++) at.push(arrays[j] ? a++ * block : constantsAt + j);

  /**
   * One of the module's two functions over `pairs` pairs of points: `run` (safe false) computes
   * every lane with the polynomials and returns 1 when a lane was outside a polynomial's range
   * (a call of `safe` then computes the block again); `safe` fixes those lanes with `Math`'s
   * function. Two, because a call inside the loop (even one not taken) costs the loop its registers.
   */
  const writeFunction = (safe: boolean): Body => {
    // Params: the number of pairs of points; where (bytes) the value's first point goes; the
    // bytes from the value's to the first gradient's, and from each gradient's to the next; where
    // this instance's area (its blocks of inputs and outputs, its numbers) starts: 0 in its own
    // memory, an offset of its thread's in a memory shared by a pool's threads; then, one for each
    // array input, where (bytes) the first point of its block is.
    const body = new Body(4 + arrayCount);
    const pos = body.local(I32);
    const end = body.local(I32);
    // Input j's address for the step's first point is inAt[j] + pos: from the parameter after the
    // first four that gives where its block's first point is (its block in the area, copied in,
    // or the array itself, read in place).
    const inAt: number[] = [];
    for (let j = 0, a = 4; j < n; j++) {
      if (!arrays[j]) continue;
      const param = a++;
      const i = body.local(I32);
      body.atHead(() => {
        body.get(param).get(3).op(OP.i32Sub).set(i);
      });
      inAt[j] = i;
    }
    // Output k's address for the step's first point is outAt[k] + pos (pos counts from the area's start).
    const outAt: number[] = [];
    for (let k = 0; k <= n; k++) {
      const o = body.local(I32);
      body.atHead(() => {
        body
          .get(1)
          .get(2)
          .op(OP.i32Const, ...sleb(k), OP.i32Mul, OP.i32Add)
          .get(3)
          .op(OP.i32Sub)
          .set(o);
      });
      outAt.push(o);
    }
    const constLocals = new Map<string, number>();
    const memo = new Map<string, number>();

    /** A number in every lane: a local loaded once per call from the constants' area. */
    const splat = (index: number): number => {
      const local = body.local(V128);
      body.atHead(() => {
        body.get(3).simd(SIMD.load64Splat, ...memarg(3, (constantsAt + index) * 8));
        body.set(local);
      });
      return local;
    };
    const constant = (v: number): number => {
      const k = keyOf(v);
      let local = constLocals.get(k);
      if (local === undefined) {
        let index = constIndex.get(k);
        if (index === undefined) {
          index = constants.length;
          constants.push(v);
          constIndex.set(k, index);
        }
        local = splat(n + index);
        constLocals.set(k, local);
      }
      return local;
    };
    /** One instruction over locals, its result in a new local (or the one it made before). */
    const emit = (key: string, write: () => void): number => {
      let local = memo.get(key);
      if (local === undefined) {
        write();
        local = body.local(V128);
        body.set(local);
        memo.set(key, local);
      }
      return local;
    };
    const simdOp =
      (opcode: number) =>
      (...xs: number[]): number =>
        emit(`${opcode} ${xs.join(' ')}`, () => {
          for (const x of xs) body.get(x);
          body.simd(opcode);
        });
    const shift = (opcode: number, x: number, by: number): number =>
      emit(`${opcode} ${x} <<${by}`, () =>
        body
          .get(x)
          .op(OP.i32Const, ...sleb(by))
          .simd(opcode),
      );
    const SIGN = (): number => constant(-0);

    /** The lanes as WASM locals (the polynomials of simd-math.ts are written over these). */
    const L: Lanes<number> = {
      c: constant,
      add: simdOp(SIMD.f64x2Add),
      sub: simdOp(SIMD.f64x2Sub),
      mul: simdOp(SIMD.f64x2Mul),
      div: simdOp(SIMD.f64x2Div),
      abs: simdOp(SIMD.f64x2Abs),
      min: simdOp(SIMD.f64x2Min),
      less: simdOp(SIMD.f64x2Lt),
      select: (m, a, b) => simdOp(SIMD.bitselect)(a, b, m),
      // 2^k: k + 1023 into the exponent field (the low bits of kd hold k).
      pow2: (kd) => shift(SIMD.i64x2Shl, simdOp(SIMD.i64x2Add)(kd, constant(1023 * Number.MIN_VALUE)), 52),
      odd: (kd) => shift(SIMD.i64x2ShrS, shift(SIMD.i64x2Shl, kd, 63), 63),
      flip: (kd, v) => simdOp(SIMD.xor)(v, simdOp(SIMD.and)(shift(SIMD.i64x2Shl, kd, 62), SIGN())),
      copysign: (v, x) => simdOp(SIMD.bitselect)(x, v, SIGN()),
    };

    const local = (v: Val): number => ('local' in v ? v.local : constant(v.value));
    const wrap = (a: Val | number): Val => (typeof a === 'number' ? { value: a } : a);

    /** A primitive lane by lane through the engine's own function (imported). */
    const lanes = (name: string, xs: number[]): number =>
      emit(`call ${name} ${xs.join(' ')}`, () => {
        const f = callee(name, xs.length);
        for (let lane = 0; lane < 2; lane++) {
          for (const x of xs) body.get(x).simd(SIMD.f64x2ExtractLane, lane);
          body.op(OP.call, ...uleb(f));
          if (lane === 0) body.simd(SIMD.f64x2Splat);
          else body.simd(SIMD.f64x2ReplaceLane, 1);
        }
      });
    // In `run`: every lane in range so far (all ones at the start).
    const ok = safe ? -1 : body.local(V128);
    if (!safe) body.atHead(() => body.get(constant(0)).get(constant(0)).simd(SIMD.f64x2Eq).set(ok));
    /** A polynomial's result, with the lanes where !(|x| <= bound) replaced by `name`'s value. */
    const ranged = (name: string, x: number, bound: number, poly: number): number =>
      emit(`ranged ${name} ${x}`, () => {
        const inRange = simdOp(SIMD.f64x2Le)(L.abs(x), constant(bound));
        if (!safe) {
          body.get(ok).get(inRange).simd(SIMD.and).set(ok);
          body.get(poly);
          return;
        }
        const r = body.local(V128);
        body.get(poly).set(r);
        body.get(inRange).simd(SIMD.i64x2AllTrue).op(OP.i32Eqz).op(OP.if, 0x40);
        const f = callee(name, 1);
        for (let lane = 0; lane < 2; lane++) {
          body.get(r);
          body.get(r).simd(SIMD.f64x2ExtractLane, lane);
          body
            .get(x)
            .simd(SIMD.f64x2ExtractLane, lane)
            .op(OP.call, ...uleb(f));
          body.get(inRange).simd(SIMD.i64x2ExtractLane, lane).op(OP.i32WrapI64, OP.select);
          body.simd(SIMD.f64x2ReplaceLane, lane).set(r);
        }
        body.op(OP.end).get(r);
      });
    /** Where a condition holds: neither 0 nor NaN. */
    const truthy = (c: number): number =>
      simdOp(SIMD.and)(simdOp(SIMD.f64x2Ne)(c, constant(0)), simdOp(SIMD.f64x2Eq)(c, c));
    const ONE = (): number => constant(1);

    /** The f64x2 forms; any other primitive runs lane by lane. */
    const forms: Partial<Record<keyof Prims<Val>, (...xs: number[]) => number>> = {
      add: L.add,
      sub: L.sub,
      mul: L.mul,
      div: L.div,
      neg: simdOp(SIMD.f64x2Neg),
      sqrt: simdOp(SIMD.f64x2Sqrt),
      abs: L.abs,
      floor: simdOp(SIMD.f64x2Floor),
      ceil: simdOp(SIMD.f64x2Ceil),
      exp: (x) => ranged('exp', x, EXP_MAX, expPoly(L, x)),
      sin: (x) => ranged('sin', x, SIN_MAX, sinCosPoly(L, x, 0)),
      cos: (x) => ranged('cos', x, SIN_MAX, sinCosPoly(L, x, 1)),
      tanh: (x) => tanhPoly(L, x),
      step: (a) =>
        L.select(
          simdOp(SIMD.f64x2Gt)(a, constant(0)),
          ONE(),
          L.select(simdOp(SIMD.f64x2Eq)(a, a), constant(0), constant(NaN)),
        ),
      eq: (a, b) => simdOp(SIMD.and)(simdOp(SIMD.f64x2Eq)(a, b), ONE()),
      ge: (a, b) => simdOp(SIMD.and)(simdOp(SIMD.f64x2Ge)(a, b), ONE()),
      not: (c) => simdOp(SIMD.andnot)(ONE(), truthy(c)),
      where: (c, a, b) => L.select(truthy(c), a, b),
      // f64x2.min and max are Math.min and max of two (NaN if either is, -0 below +0).
      min: L.min,
      max: simdOp(SIMD.f64x2Max),
    };

    const prim =
      (name: keyof Prims<Val>) =>
      (...args: (Val | number)[]): Val => {
        const xs = args.map(wrap);
        // Known before the loop: computed now, as the kernel would (SIMD_NUM).
        if (xs.every((x) => 'value' in x)) {
          return {
            value: (SIMD_NUM[name] as (...v: number[]) => number)(...xs.map((x) => (x as { value: number }).value)),
          };
        }
        const form = forms[name];
        const ls = xs.map(local);
        return { local: form !== undefined ? form(...ls) : lanes(name, ls) };
      };
    const prims = Object.fromEntries(
      Object.keys(SIMD_NUM).map((k) => [k, prim(k as keyof Prims<Val>)]),
    ) as unknown as Prims<Val>;
    // x^1 is x and x^2 is x*x, as the JavaScript kernel writes them (V8's Math.pow agrees).
    const power = prims.pow;
    prims.pow = (a, b) => {
      const e = wrap(b);
      if ('value' in e && !('value' in wrap(a)) && (e.value === 1 || e.value === 2)) {
        return e.value === 1 ? wrap(a) : prims.mul(a, a);
      }
      return power(a, b);
    };
    const where = prims.where;
    prims.where = (c, a, b) => {
      const cond = wrap(c);
      return 'value' in cond ? wrap(cond.value ? a : b) : where(c, a, b);
    };

    // The loop: for (pos = 0; pos < pairs * 16; pos += 16 * UNROLL) { load, compute, store } with
    // UNROLL pairs of points a step (independent chains the processor overlaps).
    const numbers: Val[] = [];
    for (let j = 0; j < n; j++) if (!arrays[j]) numbers[j] = { local: splat(j) };
    body.get(3).set(pos);
    body.get(0).op(OP.i32Const, 4, OP.i32Shl).get(3).op(OP.i32Add).set(end);
    body.op(OP.block, 0x40, OP.loop, 0x40);
    body.get(pos).get(end).op(OP.i32GeU, OP.brIf, 1);
    for (let u = 0; u < UNROLL; u++) {
      const slots: Val[] = [];
      for (let j = 0; j < n; j++) {
        if (!arrays[j]) {
          slots[j] = numbers[j];
          continue;
        }
        const x = body.local(V128);
        body
          .get(pos)
          .get(inAt[j])
          .op(OP.i32Add)
          .simd(SIMD.load, ...memarg(4, 16 * u))
          .set(x);
        slots[j] = { local: x };
      }
      for (const c of p.constants) slots[c.slot] = { value: c.value };
      for (const f of p.forward) slots[f.output] = f.op.forward(prims, ...f.inputs.map((s) => slots[s]));
      const grads: Val[] = [];
      if (p.backward.length > 0) grads[p.outputSlot] = { value: 1 };
      for (const b of p.backward) {
        const leaf = (t: Term): Val =>
          t.kind === 'input' ? slots[b.inputs[t.index]] : t.kind === 'output' ? slots[b.output] : grads[b.output];
        const gx = termValue(b.term, prims, leaf);
        grads[b.target] = b.accumulated ? prims.add(grads[b.target], gx) : gx;
      }
      const store = (v: Val, k: number): void => {
        body
          .get(pos)
          .get(outAt[k])
          .op(OP.i32Add)
          .get(local(v))
          .simd(SIMD.store, ...memarg(4, 16 * u));
      };
      store(slots[p.outputSlot], 0);
      for (let j = 0; j < n; j++) {
        store(j === p.outputSlot ? { value: 1 } : (grads[j] ?? { value: 0 }), j + 1);
      }
    }
    body
      .get(pos)
      .op(OP.i32Const, ...sleb(16 * UNROLL), OP.i32Add)
      .set(pos)
      .op(OP.br, 0, OP.end, OP.end);
    // run's result: 1 when some lane was out of range.
    if (!safe) body.get(ok).simd(SIMD.i64x2AllTrue).op(OP.i32Eqz);
    return body;
  };

  const run = writeFunction(false);
  if (run.localCount > MAX_LOCALS) return undefined;
  const safe = writeFunction(true);
  const params = Array.from({ length: 4 + arrayCount }, () => I32);
  const spec = {
    imports: arities,
    functions: [
      { name: 'run', params, results: [I32], body: run },
      { name: 'safe', params, results: [], body: safe },
    ],
    pages: Math.max(1, Math.ceil(((constantsAt + n + constants.length) * 8) / 65536)),
  };
  const bytes = encodeModule(spec);
  const sharedBytes = encodeModule({ ...spec, pages: 'shared' });
  const area = ((constantsAt + n + constants.length + 1) & ~1) * 8;
  return {
    bytes,
    sharedBytes,
    area,
    imports,
    arrays: [...arrays],
    at,
    out,
    block,
    unroll: UNROLL,
    constants,
    constantsAt: constantsAt + n,
  };
}

/** A backward Term as a value, its leaves given (as compile.ts's termCode, over WASM values). */
function termValue(t: Term, prims: Prims<Val>, leaf: (t: Term) => Val): Val {
  if (t.kind === 'const') return { value: scalarOf(t.value, 'the SIMD kernel') };
  if (t.kind !== 'apply') return leaf(t);
  return t.op.forward(prims, ...t.args.map((x) => termValue(x, prims, leaf)));
}

/**
 * The kernel for a SimdCode: instantiates the module (its imports the engine's primitives `F`)
 * and copies each block of inputs in. The outputs are copied out of the memory block by block,
 * except into arrays this kernel allocated (its `outputs`): those live in a WebAssembly memory
 * of their own, which the kernel writes directly, so a run reads the inputs once and writes
 * the outputs once (copying them out was ~1.8 ns of the 5.2 a point of square(exp(square(x)))).
 * `on(shared)`: the kernel instead works in an area (from `base`) of a shared memory (a pool's
 * threads, or the arena of arena.ts), writes the value and gradients in place when `outAt` is
 * where the value starts (bytes, a gradient every `stride` bytes after it; -1: copied out), and
 * reads input j in place where `inAt[j]` (bytes) says (-1: copied in). Self-contained (no outer
 * names): the pool's workers run its text.
 */
type Shared = NonNullable<Parameters<NonNullable<Kernel['on']>>[0]>;

export function simdKernel(code: SimdCode, F: object): Kernel {
  const functions: Record<string, unknown> = {};
  code.imports.forEach((name, i) => {
    functions[`f${i}`] = (F as Record<string, unknown>)[name];
  });
  // V8 first compiles a module with its baseline compiler (Liftoff, ~3x slower here) and swaps in
  // the optimised code later, on a background thread; a batch would run mostly on the baseline.
  // The kernel is small: compile it optimised at once (the flag is put back right after).
  const v8 = (
    globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; execArgv?: string[] } }
  ).process?.getBuiltinModule?.('node:v8') as { setFlagsFromString(flags: string): void } | undefined;
  const compile = (bytes: Uint8Array): object => {
    v8?.setFlagsFromString('--no-liftoff');
    try {
      return new WebAssembly.Module(bytes);
    } finally {
      if (!globalThis.process?.execArgv?.includes('--no-liftoff')) v8?.setFlagsFromString('--liftoff');
    }
  };
  const ownModule = compile(code.bytes);
  let sharedModule: object | undefined;
  type Run = (...args: number[]) => number;
  interface Instance {
    run: Run;
    safe: Run;
    mem: Float64Array;
  }
  /** A new instance (in a shared memory, its area from `base`), its own memory grown by `extra` bytes first. */
  const instantiate = (shared: { memory: object; base: number } | undefined, extra: number): Instance => {
    const module = shared === undefined ? ownModule : (sharedModule ??= compile(code.sharedBytes));
    const imports = shared === undefined ? functions : { ...functions, m: shared.memory };
    const { exports } = new WebAssembly.Instance(module, { p: imports });
    const memory = (exports.m ?? shared?.memory) as { buffer: ArrayBuffer; grow(pages: number): number };
    if (extra > 0) memory.grow(Math.ceil(extra / 65536));
    return { run: exports.run as Run, safe: exports.safe as Run, mem: new Float64Array(memory.buffer) };
  };
  const { out, block, arrays } = code;
  const step = 2 * code.unroll;
  // The functions' arguments, one array reused: pairs, outAt, stride, base, then each array input's.
  const args: number[] = Array.from({ length: 4 + arrays.filter(Boolean).length }, () => 0);

  /**
   * Points start to end on `instance` (its area from `base`): outputs written in place from
   * `outAt` (-1: through its blocks, copied out), inputs read in place where `inAt` says.
   */
  const compute = (
    instance: Instance,
    base: number,
    outAt: number,
    stride: number,
    inAt: readonly number[] | undefined,
    start: number,
    end: number,
    inputs: readonly Input[],
    value: Float64Array,
    grads: readonly Float64Array[],
  ): void => {
    const { run, safe, mem } = instance;
    const origin = base / 8;
    // The numbers, every call: an area in a shared memory may have been another's since the last.
    mem.set(code.constants, origin + code.constantsAt);
    for (let j = 0; j < inputs.length; j++) {
      const x = inputs[j];
      if (typeof x === 'number') mem[origin + code.at[j]] = x;
    }
    args[3] = base;
    for (let s = start; s < end; s += block) {
      const e = Math.min(end, s + block);
      const m = e - s;
      // A block whose points are not a whole number of steps goes through the area's blocks (in
      // and out): the loop computes whole steps, and would read and write past the arrays' ends.
      const whole = m % step === 0;
      for (let j = 0, a = 4; j < inputs.length; j++) {
        const x = inputs[j];
        if (typeof x === 'number') continue;
        const placed = inAt === undefined || !whole ? -1 : inAt[j];
        if (placed >= 0) args[a++] = placed + s * 8;
        else {
          const at = origin + code.at[j];
          mem.set(x.subarray(s, e), at);
          args[a++] = at * 8;
        }
      }
      args[0] = Math.ceil(m / step) * code.unroll;
      if (outAt >= 0 && whole) {
        args[1] = outAt + s * 8;
        args[2] = stride;
        if (run(...args) !== 0) safe(...args);
        continue;
      }
      const o = origin + out;
      args[1] = o * 8;
      args[2] = block * 8;
      if (run(...args) !== 0) safe(...args);
      value.set(mem.subarray(o, o + m), s);
      for (let j = 0; j < grads.length; j++)
        grads[j].set(mem.subarray(o + (j + 1) * block, o + (j + 1) * block + m), s);
    }
  };

  const own = instantiate(undefined, 0);
  // Where an instance's own outputs start (bytes): past its area.
  const first = code.area;
  /** The instances holding outputs allocated by `outputs`, by their value array. */
  const owners = new WeakMap<Float64Array, { instance: Instance; grads: readonly Float64Array[] }>();
  const kernel: Kernel = (start, end, inputs, value, grads) => {
    // Direct: value and grads are the arrays `outputs` made, in one instance's memory.
    const owner = owners.get(value);
    if (owner !== undefined && grads.every((g, j) => g === owner.grads[j])) {
      compute(owner.instance, 0, value.byteOffset, value.length * 8, undefined, start, end, inputs, value, grads);
    } else compute(own, 0, -1, 0, undefined, start, end, inputs, value, grads);
  };
  /**
   * New arrays for the value and the gradients of `length` points, in the memory of an instance
   * of their own (freed with them), which this kernel then writes directly; undefined when small
   * (a new instance costs more than the copies save) or too large for a 32-bit memory.
   */
  kernel.outputs = (length: number): { value: Float64Array; grads: Float64Array[] } | undefined => {
    const count = code.at.length + 1;
    const bytes = first + count * length * 8;
    if (length < 16 * block || bytes > 2 ** 30) return undefined;
    let instance: Instance;
    try {
      instance = instantiate(undefined, bytes - first);
    } catch {
      return undefined;
    }
    const buffer = instance.mem.buffer;
    const value = new Float64Array(buffer, first, length);
    const grads = Array.from(
      { length: count - 1 },
      (_, j) => new Float64Array(buffer, first + (j + 1) * length * 8, length),
    );
    owners.set(value, { instance, grads });
    return { value, grads };
  };
  /** Instances in shared memories, by memory and area (a pool's worker gets a new memory object each run). */
  const instances = new WeakMap<object, Map<number, Instance>>();
  kernel.on = (shared: Shared): Kernel => {
    let byBase = instances.get(shared.memory);
    if (byBase === undefined) instances.set(shared.memory, (byBase = new Map()));
    let instance = byBase.get(shared.base);
    if (instance === undefined) {
      if (byBase.size >= 8) byBase.clear(); // areas a pool takes for each run may move
      byBase.set(shared.base, (instance = instantiate(shared, 0)));
    }
    const ins = instance;
    return (start, end, inputs, value, grads) =>
      compute(ins, shared.base, shared.outAt, shared.stride, shared.inAt, start, end, inputs, value, grads);
  };
  return kernel;
}
