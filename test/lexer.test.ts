// The lexer: its flat token arrays and the Token objects made from them, against hand-written
// tokens (kinds, texts, values and UTF-16 spans counted by hand).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lex, tokenize } from '../src/expr/lexer.js';
import { parse } from '../src/expr/parse.js';

test('every kind of token, with its text, value and span', () => {
  const input = " 2.5e1*x ** y'.^[1; 2], a<=b >= c == d != e ./ f .* g % h ? i : j - +k / (l)";
  const got = tokenize(input).map((t) => [t.kind, t.text, t.start, t.end, 'value' in t ? t.value : null]);
  assert.deepEqual(got, [
    ['number', '2.5e1', 1, 6, 25],
    ['op', '*', 6, 7, null],
    ['name', 'x', 7, 8, null],
    ['op', '^', 9, 11, null],
    ['name', 'y', 12, 13, null],
    ["'", "'", 13, 14, null],
    ['op', '.^', 14, 16, null],
    ['[', '[', 16, 17, null],
    ['number', '1', 17, 18, 1],
    [';', ';', 18, 19, null],
    ['number', '2', 20, 21, 2],
    [']', ']', 21, 22, null],
    [',', ',', 22, 23, null],
    ['name', 'a', 24, 25, null],
    ['op', '<=', 25, 27, null],
    ['name', 'b', 27, 28, null],
    ['op', '>=', 29, 31, null],
    ['name', 'c', 32, 33, null],
    ['op', '==', 34, 36, null],
    ['name', 'd', 37, 38, null],
    ['op', '!=', 39, 41, null],
    ['name', 'e', 42, 43, null],
    ['op', './', 44, 46, null],
    ['name', 'f', 47, 48, null],
    ['op', '.*', 49, 51, null],
    ['name', 'g', 52, 53, null],
    ['op', '%', 54, 55, null],
    ['name', 'h', 56, 57, null],
    ['?', '?', 58, 59, null],
    ['name', 'i', 60, 61, null],
    [':', ':', 62, 63, null],
    ['name', 'j', 64, 65, null],
    ['op', '-', 66, 67, null],
    ['op', '+', 68, 69, null],
    ['name', 'k', 69, 70, null],
    ['op', '/', 71, 72, null],
    ['(', '(', 73, 74, null],
    ['name', 'l', 74, 75, null],
    [')', ')', 75, 76, null],
    ['end', '', 76, 76, null],
  ]);
});

test('the flat form: one entry a token, past the end nothing', () => {
  const t = lex('sin(x)');
  assert.equal(t.count, 5);
  assert.equal(t.at(5), undefined);
  assert.equal(t.at(-1), undefined);
  assert.deepEqual(t.at(0), { kind: 'name', text: 'sin', start: 0, end: 3 });
});

test('2.*x is 2 .* x, as mathjs reads it; .5 is a number', () => {
  assert.deepEqual(
    tokenize('2.*x+.5').map((t) => t.text),
    ['2', '.*', 'x', '+', '.5', ''],
  );
});

test('parentheses widen the span of the node they hold, and a matrix in them keeps its shape', () => {
  const node = parse('( x )');
  assert.deepEqual(node, { type: 'variable', name: 'x', start: 0, end: 5 });
  const m = parse('([1, 2; 3, 4])');
  assert.equal(m.type, 'matrix');
  assert.equal(m.start, 0);
  assert.equal(m.end, 14);
});

test('a name used many times is one string, its nodes the same as when written once', () => {
  const node = parse('x + x');
  assert.deepEqual(node, {
    type: 'call',
    op: 'add',
    args: [
      { type: 'variable', name: 'x', start: 0, end: 1 },
      { type: 'variable', name: 'x', start: 4, end: 5 },
    ],
    form: 'infix',
    start: 0,
    end: 5,
  });
});
