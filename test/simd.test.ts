import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  AllocationError,
  allocate,
  CompiledExpression,
  createPool,
  grad,
  MAX_ALLOCATE,
  parse,
  plan,
  release,
  sharedFloat64,
  type BatchResult,
  type Plan,
} from '../src/index.js';
import { Arena, arena, inputsAt, outputsAt } from '../src/batch/arena.js';
import type { Prims } from '../src/engine/primitives.js';
import type { Term } from '../src/engine/registry.js';
import { BLOCK, simdCode, simdFits } from '../src/batch/simd.js';
import {
  SIMD_NUM,
  SIMD_ULP_BOUND,
  simdCos,
  simdExp,
  simdSin,
  simdTanh,
  EXP_MAX,
  SIN_MAX,
} from '../src/batch/simd-math.js';
import { encodeModule, Body, sleb, uleb, I32 } from '../src/batch/wasm.js';
import { expression, random, values } from './helpers/random.js';

/** The part of the WebAssembly API used here (TypeScript's libraries without the DOM lack it). */
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: {
    new (bytes: Uint8Array): object;
    imports(m: object): { name: string }[];
    exports(m: object): { name: string; kind: string }[];
  };
};

const same = (a: number, b: number): boolean => Object.is(a, b);

/**
 * The plan run one point at a time on an algebra of numbers: the SIMD kernel's scalar reference
 * when the algebra is SIMD_NUM (the same operations in the same order as the generated code).
 */
function reference(p: Plan, prims: Prims<number>, point: readonly number[]): { value: number; grads: number[] } {
  const slots: number[] = [];
  p.names.forEach((_, j) => (slots[j] = point[j]));
  for (const c of p.constants) slots[c.slot] = c.value;
  for (const f of p.forward) slots[f.output] = f.op.forward(prims, ...f.inputs.map((s) => slots[s]));
  const g: number[] = [];
  if (p.backward.length > 0) g[p.outputSlot] = 1;
  for (const b of p.backward) {
    const term = (t: Term): number =>
      t.kind === 'const'
        ? (t.value as number)
        : t.kind === 'input'
          ? slots[b.inputs[t.index]]
          : t.kind === 'output'
            ? slots[b.output]
            : t.kind === 'gy'
              ? g[b.output]
              : t.op.forward(prims, ...t.args.map(term));
    const gx = term(b.term);
    g[b.target] = b.accumulated ? g[b.target] + gx : gx;
  }
  return { value: slots[p.outputSlot], grads: p.names.map((_, j) => (j === p.outputSlot ? 1 : (g[j] ?? 0))) };
}

type Row = [number | string, number | string, number];
const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/simd-ulp.json', import.meta.url), 'utf8'),
) as Record<string, Row[]>;
const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

/** The spacing of doubles in |v|'s binade (2^-1074 for subnormals). */
function ulpOf(v: number): number {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, v);
  const e = (bits.getUint16(0) >> 4) & 0x7ff;
  return 2 ** (Math.max(e, 1) - 1075);
}

const FUNCTIONS = {
  exp: { simd: simdExp, math: Math.exp },
  sin: { simd: simdSin, math: Math.sin },
  cos: { simd: simdCos, math: Math.cos },
  tanh: { simd: simdTanh, math: Math.tanh },
} as const;

test('each SIMD function is within its stated ulp bound of the correctly rounded value (mpmath)', (t) => {
  const table: string[] = [];
  for (const [name, f] of Object.entries(FUNCTIONS)) {
    let worst = 0;
    let worstX = 0;
    for (const [xs, refs, corr] of fixture[name]) {
      const x = num(xs);
      const ref = num(refs);
      const got = f.simd(x);
      if (!Number.isFinite(ref) || x === 0) {
        // Infinities, NaN, and f(+-0) are exact, their sign included: Math's.
        assert.ok(same(got, f.math(x)), `${name}(${x}) = ${got}, want ${f.math(x)}`);
        continue;
      }
      assert.ok(Number.isFinite(got), `${name}(${x}) = ${got}, want ${ref}`);
      const err = Math.abs(got - ref - corr) / ulpOf(ref);
      if (err > worst) [worst, worstX] = [err, x];
    }
    table.push(`${name} ${worst.toFixed(3)} ulp (at ${worstX}), ${fixture[name].length} points`);
    assert.ok(
      worst <= SIMD_ULP_BOUND[name as keyof typeof SIMD_ULP_BOUND],
      `${name}: ${worst} ulp at ${worstX}, bound ${SIMD_ULP_BOUND[name as keyof typeof SIMD_ULP_BOUND]}`,
    );
  }
  t.diagnostic(table.join('; '));
});

