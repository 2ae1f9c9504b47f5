// The tensor line of `npm run bench`, our side: the library's Variables on tensors, the same two
// cases and inputs as bench/tensor_numpy.py.   usage: node tensor_js.mjs CASE REPS
import { Tensor, Variable, add, div, matmul, mul, pow, sin, sum, tanh } from '../dist/index.js';

const [caseId, reps] = process.argv.slice(2).map(Number);
const grid = (n, f) => Float64Array.from({ length: n }, (_, i) => f(i));
const [xs, ys] =
  caseId === 1
    ? [
        Tensor.from(
          [1000, 1000],
          grid(1e6, (i) => -1 + (2 * i) / 1e6),
        ),
        Tensor.from(
          [1000, 1000],
          grid(1e6, (i) => 0.5 + i / 1e6),
        ),
      ]
    : [Tensor.from([256, 256], grid(65536, Math.sin)), Tensor.from([256, 256], grid(65536, Math.cos))];
const ms = [];
let check = 0;
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  const x = new Variable(xs);
  const y = new Variable(ys);
  const out = caseId === 1 ? sum(add(tanh(mul(x, y)), div(sin(x), add(1, pow(y, 2))))) : sum(matmul(x, y));
  out.backward();
  ms.push(performance.now() - t0);
  check = out.data + x.grad.data.data[12345 % x.grad.data.data.length] + y.grad.data.data[777];
}
console.log(JSON.stringify({ ms, check }));
