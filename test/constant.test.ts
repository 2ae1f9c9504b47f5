/**
 * evaluateConstant reads a plain decimal literal (`0.5`, `-1e-3`) with `Number`, without a parse:
 * it must give what the parse gives, bit for bit, and leave every other text (errors included) to
 * the parse. `(text)` never takes the plain path and means the same number, so it is the oracle.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { evaluateConstant } from '../src/expr/constant.js';
import { ExprError } from '../src/expr/errors.js';

type Outcome = { value: number } | { error: string };

function outcome(text: string): Outcome {
  try {
    return { value: evaluateConstant(text) };
  } catch (e) {
    assert.ok(e instanceof ExprError, `${JSON.stringify(text)}: ${String(e)}`);
    return { error: e.message };
  }
}

function agrees(text: string): void {
  const plain = outcome(text);
  const parsed = outcome(`(${text})`);
  if ('value' in parsed) {
    assert.ok(
      'value' in plain && Object.is(plain.value, parsed.value),
      `${JSON.stringify(text)}: ${JSON.stringify(plain)} vs ${parsed.value}`,
    );
  } else {
    // Refused by the parse: refused here too (a text the plain path does not take goes to the
    // same parse as before, so its message is the one it always was).
    assert.ok(
      'error' in plain,
      `${JSON.stringify(text)}: ${'value' in plain ? plain.value : ''} where the parse says ${parsed.error}`,
    );
  }
}

test('plain literals: the same number as the parse, bit for bit; refused where the parse refuses', () => {
  for (const text of [
    '0.5',
    '-0.5',
    '0',
    '-0',
    '00.5',
    '1.',
    '.5',
    '-.5',
    '2.e3',
    '1e3',
    '1E+3',
    '1e-3',
    '-1e-3',
    '1e308',
    '1.7976931348623157e308',
    '1.8e308',
    '1e309',
    '-1e309',
    '5e-324',
    '4.9e-324',
    '2.5e-324',
    '2.4703282292062328e-324',
    '1e-324',
    '-1e-400',
    '0e5',
    '0.000e-999',
    '123456789012345678901234567890',
    '0.1',
    '0.30000000000000004',
    '9007199254740993',
    '1e',
    '1e+',
    '1.2.3',
    '-',
    '--1',
    '+1',
    '1_000',
    '0x10',
    '0b1',
    ' 0.5',
    '0.5 ',
    '\u00a00.5',
    '',
    '.',
    '-.',
    'e3',
    '1e3.5',
    '١',
  ])
    agrees(text);
});

test('random strings of digits, points, exponents and signs agree with the parse', () => {
  const char = fc.constantFrom('0', '1', '5', '9', '.', 'e', 'E', '+', '-', '3', '7');
  fc.assert(
    fc.property(fc.array(char, { minLength: 1, maxLength: 24 }), (cs) => agrees(cs.join(''))),
    { numRuns: 3000, seed: 20261202 },
  );
  // Literals of every size, and their negations.
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), (x, exp) => {
      const text = exp ? x.toExponential() : String(x);
      agrees(text);
      if (!text.startsWith('-')) agrees(`-${text}`);
    }),
    { numRuns: 3000, seed: 7 },
  );
});