test("each SIMD function differs from Math's by at most its bound plus Math's own (1 ulp)", () => {
  for (const [name, f] of Object.entries(FUNCTIONS)) {
    const bound = SIMD_ULP_BOUND[name as keyof typeof SIMD_ULP_BOUND] + 1;
    for (const [xs] of fixture[name]) {
      const x = num(xs);
      const want = f.math(x);
      const got = f.simd(x);
      if (!Number.isFinite(want) || want === 0) assert.ok(same(got, want), `${name}(${x})`);
      else assert.ok(Math.abs(got - want) <= bound * ulpOf(want), `${name}(${x}) = ${got}, Math: ${want}`);
    }
  }
});

test('the SIMD kernel of each function agrees with its scalar form bit for bit, value and gradient', () => {
  for (const name of Object.keys(FUNCTIONS)) {
    const x = Float64Array.from(fixture[name], (r) => num(r[0]));
    const c = new CompiledExpression(parse(`${name}(x)`), `${name}(x)`, { simd: true });
    assert.ok(c.simd);
    const r = c.run({ x });
    for (let i = 0; i < x.length; i++) {
      const want = reference(c.plan!, SIMD_NUM, [x[i]]);
      assert.ok(same(r.value[i], want.value), `${name}(${x[i]}): kernel ${r.value[i]}, scalar ${want.value}`);
      assert.ok(
        same(r.gradient.x[i], want.grads[0]),
        `${name}'(${x[i]}): kernel ${r.gradient.x[i]}, scalar ${want.grads[0]}`,
      );
    }
  }
});

test('the SIMD kernel agrees with its scalar reference bit for bit on random expressions', () => {
  const rnd = random(20261202);
  const far = [1000, -800, 9000, -1e5, 709, -745, Infinity, -Infinity, NaN, 5e-324, -0];
  for (let k = 0; k < 200; k++) {
    const source = expression(rnd, 1 + Math.floor(rnd() * 5));
    // Mostly small batches; some across a block's end, with an odd count and a start past 0.
    const n = k % 20 === 0 ? BLOCK + 7 : 9;
    const x = values(rnd, n);
    for (let i = 0; i < n; i += 4) if (rnd() < 0.3) x[i] = far[Math.floor(rnd() * far.length)];
    const y = rnd() < 0.3 ? values(rnd, 1)[0] : values(rnd, n);
    const c = new CompiledExpression(parse(source), source, { simd: true });
    if (c.plan === undefined) continue;
    const p = c.plan;
    const inputs = p.names.map((name) => (name === 'x' ? x : y));
    assert.equal(c.simd, simdFits(p));
    const start = n > 9 ? 3 : 0;
    const value = new Float64Array(n);
    const grads = p.names.map(() => new Float64Array(n));
    c.kernel(inputs)(start, n, inputs, value, grads);
    for (let i = start; i < n; i++) {
      const point = inputs.map((v) => (typeof v === 'number' ? v : v[i]));
      const want = reference(p, SIMD_NUM, point);
      const where = `${source} at ${point.join(', ')}`;
      assert.ok(same(value[i], want.value), `${where}: value ${value[i]} vs scalar ${want.value}`);
      p.names.forEach((name, j) => {
        assert.ok(same(grads[j][i], want.grads[j]), `${where}: d/d${name} ${grads[j][i]} vs scalar ${want.grads[j]}`);
      });
    }
    assert.equal(value[start - 1] ?? 0, 0, 'points before start are left alone');
  }
});

