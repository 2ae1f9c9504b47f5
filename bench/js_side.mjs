// The JavaScript side of `npm run bench`: the library's compiled kernel on the same points as the
// numpy and C sides, timed the same way (per repetition, inside the process).
// usage: node bench/js_side.mjs EXPR_ID N REPS [MODE]  ->  {"ns_per_point": [...], "check": ..., "cores": ...}
// MODE: "reuse" (default) CompiledExpression.run with outputs reused; "fresh" grad() every time
// (new output arrays); "pool" a 2-thread pool (createPool), warmed by one untimed run, inputs in
// shared memory, outputs reused; "pool-copy" the same with ordinary inputs (copied every run).
// "simd", "simd-fresh", "simd-pool": the same as "reuse", "fresh" and "pool" on the SIMD kernel
// ({ simd: true }); ordinary Float64Array inputs except for the pool's, so a run includes the
// kernel's copying of every block of them into WebAssembly memory, as a user's call does; the
// outputs are the first run's (the kernel's or the pool's own, in WebAssembly memory), reused.
// "simd-allocated", "simd-pool-allocated": "simd" and "simd-pool" with inputs from allocate()
// (living in the SIMD kernels' WebAssembly memory, read in place: a user's call, no copy in).
// "simd-inside": the SIMD module alone with all N points of its inputs and outputs in its own
// memory (one block of N points; what no user call does: the cost of the copies, by difference).
import { allocate, CompiledExpression, createPool, grad, parse, sharedFloat64 } from '../dist/index.js';

const EXPRESSIONS = { 1: 'square(exp(square(x)))', 2: 'tanh(x*y) + sin(x) / (1 + y^2)' };
const [id, n, reps] = process.argv.slice(2, 5).map(Number);
const mode = process.argv[5] ?? 'reuse';
if (mode === 'simd-inside') {
  await inside();
  process.exit(0);
}
const source = EXPRESSIONS[id];
const simd = mode.startsWith('simd');
const allocated = mode.endsWith('-allocated');
const base = simd
  ? {
      simd: 'reuse',
      'simd-fresh': 'fresh',
      'simd-pool': 'pool',
      'simd-allocated': 'reuse',
      'simd-pool-allocated': 'pool',
    }[mode]
  : mode;
const array = allocated ? allocate : base === 'pool' ? sharedFloat64 : (length) => new Float64Array(length);
const x = array(n);
const y = array(n);
for (let i = 0; i < n; i++) {
  x[i] = -1 + (2 * i) / n;
  y[i] = 0.5 + i / n;
}
const values = new Map([
  ['x', x],
  ['y', y],
]);
const compiled = new CompiledExpression(parse(source), source, { simd });
const pool = base.startsWith('pool') ? createPool({ threads: 2 }) : undefined;
let result = pool ? await pool.run(compiled, values) : undefined;
const times = [];
const cpu0 = process.cpuUsage();
const wall0 = process.hrtime.bigint();
for (let r = 0; r < reps; r++) {
  const t0 = process.hrtime.bigint();
  if (pool) result = await pool.run(compiled, values, result);
  else result = base === 'fresh' ? grad(source, values, { simd }) : compiled.run(values, result);
  const t1 = process.hrtime.bigint();
  times.push(Number(t1 - t0) / n);
}
// CPU time of all our threads over wall time: how many cores the timed runs actually got (near 2
// with a pool on two free cores, less when another job takes a share of them).
const cpu = process.cpuUsage(cpu0);
const cores = ((cpu.user + cpu.system) * 1000) / Number(process.hrtime.bigint() - wall0);
await pool?.close();
const k = Math.floor(n / 3);
const check = result.value[k] + result.gradient.x[k] + (result.gradient.y?.[k] ?? 0);
console.log(JSON.stringify({ ns_per_point: times, check, cores }));

async function inside() {
  const { simdCode } = await import('../dist/batch/simd.js');
  const { NUM } = await import('../dist/engine/primitives.js');
  const { default: v8 } = await import('node:v8');
  const source = EXPRESSIONS[id];
  const compiled = new CompiledExpression(parse(source), source, { simd: true });
  const code = simdCode(
    compiled.plan,
    compiled.names.map(() => true),
    n,
  );
  const imports = Object.fromEntries(code.imports.map((name, i) => [`f${i}`, NUM[name]]));
  v8.setFlagsFromString('--no-liftoff'); // as simdKernel does: optimised code from the first call
  const module = new WebAssembly.Module(code.bytes);
  v8.setFlagsFromString('--liftoff');
  const { exports } = new WebAssembly.Instance(module, { p: imports });
  const mem = new Float64Array(exports.m.buffer);
  mem.set(code.constants, code.constantsAt);
  compiled.names.forEach((name, j) => {
    for (let i = 0; i < n; i++) mem[code.at[j] + i] = name === 'x' ? -1 + (2 * i) / n : 0.5 + i / n;
  });
  const pairs = Math.ceil(n / (2 * code.unroll)) * code.unroll;
  const args = [pairs, code.out * 8, n * 8, 0, ...code.at.filter((_, j) => code.arrays[j]).map((a) => a * 8)];
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    if (exports.run(...args) !== 0) exports.safe(...args);
    times.push(Number(process.hrtime.bigint() - t0) / n);
  }
  const k = Math.floor(n / 3);
  const check = compiled.names.reduce((sum, _, j) => sum + mem[code.out + (j + 1) * n + k], mem[code.out + k]);
  console.log(JSON.stringify({ ns_per_point: times, check, cores: 1 }));
}
