// The long fuzz run: `npm run fuzz [-- COUNT [SEED]]` (default 100,000 inputs, a random seed).
// Runs the same property as test/fuzz.test.ts and reports the slowest input; any input taking
// longer than 100 ms counts as a failure, as does anything but a result or our syntax error.
// An input is slow when both its wall-clock time and the process's CPU time exceed the limit:
// wall-clock time also counts waiting for cores other programs hold, CPU time also bills the
// compiler and garbage-collector threads running beside the fuzzer; the smaller of the two is
// the closer bound on the input's own work.
import fc from 'fast-check';
import { checkInput, fuzzInput } from '../build/test/helpers/fuzz.js';

const count = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const LIMIT_MS = 100;
const tally = { accepted: 0, rejected: 0 };
let slowest = { ms: 0, wall: 0, text: '' };
let slowestWall = 0;
let slow = 0;
const slowShapes = new Map();
const started = performance.now();

const details = fc.check(
  fc.property(fuzzInput, (text) => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    tally[checkInput(text)]++;
    const c = process.cpuUsage(c0);
    const ms = (c.user + c.system) / 1000;
    const wall = performance.now() - t0;
    if (ms > slowest.ms) slowest = { ms, wall, text };
    if (wall > slowestWall) slowestWall = wall;
    if (Math.min(ms, wall) > LIMIT_MS) {
      slow++;
      const shape = `${JSON.stringify(text.slice(0, 8))}… (${text.length} chars)`;
      slowShapes.set(shape, (slowShapes.get(shape) ?? 0) + 1);
    }
  }),
  { seed, numRuns: count },
);

const secs = ((performance.now() - started) / 1000).toFixed(1);
const shown =
  slowest.text.length > 60
    ? `${JSON.stringify(slowest.text.slice(0, 60))}… (${slowest.text.length} chars)`
    : JSON.stringify(slowest.text);
console.log(
  `fuzz: ${details.numRuns} inputs in ${secs} s (seed ${seed}): ${tally.accepted} accepted, ${tally.rejected} rejected with a syntax error`,
);
console.log(`most CPU time: ${slowest.ms.toFixed(1)} ms (${slowest.wall.toFixed(1)} ms wall), ${shown}`);
console.log(`most wall-clock time: ${slowestWall.toFixed(1)} ms; over ${LIMIT_MS} ms by both: ${slow}`);
if (slowShapes.size > 0) console.log(`slow: ${[...slowShapes.keys()].join(', ')}`);
if (details.failed) {
  console.log(fc.defaultReportMessage(details));
  process.exitCode = 1;
} else if (slow > 0) {
  process.exitCode = 1;
}