test('the generated modules are valid WebAssembly and hold no number of the expression', () => {
  const sources = ['square(exp(square(x)))', 'tanh(x*y) + sin(x) / (1 + y^2)', 'atan(x) * 1234.5678 + hypot(x, y, 3)'];
  for (const source of sources) {
    const p = plan(parse(source), source);
    for (const arrays of [p.names.map(() => true), p.names.map((_, j) => j === 0)]) {
      const code = simdCode(p, arrays)!;
      assert.ok(WebAssembly.validate(code.bytes), source);
      // 1234.5678's bytes are not in the module: the numbers live in its memory.
      const bytes = new Uint8Array(new Float64Array([1234.5678]).buffer);
      const text = Buffer.from(code.bytes).toString('hex');
      assert.ok(!text.includes(Buffer.from(bytes).toString('hex')), source);
      if (source.includes('1234')) assert.ok(code.constants.includes(1234.5678));
    }
  }
});

test('the encoder: LEB128 and a minimal module', () => {
  assert.deepEqual(uleb(0), [0]);
  assert.deepEqual(uleb(127), [127]);
  assert.deepEqual(uleb(128), [0x80, 1]);
  assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]); // the spec's example
  assert.deepEqual(sleb(-1), [0x7f]);
  assert.deepEqual(sleb(63), [63]);
  assert.deepEqual(sleb(64), [0xc0, 0]);
  assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
  const body = new Body(1);
  body.local(I32);
  const bytes = encodeModule({
    imports: [1, 2],
    functions: [{ name: 'run', params: [I32], results: [], body }],
    pages: 1,
  });
  assert.ok(WebAssembly.validate(bytes));
  const m = new WebAssembly.Module(bytes);
  assert.deepEqual(
    WebAssembly.Module.imports(m).map((i) => i.name),
    ['f0', 'f1'],
  );
  assert.deepEqual(
    WebAssembly.Module.exports(m).map((e) => `${e.name}:${e.kind}`),
    ['run:function', 'm:memory'],
  );
});

test('simd: true keeps the JavaScript kernel where there is no SIMD one, with its exact bits', () => {
  const x = new Float64Array([-2, -0.5, 0, 0.5, 2]);
  for (const source of ['x > 0 ? exp(x) : sin(x)', 'diff(sin(x), x)']) {
    const c = new CompiledExpression(parse(source), source, { simd: true });
    assert.equal(c.simd, false, source);
    const r = grad(source, { x }, { simd: true });
    const m = grad(source, { x });
    for (let i = 0; i < x.length; i++)
      assert.ok(same(r.value[i], m.value[i]) && same(r.gradient.x[i], m.gradient.x[i]));
  }
});

test('a plan too large for one WebAssembly function keeps the JavaScript kernel, exactly', () => {
  const source = Array.from({ length: 60 }, (_, i) => `tanh(exp(sin(x * ${i + 1})))`).join(' + ');
  const c = new CompiledExpression(parse(source), source, { simd: true });
  assert.equal(c.simd, false);
  assert.equal(simdCode(c.plan!, [true]), undefined);
  const x = new Float64Array([0.25, -1.5, 3]);
  const s = grad(source, { x }, { simd: true });
  const m = grad(source, { x });
  for (let i = 0; i < x.length; i++) assert.ok(same(s.value[i], m.value[i]) && same(s.gradient.x[i], m.gradient.x[i]));
});

test("grad(..., { simd: true }) is the SIMD kernel's answer, within the bound of Math's", () => {
  const n = 10_001;
  const x = Float64Array.from({ length: n }, (_, i) => -1 + (2 * i) / n);
  const y = Float64Array.from({ length: n }, (_, i) => 0.5 + i / n);
  const source = 'tanh(x*y) + sin(x) / (1 + y^2)';
  const s = grad(source, { x, y }, { simd: true });
  const m = grad(source, { x, y });
  const p = plan(parse(source), source);
  let differ = 0;
  for (let i = 0; i < n; i++) {
    const want = reference(p, SIMD_NUM, [x[i], y[i]]);
    assert.ok(
      same(s.value[i], want.value) && same(s.gradient.x[i], want.grads[0]) && same(s.gradient.y[i], want.grads[1]),
    );
    // A few ulps of each function, carried through a handful of operations: relative 1e-14.
    assert.ok(Math.abs(s.value[i] - m.value[i]) <= 1e-14 * Math.max(1, Math.abs(m.value[i])), `${i}`);
    assert.ok(Math.abs(s.gradient.x[i] - m.gradient.x[i]) <= 1e-14 * Math.max(1, Math.abs(m.gradient.x[i])));
    if (!same(s.value[i], m.value[i])) differ++;
  }
  // Not Math's bits everywhere: the option does change the functions.
  assert.ok(differ > 0);
});

