// The JavaScript side of `npm run bench`: the library's compiled kernel on the same points as the
// numpy and C sides, timed the same way (per repetition, inside the process).
// usage: node bench/js_side.mjs EXPR_ID N REPS [fresh]  ->  {"ns_per_point": [...], "check": ...}
// With "fresh", every repetition calls grad() (new output arrays); else outputs are reused.
import { CompiledExpression, grad, parse } from '../dist/index.js';

const EXPRESSIONS = { 1: 'square(exp(square(x)))', 2: 'tanh(x*y) + sin(x) / (1 + y^2)' };
const [id, n, reps] = process.argv.slice(2, 5).map(Number);
const fresh = process.argv[5] === 'fresh';
const source = EXPRESSIONS[id];
const x = new Float64Array(n);
const y = new Float64Array(n);
for (let i = 0; i < n; i++) {
  x[i] = -1 + (2 * i) / n;
  y[i] = 0.5 + i / n;
}
const values = new Map([['x', x], ['y', y]]);
const compiled = new CompiledExpression(parse(source), source);
let result;
const times = [];
for (let r = 0; r < reps; r++) {
  const t0 = process.hrtime.bigint();
  result = fresh ? grad(source, values) : compiled.run(values, result);
  const t1 = process.hrtime.bigint();
  times.push(Number(t1 - t0) / n);
}
const k = Math.floor(n / 3);
const check = result.value[k] + result.gradient.x[k] + (result.gradient.y?.[k] ?? 0);
console.log(JSON.stringify({ ns_per_point: times, check }));
