/**
 * The fuzzer, shared by test/fuzz.test.ts (a few thousand inputs in `npm test`) and
 * scripts/fuzz.mjs (`npm run fuzz`, 100,000 or more): random strings, mutations of valid
 * expressions (deleted, doubled, swapped and inserted characters, unicode look-alikes) and deep
 * nesting. Every input is either accepted and evaluates, or rejected with our syntax error: an
 * ExprError whose position lies inside the input, rendered with its caret. Anything else is a bug.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { grad } from '../../src/api/grad.js';
import { ExprError } from '../../src/expr/errors.js';
import { TensorError } from '../../src/engine/tensor.js';
import { parse } from '../../src/expr/parse.js';
import type { Node } from '../../src/expr/ast.js';
import { print } from '../../src/expr/print.js';
import { variableNames } from '../../src/expr/build.js';
import { formatError } from '../../src/cli/messages.js';
import { tree } from './trees.js';

/** Characters worth throwing at the lexer: the grammar's, other languages', look-alikes, invisibles. */
const CHARS = [
  ...'0123456789.eE+-*/^(),_ xyzsinqrtexplogabc',
  ...'[]{}=<>!?:;\'"`%&|~@#$\\\t\n\r',
  '\u2212',
  '\u00d7',
  '\u00f7',
  '\u00b2',
  '\u03c0',
  '\u221a',
  '\u00a0',
  '\u2013',
  '\u00b7',
  '\u200b',
  '\u200d',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\u2028',
  '\uff58',
  '\uff0b',
  '\uff08',
  '\uff11', // full-width x + ( 1
  '\u{1d465}',
  '\u{1f600}',
  '\ud800',
  '\udc00',
  '\u0000',
  '\u007f',
  '\u0301',
  'é',
  'ß',
];
/** Whole words and fragments that have meant something to other evaluators. */
const WORDS = [
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'import',
  'process',
  'require',
  'eval',
  'Function',
  'this',
  'globalThis',
  'mod',
  'to',
  'in',
  'not',
  'pi',
  'e',
  'sin(',
  'square(',
  'relu(',
  '**',
  '1e',
  '1e309',
  '0x10',
  '1_000',
  '1..2',
  '.5',
  '5.',
  'NaN',
  'Infinity',
];

const char = fc.constantFrom(...CHARS);
const piece = fc.oneof({ weight: 4, arbitrary: char }, { weight: 1, arbitrary: fc.constantFrom(...WORDS) });

/** Random strings over the interesting characters and words, and arbitrary unicode. */
const randomText = fc.oneof(
  fc.array(piece, { maxLength: 40 }).map((xs) => xs.join('')),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

type Mutation = { kind: 'delete' | 'double' | 'swap' | 'insert' | 'replace'; at: number; text: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'double', 'swap', 'insert', 'replace'),
  at: fc.nat(),
  text: piece,
});

function mutate(s: string, m: Mutation): string {
  if (s.length === 0) return m.text;
  const i = m.at % s.length;
  switch (m.kind) {
    case 'delete':
      return s.slice(0, i) + s.slice(i + 1);
    case 'double':
      return s.slice(0, i + 1) + s.slice(i);
    case 'swap':
      return i + 1 < s.length ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : s;
    case 'insert':
      return s.slice(0, i) + m.text + s.slice(i);
    case 'replace':
      return s.slice(0, i) + m.text + s.slice(i + 1);
  }
}

/** Valid expressions with one to three mutations. */
const mutated = fc
  .tuple(tree(4).map(print), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([text, ms]) => ms.reduce(mutate, text));

/** Deep nesting, balanced or not: (((x))), ----x, sin(sin(...)), 2^2^2^... */
const nested = fc
  .tuple(
    fc.constantFrom('(', '-', 'sin(', 'sqrt(', '2^', '-(', 'x*('),
    fc.integer({ min: 1, max: 2000 }),
    fc.integer({ min: -2, max: 2 }),
  )
  .map(([open, n, skew]) => {
    const closes = open.endsWith('(') ? ')'.repeat(Math.max(0, n + skew)) : '';
    return open.repeat(n) + 'x' + closes;
  });

export const fuzzInput: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: randomText },
  { weight: 4, arbitrary: mutated },
  { weight: 1, arbitrary: nested },
);

/**
 * Asserts the contract for one input and says what happened. Accepted expressions are evaluated
 * with every variable at 0.5, and must not throw.
 */
export function checkInput(text: string): 'accepted' | 'rejected' {
  let root: Node;
  try {
    root = parse(text);
  } catch (e) {
    if (!(e instanceof ExprError)) {
      throw new Error(
        `${JSON.stringify(text)}: threw ${e instanceof Error ? e.stack : String(e)} instead of a syntax error`,
      );
    }
    assert.equal(e.input, text);
    assert.ok(e.index >= 0 && e.index <= text.length, `${JSON.stringify(text)}: position ${e.index} outside the input`);
    assert.ok(e.message.length > 0);
    const shown = formatError(e);
    assert.match(shown, /^dezero-grad: .+ \(column \d+\)\n {2}.*\n {2} *\^\n/u, `${JSON.stringify(text)}: ${shown}`);
    return 'rejected';
  }
  const values = new Map(variableNames(root).map((n) => [n, 0.5]));
  try {
    grad(root, values);
  } catch (e) {
    // A range makes a vector of numbers (`0:5 + x`): grad() of numbers refuses a vector result
    // with its typed error, as it documents, and an empty range (`4:0`) is an error with its
    // position; anything else thrown is a bug.
    if (e instanceof ExprError) {
      assert.ok(
        e.index >= 0 && e.index <= text.length,
        `${JSON.stringify(text)}: position ${e.index} outside the input`,
      );
      return 'rejected';
    }
    if (!(e instanceof TensorError)) throw e;
    assert.ok(e.message.length > 0);
    return 'rejected';
  }
  return 'accepted';
}
