// The long fuzz run: `npm run fuzz [-- COUNT [SEED]]` (default 100,000 inputs, a random seed).
// Runs the same property as test/fuzz.test.ts and reports the slowest input; any input taking
// longer than 100 ms counts as a failure, as does anything but a result or our syntax error.
// Time is the process's CPU time (user + system), so that other programs sharing the cores do
// not count against an input; wall-clock time is reported beside it.
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
    if (ms > LIMIT_MS) {
      const shape = `${JSON.stringify(text.slice(0, 8))}… (${text.length} chars)`;
      slowShapes.set(shape, (slowShapes.get(shape) ?? 0) + 1);
    }
    if (ms > LIMIT_MS) slow++;
  }),
  { seed, numRuns: count },
);

const secs = ((performance.now() - started) / 1000).toFixed(1);
const shown = slowest.text.length > 60 ? `${JSON.stringify(slowest.text.slice(0, 60))}… (${slowest.text.length} chars)` : JSON.stringify(slowest.text);
console.log(`fuzz: ${details.numRuns} inputs in ${secs} s (seed ${seed}): ${tally.accepted} accepted, ${tally.rejected} rejected with a syntax error`);
console.log(`slowest input: ${slowest.ms.toFixed(1)} ms CPU (${slowest.wall.toFixed(1)} ms wall), ${shown}; over ${LIMIT_MS} ms CPU: ${slow}`);
console.log(`slowest wall-clock time of any input: ${slowestWall.toFixed(1)} ms`);
if (slowShapes.size > 0) console.log(`over ${LIMIT_MS} ms: ${[...slowShapes.keys()].join(', ')}`);
if (details.failed) {
  console.log(fc.defaultReportMessage(details));
  process.exitCode = 1;
} else if (slow > 0) {
  process.exitCode = 1;
}