test('the pool runs the SIMD kernel on every thread: the same bits as one thread', async () => {
  const n = 50_000;
  const x = Float64Array.from({ length: n }, (_, i) => -3 + (6 * i) / n);
  const source = 'square(exp(square(x))) + sin(x) * 1e3';
  const c = new CompiledExpression(parse(source), source, { simd: true });
  const pool = createPool({ threads: 2, minPoints: 0, block: 1024 });
  try {
    const r = await pool.run(c, { x });
    const one = c.run({ x });
    assert.ok(pool.workerPoints > 0 || n > 0);
    for (let i = 0; i < n; i++) assert.ok(same(r.value[i], one.value[i]) && same(r.gradient.x[i], one.gradient.x[i]));
  } finally {
    await pool.close();
  }
});

test('the ranges stated are the ones the kernel uses', () => {
  // Just inside and outside each range, the kernel's value is the polynomial's or Math's.
  const x = new Float64Array([EXP_MAX, -EXP_MAX, 709.5, -740]);
  const r = grad('exp(x)', { x }, { simd: true });
  assert.ok(same(r.value[2], Math.exp(709.5)) && same(r.value[3], Math.exp(-740)));
  const s = grad('sin(x)', { x: new Float64Array([SIN_MAX, SIN_MAX * 2]) }, { simd: true });
  assert.ok(same(s.value[1], Math.sin(SIN_MAX * 2)));
  assert.ok(same(s.value[0], simdSin(SIN_MAX)));
});

