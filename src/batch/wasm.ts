/**
 * A small WebAssembly binary encoder: what the SIMD kernel (simd.ts) needs and nothing more. One
 * module with imported functions of f64s, one memory, one exported function; the instructions as
 * bytes, written by the caller through `Body`. The format: https://webassembly.github.io/spec/core/binary/
 */

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Opcodes used (the core ones, then the SIMD ones after the 0xfd prefix). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  call: 0x10,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  i32WrapI64: 0xa7,
} as const;

export const SIMD = {
  load: 0x00,
  load64Splat: 0x0a,
  store: 0x0b,
  f64x2Splat: 0x14,
  i64x2ExtractLane: 0x1d,
  f64x2ExtractLane: 0x21,
  f64x2ReplaceLane: 0x22,
  f64x2Eq: 0x47,
  f64x2Ne: 0x48,
  f64x2Lt: 0x49,
  f64x2Gt: 0x4a,
  f64x2Le: 0x4b,
  f64x2Ge: 0x4c,
  not: 0x4d,
  and: 0x4e,
  andnot: 0x4f,
  or: 0x50,
  xor: 0x51,
  bitselect: 0x52,
  f64x2Ceil: 0x74,
  f64x2Floor: 0x75,
  i64x2AllTrue: 0xc3,
  i64x2Shl: 0xcb,
  i64x2ShrS: 0xcc,
  i64x2Add: 0xce,
  f64x2Abs: 0xec,
  f64x2Neg: 0xed,
  f64x2Sqrt: 0xef,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
  f64x2Min: 0xf4,
  f64x2Max: 0xf5,
} as const;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit values). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** The pieces one after the other (a loop: spreading a module's worth of bytes is slow). */
function concat(...parts: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  for (const part of parts) for (let i = 0; i < part.length; i++) out.push(part[i]);
  return out;
}
const name = (s: string): number[] =>
  concat(
    uleb(s.length),
    [...s].map((c) => c.charCodeAt(0)),
  );
const vec = (items: readonly (readonly number[])[]): number[] => concat(uleb(items.length), ...items);
const section = (id: number, content: number[]): number[] => concat([id], uleb(content.length), content);

/** A function body being written: its locals (after the parameters) and its instructions. */
export class Body {
  /** The instructions: `head` (written through `atHead`) runs first, then `code`. */
  private readonly head: number[] = [];
  private code: number[] = [];
  private readonly locals: number[] = [];

  constructor(private readonly params: number) {}

  /** The locals declared so far. */
  get localCount(): number {
    return this.locals.length;
  }

  /** A new local of `type`; returns its index. */
  local(type: number): number {
    this.locals.push(type);
    return this.params + this.locals.length - 1;
  }

  /** Writes what `write` writes at the end of the head instead (e.g. locals set once per call). */
  atHead(write: () => void): void {
    const code = this.code;
    this.code = this.head;
    try {
      write();
    } finally {
      this.code = code;
    }
  }

  op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }

  simd(opcode: number, ...immediates: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...immediates);
  }

  get(local: number): this {
    return this.op(OP.localGet, ...uleb(local));
  }

  set(local: number): this {
    return this.op(OP.localSet, ...uleb(local));
  }

  /** The encoded body: locals grouped in runs of one type, then the code and `end`. */
  encode(): number[] {
    const runs: number[][] = [];
    for (let i = 0; i < this.locals.length; ) {
      let j = i;
      while (j < this.locals.length && this.locals[j] === this.locals[i]) j++;
      runs.push([...uleb(j - i), this.locals[i]]);
      i = j;
    }
    const body = concat(vec(runs), this.head, this.code, [OP.end]);
    return concat(uleb(body.length), body);
  }
}

/** A memory argument: alignment (log2 bytes) and a constant offset. */
export const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];

export interface FunctionSpec {
  /** Exported under this name. */
  name: string;
  params: readonly number[];
  results: readonly number[];
  body: Body;
}

export interface ModuleSpec {
  /** The arities of the functions imported from module "p" as f0, f1, ...: each (f64 x arity) -> f64. */
  imports: readonly number[];
  /** The functions defined, each exported by its name. */
  functions: readonly FunctionSpec[];
  /** Pages (64 KiB) of the memory, exported as "m"; or 'shared': a shared memory imported as p.m. */
  pages: number | 'shared';
}

/** The module's bytes. */
export function encodeModule(m: ModuleSpec): Uint8Array {
  // Types: one per import arity, then one per defined function.
  const arities = [...new Set(m.imports)];
  const f64s = (k: number): number[][] => Array.from({ length: k }, () => [F64]);
  const types = [
    ...arities.map((a) => [0x60, ...vec(f64s(a)), ...vec([[F64]])]),
    ...m.functions.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))]),
  ];
  const imports = m.imports.map((a, i) => [...name('p'), ...name(`f${i}`), 0x00, ...uleb(arities.indexOf(a))]);
  const shared = m.pages === 'shared';
  // Limits 0x03: shared, from 0 pages to 65,536 (4 GiB).
  if (shared) imports.push([...name('p'), ...name('m'), 0x02, 0x03, 0x00, ...uleb(65536)]);
  const first = m.imports.length; // functions are numbered imports first
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(m.functions.map((_, i) => uleb(arities.length + i)))),
    ...(shared ? [] : section(5, vec([[0x00, ...uleb(m.pages as number)]]))),
    ...section(
      7,
      vec([
        ...m.functions.map((f, i) => [...name(f.name), 0x00, ...uleb(first + i)]),
        ...(shared ? [] : [[...name('m'), 0x02, 0x00]]),
      ]),
    ),
    ...section(10, vec(m.functions.map((f) => f.body.encode()))),
  ]);
}
