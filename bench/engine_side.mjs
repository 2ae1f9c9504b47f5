// One side of the per-node bench (bench/run.mjs): a chain sin(sin(...sin(x)...)) N deep at x = 0.5,
// parsed, then differentiated on the tape (what --quiet and grad() at one point do: the parser's
// compact form, no syntax tree) or with the Variables (the tree, build + differentiate without a
// trace, what --quiet did before the tape). Prints
// `parse_us engine_us gradient` (microseconds a node; the gradient, to check both sides agree).
//   node bench/engine_side.mjs tape|objects N
import { parse, parsePostfix } from '../dist/expr/parse.js';
import { build } from '../dist/expr/build.js';
import { differentiate } from '../dist/api/differentiate.js';
import { differentiateOnTape } from '../dist/api/differentiate-tape.js';

const [mode, nText] = process.argv.slice(2);
const n = Number(nText);
const src = `${'sin('.repeat(n)}x${')'.repeat(n)}`;
const values = new Map([['x', 0.5]]);
const t0 = performance.now();
const root = mode === 'tape' ? parsePostfix(src) : parse(src);
const t1 = performance.now();
const gradient =
  mode === 'tape'
    ? differentiateOnTape(root, values).result.gradient.x
    : differentiate(build(root, values, src), { trace: false }).gradient.x;
const t2 = performance.now();
console.log(`${((t1 - t0) * 1000) / n} ${((t2 - t1) * 1000) / n} ${gradient}`);
