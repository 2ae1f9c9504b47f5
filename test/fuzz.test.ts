/**
 * The fuzzer, bounded for `npm test` (seeded; `npm run fuzz` runs 100,000 inputs or more).
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { checkInput, fuzzInput } from './helpers/fuzz.js';

test('random strings, mutations and deep nesting give a result or our syntax error, never anything else', () => {
  fc.assert(
    fc.property(fuzzInput, (text) => void checkInput(text)),
    { seed: 3, numRuns: 3000 },
  );
});