test("--simd through the binary prints the SIMD kernel's numbers; at one point it is exit 2", async () => {
  const { spawnSync } = await import('node:child_process');
  const bin = new URL('../../bin/dezero-grad.js', import.meta.url).pathname;
  const source = 'tanh(x*y) + sin(x) / (1 + y^2)';
  const r = spawnSync(
    process.execPath,
    [bin, source, '--x', '-1:1:0.125', '--y', '0.75', '--simd', '--format', 'tsv'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t').map(Number));
  const x = Float64Array.from(rows, (row) => row[0]);
  const want = grad(source, { x, y: 0.75 }, { simd: true });
  assert.equal(rows.length, 17);
  rows.forEach((row, i) => {
    // The shortest decimal of each number reads back as the same double.
    assert.ok(
      same(row[2], want.value[i]) && same(row[3], want.gradient.x[i]) && same(row[4], want.gradient.y[i]),
      `row ${i}`,
    );
  });
  const one = spawnSync(process.execPath, [bin, 'tanh(x)', '--x', '1', '--simd'], { encoding: 'utf8' });
  assert.equal(one.status, 2);
  assert.match(one.stderr, /--simd takes many points/);
  assert.doesNotMatch(one.stderr, /at .*\.js/);
});

test("outputs in the kernel's own memory (large runs) get the same bits as ordinary arrays, at every size around a block", () => {
  const rnd = random(20261203);
  const far = [1000, -800, 9000, 709, -745, Infinity, NaN, -0];
  const sources = ['square(exp(square(x)))', 'tanh(x*y) + sin(x) / (1 + y^2)', 'exp(x) * y + cos(x * 3)'];
  const big = 16 * BLOCK; // the smallest length the kernel allocates its own outputs for
  for (const source of sources) {
    const c = new CompiledExpression(parse(source), source, { simd: true });
    const p = c.plan!;
    for (const n of [0, 1, 2, 3, 4, 5, BLOCK - 1, BLOCK, BLOCK + 1, big - 1, big, big + 1, big + 3, big + BLOCK - 1]) {
      const x = values(rnd, n);
      for (let i = 0; i < n; i += 97) x[i] = far[Math.floor(rnd() * far.length)];
      const y = values(rnd, n);
      const inputs = p.names.map((name) => (name === 'x' ? x : y));
      const r = c.run({ x, y });
      // Ordinary arrays: the kernel copies every block out of its memory.
      const value = new Float64Array(n);
      const grads = p.names.map(() => new Float64Array(n));
      c.kernel(inputs)(0, n, inputs, value, grads);
      assert.equal(r.value.buffer.byteLength > r.value.byteLength, n >= big, `n = ${n}: where the outputs live`);
      for (let i = 0; i < n; i++) {
        assert.ok(same(r.value[i], value[i]), `${source}, n = ${n}, value at ${i}: ${r.value[i]} vs ${value[i]}`);
        p.names.forEach((name, j) => {
          assert.ok(same(r.gradient[name][i], grads[j][i]), `${source}, n = ${n}, d/d${name} at ${i}`);
        });
      }
      for (const i of [0, 1, n >> 1, n - 2, n - 1].filter((i) => i >= 0 && i < n)) {
        const want = reference(
          p,
          SIMD_NUM,
          inputs.map((v) => v[i]),
        );
        assert.ok(same(r.value[i], want.value), `${source}, n = ${n}: value at ${i} vs the scalar reference`);
      }
      // Reused as `into` and run from a start past 0, the points before it are left alone.
      if (n >= big) {
        const before = r.value[2];
        x.reverse();
        const into = p.names.map((name) => r.gradient[name]);
        c.kernel(inputs)(3, n, inputs, r.value, into);
        c.kernel(inputs)(3, n, inputs, value, grads);
        assert.ok(same(r.value[2], before));
        for (let i = 3; i < n; i++) assert.ok(same(r.value[i], value[i]) && same(into[0][i], grads[0][i]), `at ${i}`);
        assert.equal(c.run({ x, y }, r), r);
      }
    }
  }
});

test("the pool's SIMD outputs (a shared WebAssembly memory, written in place) agree with one thread, reused or new", async () => {
  const source = 'tanh(x*y) + sin(x) / (1 + y^2) + exp(x) * 1e3';
  const c = new CompiledExpression(parse(source), source, { simd: true });
  const pool = createPool({ threads: 2, minPoints: 0, block: 1000 });
  const rnd = random(20261204);
  try {
    let last: Awaited<ReturnType<typeof pool.run>> | undefined;
    for (const n of [1, 5, 999, 1000, 1001, 2 * BLOCK + 3, 16 * BLOCK + 1, 16 * BLOCK + 1]) {
      const x = values(rnd, n);
      for (let i = 0; i < n; i += 89) x[i] = [1000, -800, NaN, Infinity][i % 4];
      const y = values(rnd, n);
      const into = last?.length === n ? last : undefined;
      const r = await pool.run(c, { x, y }, into);
      if (into !== undefined) assert.equal(r, into, 'reused');
      assert.ok(r.value.buffer instanceof SharedArrayBuffer);
      const one = c.run({ x, y });
      for (let i = 0; i < n; i++) {
        assert.ok(
          same(r.value[i], one.value[i]) &&
            same(r.gradient.x[i], one.gradient.x[i]) &&
            same(r.gradient.y[i], one.gradient.y[i]),
          `n = ${n}, at ${i}: ${r.value[i]} vs ${one.value[i]}`,
        );
      }
      last = r;
    }
  } finally {
    await pool.close();
  }
});

// ---- inputs allocated in the kernels' memory (allocate, release; src/batch/arena.ts) ----------

/** The run on copies of the values (ordinary arrays): the copy path, what an allocated run must equal. */
function copied(c: CompiledExpression, vals: Record<string, Float64Array | number>): BatchResult {
  const plain = Object.fromEntries(
    Object.entries(vals).map(([k, v]) => [k, typeof v === 'number' ? v : Float64Array.from(v)]),
  );
  return c.run(plain);
}

function assertBits(got: BatchResult, want: BatchResult, where: string): void {
  assert.equal(got.length, want.length, where);
  for (let i = 0; i < want.length; i++) {
    assert.ok(same(got.value[i], want.value[i]), `${where}: value at ${i}: ${got.value[i]} vs ${want.value[i]}`);
    for (const name of Object.keys(want.gradient)) {
      assert.ok(
        same(got.gradient[name][i], want.gradient[name][i]),
        `${where}: d/d${name} at ${i}: ${got.gradient[name][i]} vs ${want.gradient[name][i]}`,
      );
    }
  }
}

const SIZES = [0, 1, 2, 3, 5, 7, BLOCK - 1, BLOCK, BLOCK + 1, 16 * BLOCK + 3];
const FAR = [1000, -800, 9000, 709, -745, Infinity, NaN, -0];

/** `n` random points from `allocate`, some out of the polynomials' ranges. */
function allocated(rnd: () => number, n: number, far: boolean): Float64Array {
  const x = allocate(n);
  x.set(values(rnd, n));
  if (far) for (let i = 0; i < n; i += 97) x[i] = FAR[Math.floor(rnd() * FAR.length)];
  return x;
}

test('allocated inputs are read in place on one thread: the same bits as copied ones and the scalar reference, at every size around a block', () => {
  const rnd = random(20261205);
  for (const source of ['square(exp(square(x)))', 'tanh(x*y) + sin(x) / (1 + y^2)', 'exp(x) * y + cos(x * 3)']) {
    const c = new CompiledExpression(parse(source), source, { simd: true });
    const p = c.plan!;
    for (const n of SIZES) {
      const x = allocated(rnd, n, true);
      const y = allocated(rnd, n, false);
      assert.equal(x.byteOffset % 16, 0, 'aligned for f64x2');
      const r = c.run({ x, y });
      assert.ok(r.value.buffer === x.buffer || r.value.buffer.byteLength >= x.buffer.byteLength, 'outputs beside');
      assertBits(r, copied(c, { x, y }), `${source}, n = ${n}`);
      for (const i of [0, 1, n >> 1, n - 2, n - 1].filter((i) => i >= 0 && i < n)) {
        const want = reference(
          p,
          SIMD_NUM,
          p.names.map((name) => (name === 'x' ? x[i] : y[i])),
        );
        assert.ok(same(r.value[i], want.value), `${source}, n = ${n}: value at ${i} vs the scalar reference`);
      }
      // Outputs passed back are written again in place; a number beside an allocated array.
      x.reverse();
      assert.equal(c.run({ x, y }, r), r);
      assertBits(r, copied(c, { x, y }), `${source}, n = ${n}, reused`);
      const half = c.run({ x, y: 0.75 });
      assertBits(half, copied(c, { x, y: 0.75 }), `${source}, n = ${n}, y a number`);
      release(x, y, r, half);
    }
  }
});

test('grad() and an expression without a SIMD kernel take allocated inputs too: outputs allocated, same bits', () => {
  const rnd = random(20261206);
  for (const [source, simd] of [
    ['tanh(x) * x', true],
    ['tanh(x) * x', false],
    ['x > 0 ? exp(x) : x', true], // a conditional: the JavaScript kernel
    ['diff(sin(x * x), x)', true], // no kernel: the engine point by point
  ] as const) {
    // The outputs go where stale numbers were (they are not cleared: every kernel writes them whole).
    const stale = allocate(8 * BLOCK);
    stale.fill(Number.NaN);
    release(stale);
    const x = allocated(rnd, BLOCK + 1, true);
    const r = grad(source, { x }, { simd });
    assert.ok(r.value.buffer instanceof SharedArrayBuffer, `${source}: allocated outputs`);
    assertBits(r, grad(source, { x: Float64Array.from(x) }, { simd }), source);
    release(x, r);
  }
});

test('an array allocated before the memory grows keeps its points, and runs read it in place', async () => {
  const source = 'tanh(x*y) + sin(x) / (1 + y^2)';
  const c = new CompiledExpression(parse(source), source, { simd: true });
  const rnd = random(20261207);
  const n = 3 * BLOCK + 5;
  const x = allocated(rnd, n, true);
  const y = allocated(rnd, n, false);
  const before = Float64Array.from(x);
  // 64 MB more: the memory grows (a shared memory: x is not detached, only on an older buffer).
  const big = allocate(8 << 20);
  assert.ok(big.buffer.byteLength > x.buffer.byteLength, 'the memory grew');
  assert.equal(x.length, n);
  assertBits({ length: n, value: x, gradient: {} }, { length: n, value: before, gradient: {} }, 'x after growth');
  const r = c.run({ x, y });
  assertBits(r, copied(c, { x, y }), 'a run after growth');
  const pool = createPool({ threads: 2, minPoints: 0, block: 1000 });
  try {
    assertBits(await pool.run(c, { x, y }), r, 'the pool after growth');
  } finally {
    await pool.close();
  }
  release(big, x, y, r);
});

test('an allocated input that is also an output of the run gets the bits of the copy path', () => {
  const source = 'square(exp(square(x))) * y';
  const c = new CompiledExpression(parse(source), source, { simd: true });
  const rnd = random(20261208);
  for (const n of [7, BLOCK + 1, 16 * BLOCK + 3]) {
    const x = allocated(rnd, n, true);
    const y = allocated(rnd, n, false);
    const r = c.run({ x, y }); // outputs allocated one stride apart: written in place
    for (const out of ['value', 'x', 'y'] as const) {
      // One of r's arrays is the input x of the run that writes r.
      const input = out === 'value' ? r.value : r.gradient[out];
      input.set(x);
      const plain = Float64Array.from(x);
      const fresh = (k: string) => (k === out ? plain : new Float64Array(n));
      const want = c.run(
        { x: plain, y: Float64Array.from(y) },
        { length: n, value: fresh('value'), gradient: { x: fresh('x'), y: fresh('y') } },
      );
      assert.equal(c.run({ x: input, y }, r), r);
      assertBits(r, want, `n = ${n}, x is the run's ${out}`);
    }
    release(x, y, r);
  }
});

test('arrays not from allocate are copied in as before: a view of another memory, a shared array, a part of one', async () => {
  const source = 'tanh(x*y) + sin(x) / (1 + y^2)';
  const c = new CompiledExpression(parse(source), source, { simd: true });
  const rnd = random(20261209);
  const n = 16 * BLOCK + 1;
  const own = c.run({ x: values(rnd, n), y: values(rnd, n) }); // outputs in the kernel's own memory
  const shared = sharedFloat64(n);
  shared.set(values(rnd, n));
  const x = allocated(rnd, n + 2, true);
  const part = x.subarray(1, n + 1); // a part of an allocated array: read in place, its own offset
  for (const [name, v] of [
    ['another memory', own.value],
    ['shared', shared],
    ['part', part],
  ] as const) {
    const r = c.run({ x: v, y: own.gradient.y });
    assertBits(r, copied(c, { x: v, y: own.gradient.y }), name);
    if (name === 'part') release(r);
    else assert.throws(() => release(r), AllocationError, 'ordinary outputs are not the memory’s');
  }
  release(x);
});

test('the pool reads allocated inputs in place on every thread: the same bits as one thread, new and reused, mixed', async () => {
  const source = 'tanh(x*y) + sin(x) / (1 + y^2) + exp(x) * 1e3';
  const c = new CompiledExpression(parse(source), source, { simd: true });
  const pool = createPool({ threads: 2, minPoints: 0, block: 1000 });
  const rnd = random(20261210);
  try {
    for (const n of [...SIZES, 999, 1000, 1001]) {
      const x = allocated(rnd, n, true);
      const y = allocated(rnd, n, false);
      const want = copied(c, { x, y });
      const r = await pool.run(c, { x, y });
      assertBits(r, want, `n = ${n}`);
      assert.equal(await pool.run(c, { x, y }, r), r);
      assertBits(r, want, `n = ${n}, reused`);
      const plainY = Float64Array.from(y);
      const mixed = await pool.run(c, { x, y: plainY });
      assertBits(mixed, want, `n = ${n}, y ordinary`);
      const into = c.result(n, new Float64Array(n), [new Float64Array(n), new Float64Array(n)]);
      assert.equal(await pool.run(c, { x, y }, into), into);
      assertBits(into, want, `n = ${n}, into ordinary arrays`);
      release(x, y, r, mixed);
    }
  } finally {
    await pool.close();
  }
});

test('allocate and release refuse misuse with AllocationError; a released block comes back as zeros', () => {
  for (const bad of [-1, 1.5, Number.NaN, MAX_ALLOCATE + 1, '3' as unknown as number]) {
    assert.throws(
      () => allocate(bad),
      (e: Error) => e instanceof AllocationError && /whole number from 0/.test(e.message),
    );
  }
  const x = allocate(5);
  assert.deepEqual([...x], [0, 0, 0, 0, 0]);
  assert.throws(() => release(new Float64Array(5)), /not made by allocate/);
  assert.throws(() => release(sharedFloat64(5)), /not made by allocate/);
  assert.throws(() => release(x.subarray(1)), /no array from allocate starts at byte \d+ with 4 points/);
  assert.throws(() => release(x.subarray(0, 4)), AllocationError);
  x.fill(7);
  release(x);
  assert.throws(() => release(x), /released already/);
  const again = allocate(5);
  assert.deepEqual([...again], [0, 0, 0, 0, 0]);
  assert.ok(new AllocationError('m') instanceof RangeError);
  release(again);
});

test('the arena: first fit, neighbours merged, the top lowered, 16-byte blocks', () => {
  const a = new Arena();
  const [p, q, r] = [a.take(40), a.take(16), a.take(100)];
  assert.deepEqual([p % 16, q - p, r - q], [0, 48, 16]);
  a.give(q);
  assert.equal(a.take(8), q, 'the freed block, first fit');
  a.give(p);
  a.give(q);
  assert.equal(a.take(64), p, 'p and q merged');
  a.give(r);
  a.give(p);
  assert.equal(a.take(16), p, 'everything merged back to the first address');
  assert.ok(a.array(3)!.byteOffset % 16 === 0);
});

test('which inputs a run reads in place, and which outputs it writes in place', () => {
  const source = 'x * y';
  const c = new CompiledExpression(parse(source), source, { simd: true });
  const x = allocate(10);
  const r = c.run({ x, y: x });
  const g = arena()!;
  const stride = r.gradient.x.byteOffset - r.value.byteOffset;
  assert.ok(stride >= 80 && stride % 16 === 0);
  assert.deepEqual(outputsAt(g, r.value, [r.gradient.x, r.gradient.y]), { outAt: r.value.byteOffset, stride });
  assert.equal(outputsAt(g, r.value, [r.gradient.y, r.gradient.x]), undefined, 'not one stride apart');
  assert.equal(outputsAt(g, new Float64Array(10), []), undefined);
  const outputs = [r.value, r.gradient.x, r.gradient.y];
  assert.deepEqual(inputsAt(g, [x, 2, new Float64Array(10), x.subarray(2)], outputs), [
    x.byteOffset,
    -1,
    -1,
    x.byteOffset + 16,
  ]);
  assert.deepEqual(inputsAt(g, [r.gradient.x, x], outputs), [-1, x.byteOffset], 'an output is copied in');
  release(x, r);
  assert.deepEqual(inputsAt(g, [x], []), [-1], 'released: copied');
});

test('pool runs on allocated inputs that overlap in time each work in areas of their own', async () => {
  const sources = ['tanh(x*y) + sin(x) / (1 + y^2)', 'exp(x) * y + cos(x * 3)'];
  const cs = sources.map((s) => new CompiledExpression(parse(s), s, { simd: true }));
  const pool = createPool({ threads: 2, minPoints: 0, block: 1000 });
  const rnd = random(20261212);
  try {
    const n = 4 * BLOCK + 3;
    const x = allocated(rnd, n, true);
    const y = allocated(rnd, n, false);
    const runs = [0, 1, 0, 1].map((k) => pool.run(cs[k], { x, y }));
    const results = await Promise.all(runs);
    results.forEach((r, i) => assertBits(r, copied(cs[i % 2], { x, y }), `run ${i}`));
    release(x, y, ...results);
  } finally {
    await pool.close();
  }
});
