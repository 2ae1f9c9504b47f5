/** The parser: precedence as mathjs, errors with positions, depth, and names that are only names. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExprError, parse } from '../src/index.js';
import { sexpr } from './helpers/sexpr.js';
import { print } from '../src/expr/print.js';

const read = (s: string): string => sexpr(parse(s));

describe('precedence and associativity (as mathjs)', () => {
  const cases: [string, string][] = [
    ['1 + 2 * 3', '(add 1 (mul 2 3))'],
    ['x - y - z', '(sub (sub x y) z)'],
    ['x / y / z', '(div (div x y) z)'],
    ['-x^2', '(neg (pow x 2))'],
    ['2^3^x', '(pow 2 (pow 3 x))'],
    ['2**3**x', '(pow 2 (pow 3 x))'],
    ['2^-x', '(pow 2 (neg x))'],
    ['2^-x^2', '(pow 2 (neg (pow x 2)))'],
    ['-x*y', '(mul (neg x) y)'],
    ['x - -y', '(sub x (neg y))'],
    ['+x', 'x'],
    ['-+-x', '(neg (neg x))'],
    ['2x', '(mul 2 x)'],
    ['2x^2', '(mul 2 (pow x 2))'],
    ['-2x', '(mul (neg 2) x)'],
    ['3(x+1)', '(mul 3 (add x 1))'],
    ['2 sin(x)', '(mul 2 (sin x))'],
    ['2pi', '(mul 2 pi)'],
    ['a*2x', '(mul a (mul 2 x))'],
    ['.5x', '(mul 0.5 x)'],
    ['5.', '5'],
    ['1e-3', '0.001'],
    ['2e3x', '(mul 2000 x)'],
    ['((x))', 'x'],
    ['square(exp(square(x)))', '(square (exp (square x)))'],
    ['e^x', '(pow e x)'],
    ['mod(x, 3)', '(mod x 3)'],
    ['atan2(y, x)', '(atan2 y x)'],
    // a function with an argument that may be left out: leaky_relu(x) is leaky_relu(x, 0.2)
    ['leaky_relu(x)', '(leaky_relu x)'],
    ['leaky_relu(x, 0.1)', '(leaky_relu x 0.1)'],
  ];
  for (const [input, expected] of cases) {
    test(`${input}  ->  ${expected}`, () => assert.equal(read(input), expected));
  }
});

/** Parses `input`, expecting an ExprError; returns it. */
function parseError(input: string): ExprError {
  try {
    parse(input);
  } catch (e) {
    assert.ok(e instanceof ExprError, `expected ExprError, got ${String(e)}`);
    return e;
  }
  assert.fail(`'${input}' parsed, but should be an error`);
}

