// `npm run check:sweep`: --check's numeric oracle on 10,000 random smooth expressions at points
// from 1e-8 to 1e8 in magnitude (test/helpers/check-sweep.ts). Fails on a false alarm or a missed
// 1e-6 perturbation. `node scripts/check-sweep.mjs RUNS SEED` for another sample.
import { sweep } from '../build/test/helpers/check-sweep.js';
import { loadMathjs } from '../build/src/expr/mathjs.js';

const runs = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 20261202);
const started = performance.now();
const r = sweep(await loadMathjs(), runs, seed);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`${runs} expressions (seed ${seed}) in ${seconds} s: ${r.checked} gradients checked, ${r.skipped} skipped`);
console.log(
  `false alarms: ${r.falseAlarms.length}; mismatches with their reason: ${r.explained}; inconclusive: ${r.inconclusive}`,
);
console.log(`1e-6 perturbations: ${r.catchable} within the error bound, ${r.missed.length} missed`);
for (const line of [...r.falseAlarms, ...r.missed].slice(0, 20)) console.log(`  ${line}`);
process.exitCode = r.falseAlarms.length + r.missed.length === 0 ? 0 : 1;