describe('errors carry a message, a 1-based column and advice', () => {
  const cases: { input: string; message: RegExp; column: number; hint?: RegExp }[] = [
    { input: '', message: /empty expression/, column: 1 },
    { input: 'x +', message: /ends after '\+'/, column: 4 },
    { input: 'x y', message: /missing operator between 'x' and 'y'/, column: 3, hint: /x\*y/ },
    { input: 'sin x', message: /sin is a function/, column: 4, hint: /sin\(x\)/ },
    {
      input: '1/2x',
      message: /ambiguous implicit multiplication after '\/'/,
      column: 4,
      hint: /1\/\(2\*x\) or \(1\/2\)\*x/,
    },
    { input: 'x^2y', message: /ambiguous implicit multiplication in an exponent/, column: 4 },
    { input: 'sinn(x)', message: /unknown function 'sinn'/, column: 1, hint: /did you mean sin/ },
    { input: 'sqr(x)', message: /unknown function 'sqr'/, column: 1, hint: /sqrt/ },
    { input: 'sin(x, y)', message: /sin takes 1 argument, got 2/, column: 1 },
    { input: 'sin()', message: /sin\(\) needs 1 argument/, column: 5 },
    { input: '(x + 1', message: /missing '\)'/, column: 7 },
    { input: 'x + 1)', message: /unmatched '\)'/, column: 6 },
    { input: 'x(2)', message: /unknown function 'x'/, column: 1 },
    { input: 'pi(2)', message: /pi is a constant/, column: 3 },
    { input: '(x)(y)', message: /missing operator/, column: 4 },
    { input: '2 3', message: /missing operator between '2' and '3'/, column: 3 },
    { input: 'x * * y', message: /unexpected operator '\*'/, column: 5 },
    { input: '1e', message: /malformed number '1e'/, column: 2 },
    { input: '1..2', message: /malformed number/, column: 3 },
    { input: '1_000', message: /malformed number/, column: 2 },
    { input: '0x10', message: /malformed number/, column: 2 },
    { input: '1e309', message: /larger than the largest double/, column: 1 },
    { input: 'x.y', message: /property access/, column: 2 },
    { input: 'x = 1', message: /assignment/, column: 3 },
    { input: "'a'", message: /strings/, column: 1 },
    { input: '[]', message: /empty matrix/, column: 1 },
    { input: 'x ? y ? 1 : 2 : 3', message: /conditional in another's first branch needs parentheses/, column: 7 },
    { input: 'x ? 1', message: /'\?' without its ':'/, column: 3 },
    { input: 'x < y < 1', message: /chain of comparisons/, column: 7 },
    { input: 'x === 1', message: /assignment/, column: 5 },
    { input: 'x %% 2', message: /unexpected operator '%'/, column: 4 },
    { input: '3!', message: /factorial/, column: 2 },
    { input: ':3', message: /a range needs its start/, column: 1 },
    { input: 'xor + 1', message: /reserved word/, column: 1 },
    { input: 'mod + 1', message: /mod is a function/, column: 4 },
    // mathjs reads `2 mod(x, 3)` as its operator, 2 mod (x, 3): not a product here either
    {
      input: '2 mod(x, 3)',
      message: /'mod' after a number is an operator in mathjs/,
      column: 3,
      hint: /2\*mod\(x, y\)/,
    },
    { input: 'mod(x)', message: /mod takes 2 arguments, got 1/, column: 1 },
    { input: 'leaky_relu(x, 1, 2)', message: /leaky_relu takes 1 or 2 arguments, got 3/, column: 1 },
    { input: 'leaky_relu()', message: /leaky_relu\(\) needs 1 or 2 arguments/, column: 12 },
    { input: 'x − 1', message: /minus sign/, column: 3, hint: /write -/ },
    { input: 'x × 2', message: /multiplication sign/, column: 3 },
    { input: 'x²', message: /superscript two/, column: 2, hint: /\^2/ },
    { input: 'ｘ + 1', message: /full-width/, column: 1, hint: /'x'/ },
    { input: 'x\u200b+ 1', message: /zero-width space/, column: 2 },
    { input: 'x +\u202e 1', message: /right-to-left override/, column: 4 },
    // a character outside the BMP counts as one column: the caret sits under the right one
    { input: '𝑥𝑥 + ｙ', message: /unexpected character '𝑥'/, column: 1 },
    { input: 'x + 𝑥 + ｙ', message: /unexpected character '𝑥'/, column: 5 },
    { input: '(𝑥) + ｙ', message: /unexpected character/, column: 2 },
  ];
  for (const c of cases) {
    test(`${JSON.stringify(c.input)}: ${c.message.source}`, () => {
      const e = parseError(c.input);
      assert.match(e.message, c.message);
      assert.equal(e.column, c.column, `column for ${JSON.stringify(c.input)}`);
      if (c.hint) assert.match(e.hint ?? '', c.hint);
    });
  }
});

describe('names are data, never JavaScript', () => {
  for (const name of ['constructor', '__proto__', 'prototype', 'toString', 'valueOf', 'hasOwnProperty']) {
    test(`${name}(x) is an unknown function`, () => {
      assert.match(parseError(`${name}(x)`).message, new RegExp(`unknown function '${name}'`));
    });
    test(`${name} alone is an ordinary variable`, () => {
      assert.equal(read(`${name} + 1`), `(add ${name} 1)`);
    });
  }
});

describe('depth', () => {
  test('a 200,000-deep chain of calls parses (explicit stacks, no recursion)', () => {
    const depth = 200_000;
    const src = 'sin('.repeat(depth) + 'x' + ')'.repeat(depth);
    let node = parse(src);
    let n = 0;
    while (node.type === 'call') {
      node = node.args[0];
      n++;
    }
    assert.equal(n, depth);
  });
  test('200,000 nested parentheses parse', () => {
    const depth = 200_000;
    assert.equal(read('('.repeat(depth) + 'x' + ')'.repeat(depth)), 'x');
  });
  test('a long right-associative power tower parses', () => {
    const src = Array.from({ length: 50_000 }, () => 'x').join('^');
    let node = parse(src);
    let n = 1;
    while (node.type === 'call') {
      node = node.args[1];
      n++;
    }
    assert.equal(n, 50_000);
  });
});

describe('unknown functions: hints name real functions only', () => {
  const cases: [string, RegExp][] = [
    ['ln(x)', /dezero-grad calls it log: write log\(\.\.\.\)/],
    ['arcsin(x)', /calls it asin/],
    ['where(x, 1, 2)', /write the conditional c \? a : b/],
    ['sinn(x)', /did you mean sin\?/],
    // a one- or two-letter name that is no function anywhere may be a variable times a group
    ['k(x+1)', /for a product write k\*\(\.\.\.\)/],
  ];
  for (const [input, hint] of cases) {
    test(input, () => {
      const e = parseError(input);
      assert.match(e.hint ?? '', hint);
    });
  }
  test('a long unknown name is never taken for a product', () => {
    assert.doesNotMatch(parseError('foobar(x)').hint ?? '', /product/);
  });
});

describe('mathjs function forms', () => {
  test('pow(x, y) is x ^ y; log(x, base) is log(x) / log(base)', () => {
    assert.equal(print(parse('pow(x, 3)')), 'pow(x, 3)');
    assert.equal(print(parse('log(x, 2)')), 'log(x)/log(2)');
    assert.match(parseError('log(x, 2, 3)').message, /log takes 1 or 2 arguments, got 3/);
  });
});
