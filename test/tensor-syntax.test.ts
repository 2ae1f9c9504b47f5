/**
 * The matrix syntax (issue 16, part B): mathjs's literals, indexing, ranges, transpose and dotted
 * operators, read as mathjs reads them (mathjs's own parse is the oracle), printed back in our
 * grammar and in mathjs's, and refused with a caret where they are wrong. The tests that evaluate
 * need the engine's tensor ops (stack, matmul, transpose, index): they are skipped, saying so,
 * until those ops are in the registry.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { MathNode } from 'mathjs';
import { OPS } from '../src/engine/registry.js';
import { build } from '../src/expr/build.js';
import { ExprError } from '../src/expr/errors.js';
import { dimensions, loadMathjs, SymbolicUnavailable, toMathjs } from '../src/expr/mathjs.js';
import { parse } from '../src/expr/parse.js';
import { print } from '../src/expr/print.js';
import { mathjsSexpr, sexpr } from './helpers/sexpr.js';

const ENGINE = OPS.has('stack') && OPS.has('matmul') && OPS.has('transpose') && OPS.has('index');
const needsEngine = ENGINE
  ? {}
  : { skip: "the engine's tensor ops (stack, matmul, transpose, index) are not in the registry yet" };

/** mathjs's reading of `src`, our variables' v_ prefix dropped. */
async function mathjsReading(src: string): Promise<string> {
  const math = await loadMathjs();
  return mathjsSexpr(math.parse(src)).replace(/\bv_/g, '');
}

/** Accepted by both, read the same: the mathjs reading is the expected tree. */
const AGREED = [
  // literals
  '[1, 2, 3]',
  '[1, 2; 3, 4]',
  '[[1, 2], [3, 4]]',
  '[1; 2; 3]',
  '[[1, 2]; [3, 4]]',
  '[x + 1, -y, sin(x)^2]',
  '[c ? 1 : 2, 3]',
  '[1:3]',
  '-[1, 2]',
  // dotted operators: `2.*x` is 2 .* x
  '2.*3',
  'x.^2',
  '2./x',
  '2.5.*x',
  'x .* y ./ z .^ 2',
  '-x.^2',
  'x.^-1',
  // transpose: tighter than ^ and unary minus, after implicit multiplication's operand
  "x'",
  "-x'",
  "x'^2",
  "x^x'",
  "2^-x'",
  "2x'",
  "x''",
  "v'*v",
  "1:3'",
  "(1:3)'",
  "[1, 2]'",
  "(x + y)'",
  // indexing
  'x[1, :]',
  'x[:, 1]',
  'x[2:end, 1]',
  'x[[1, 3], 1]',
  'v[end]',
  'x[end - 1, end]',
  'v[:]',
  'x[2:]',
  'x[:3]',
  'x[2:, 1]',
  'x[1:2:end]',
  '(x)[1, 1]',
  "x'[1, 1]",
  '[1, 2][2]',
  'x[1][1]',
  '2x[1, 1]',
  'sin(x)[1]',
  'x[y[end]]',
  'x[c ? 1 : 2]',
  '-x[1]^2',
  // ranges, and the conditional's ':' first
  '1:3',
  '1:2:9',
  '-1:2',
  '1:2+1',
  '1:n+1:2*n',
  'c ? 1:3 : 4',
  'c ? 1 : 2:3',
  'c ? (1:3) : 4',
  'a < 1:3',
  '1:3 < 2',
  'c ? a : b ? 1:2 : 3',
  '1:3 ? a : b',
];

describe('mathjs reads every matrix expression we accept as we do', () => {
  for (const src of AGREED) {
    test(src, async () => {
      assert.equal(sexpr(parse(src)), await mathjsReading(src));
    });
  }
});

describe('printing reads back: in our grammar, and in mathjs as the same tree', () => {
  for (const src of AGREED) {
    test(src, async () => {
      const tree = parse(src);
      const text = print(tree);
      assert.equal(sexpr(parse(text)), sexpr(tree), `printed as ${text}`);
      // mathjs evaluates no vector as a condition, so the bridge gives that one no form
      if (src === '1:3 ? a : b') assert.throws(() => toMathjs(tree), SymbolicUnavailable);
      else assert.equal(await mathjsReading(toMathjs(tree)), sexpr(tree), `mathjs form ${toMathjs(tree)}`);
    });
  }
  test('the canonical forms', () => {
    const cases: [string, string][] = [
      ['[1,2;3,4]', '[1, 2; 3, 4]'],
      ['[[1,2],[3,4]]', '[[1, 2], [3, 4]]'],
      ['x.*y', 'x .* y'],
      ['x[:,1]', 'x[:, 1]'],
      ['x[2:]', 'x[2:end]'],
      ['x[:3]', 'x[1:3]'],
      ['c ? (1:3) : 4', 'c ? (1:3) : 4'],
      ["(-x)'", "(-x)'"],
      ["(x^2)'", "(x^2)'"],
      ['(2)[1]', '(2)[1]'],
      ['(1:3)[2]', '(1:3)[2]'],
    ];
    for (const [src, want] of cases) assert.equal(print(parse(src)), want, src);
  });
});

describe('matrix syntax errors: one message, the caret at the spot', () => {
  const cases: { input: string; message: RegExp; column: number }[] = [
    {
      input: '[[1, 2], [3]]',
      message: /^ragged matrix: element 2 has 1 element but element 1 has 2 elements$/,
      column: 10,
    },
    { input: '[1, 2; 3]', message: /^ragged matrix: row 2 has 1 element but row 1 has 2$/, column: 8 },
    { input: '[1, [2, 3]]', message: /^ragged matrix: element 2 has 2 elements but element 1 is a number$/, column: 5 },
    { input: '[[1, 2], [3, 4], [5]]', message: /ragged matrix: element 3 has 1 element/, column: 18 },
    { input: '[]', message: /^an empty matrix \[\] is not supported/, column: 1 },
    { input: 'x[]', message: /^an index needs at least one entry$/, column: 3 },
    { input: '[1, 2', message: /^missing '\]' for the '\[' at column 1$/, column: 6 },
    { input: 'x[1', message: /^missing '\]' for the '\[' at column 2$/, column: 4 },
    { input: 'x[1)', message: /^expected '\]' for the '\[' at column 2 before '\)'$/, column: 4 },
    { input: '(1]', message: /^expected '\)' for the '\(' at column 1 before '\]'$/, column: 3 },
    { input: '1]', message: /^unmatched '\]'$/, column: 2 },
    { input: '[1, 2,]', message: /^unexpected '\]' after ','/, column: 7 },
    { input: ':', message: /^unexpected ':': a range needs its start/, column: 1 },
    { input: '(:3)', message: /^unexpected ':'/, column: 2 },
    { input: 'sin(:)', message: /^unexpected ':'/, column: 5 },
    { input: 'c ? : 1', message: /^unexpected ':' after '\?'/, column: 5 },
    { input: '1:2:3:4', message: /^a range is start:end or start:step:end, not more$/, column: 6 },
    { input: 'end', message: /^'end' means the last index of a dimension, so only inside an index/, column: 1 },
    { input: 'x + end', message: /^'end' means the last index/, column: 5 },
    { input: '2[1, 2]', message: /^a number cannot be indexed/, column: 2 },
    { input: "'a'", message: /^unexpected ''': strings are not part of the grammar/, column: 1 },
    { input: '1; 2', message: /^unexpected ';': only one expression is allowed$/, column: 2 },
    { input: 'sin(x; 1)', message: /^unexpected ';': it ends a row of a matrix/, column: 6 },
    { input: '(1, 2)', message: /^unexpected ',': commas separate/, column: 3 },
    { input: '[1, 2]x', message: /^missing operator before 'x'/, column: 7 },
  ];
  for (const c of cases) {
    test(c.input, () => {
      let err: unknown;
      try {
        parse(c.input);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof ExprError, `expected an ExprError for ${c.input}, got ${String(err)}`);
      assert.match(err.message, c.message);
      assert.equal(err.column, c.column, err.message);
    });
  }
});

test('a number is not indexed (checked when built, where its shape is known)', () => {
  assert.throws(
    () => build(parse('x[1]'), new Map([['x', 2]]), 'x[1]'),
    (e: unknown) => e instanceof ExprError && e.message === 'x is a number, so it cannot be indexed' && e.column === 3,
  );
});

test('the mathjs form: map(X, f) where mathjs wants it, nothing else changed', () => {
  const shapes = new Map([
    ['W', [2, 2]],
    ['v', [2]],
  ]);
  assert.equal(toMathjs(parse('exp(v)'), undefined, shapes), 'map(v_v, f_(t_) = exp(t_))');
  assert.equal(toMathjs(parse('exp(x)'), undefined, shapes), 'exp(v_x)');
  assert.equal(toMathjs(parse('sin(W*v) + 1'), undefined, shapes), 'map(v_W*v_v, f_(t_) = sin(t_)) + 1');
  // v*v is a number (the dot product), so its exp is not mapped
  assert.equal(toMathjs(parse('exp(v*v)'), undefined, shapes), 'exp(v_v*v_v)');
  assert.equal(toMathjs(parse('exp(W[1, 1])'), undefined, shapes), 'exp(v_W[1, 1])');
  assert.equal(toMathjs(parse('exp(W[1, :])'), undefined, shapes), 'map(v_W[1, :], f_(t_) = exp(t_))');
  assert.equal(toMathjs(parse("W' .* W"), undefined, shapes), "v_W' .* v_W");
  assert.throws(() => toMathjs(parse('atan2(v, v)'), undefined, shapes), SymbolicUnavailable);
  assert.throws(() => toMathjs(parse('v < 1 ? 1 : 2'), undefined, shapes), SymbolicUnavailable);
  assert.deepEqual([...dimensions(parse('[1, 2; 3, 4] * [1; 2]'))].at(-1)?.[1], 2, 'a [2,2] times a [2,1] is a matrix');
});

test('mathjs evaluates the mapped form to the elementwise values', async () => {
  const math = await loadMathjs();
  const text = toMathjs(parse('exp(v) .* 2'), undefined, new Map([['v', [3]]]));
  const value = (math.parse(text) as MathNode).evaluate({ v_v: [0, 1, 2] }) as number[];
  assert.deepEqual(
    value,
    [0, 1, 2].map((t) => Math.exp(t) * 2),
  );
});

// ---- evaluation: needs the engine's tensor ops -------------------------------------------------

/** A built value as nested arrays, from its shape and row-major elements. */
function nested(data: unknown): unknown {
  if (typeof data === 'number') return data;
  const { shape, data: flat } = data as { shape: readonly number[]; data: Float64Array };
  const go = (dim: number, offset: number): unknown => {
    if (dim === shape.length) return flat[offset];
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[dim] }, (_, i) => go(dim + 1, offset + i * stride));
  };
  return go(0, 0);
}

const evaluated = (src: string, values: Record<string, number> = {}): unknown =>
  nested(build(parse(src), new Map(Object.entries(values)), src).output.data);

describe('evaluation agrees with mathjs evaluate', needsEngine, () => {
  const cases = [
    '[1, 2; 3, 4] * [5; 6]',
    '[1, 2; 3, 4] * [5, 6]',
    '[1, 2] * [3, 4]',
    '[1, 2] * [1, 2; 3, 4]',
    "[1, 2; 3, 4]'",
    "[1, 2, 3]'",
    '[1, 2; 3, 4][2, :]',
    '[1, 2; 3, 4][:, 1]',
    '[1, 2; 3, 4][2, 1]',
    '[1, 2; 3, 4][end, end]',
    '[10, 20, 30, 40][2:end]',
    '[10, 20, 30, 40][[1, 3]]',
    '[10, 20, 30, 40][1:2:end]',
    '1:5',
    '0:0.1:0.3',
    '5:-2:1',
    '[1, 2] .* [3, 4]',
    '[1, 2] ./ [4, 8]',
    '[1, 2] .^ 2',
    '2 * [1, 2; 3, 4]',
    '[1; 2; 3]',
    '[[1, 2], [3, 4]] - 1',
  ];
  for (const src of cases) {
    test(src, async () => {
      const math = await loadMathjs();
      const theirs = math.evaluate(src) as { toArray?: () => unknown } | number;
      const want = typeof theirs === 'number' ? theirs : theirs.toArray!();
      assert.deepEqual(evaluated(src), JSON.parse(JSON.stringify(want)));
    });
  }
});

describe('errors found when built: the index, the dimension and its size; ^ and / of a matrix', needsEngine, () => {
  const cases: { input: string; message: RegExp; column: number }[] = [
    {
      input: '[1, 2; 3, 4][3, 1]',
      message: /^index 3 of dimension 1 is out of range: the dimension has size 2/,
      column: 14,
    },
    { input: '[1, 2; 3, 4][1, 1.5]', message: /^index 1\.5 of dimension 2 is not an integer/, column: 17 },
    { input: '[1, 2, 3][0]', message: /^index 0 is out of range: the dimension has size 3/, column: 11 },
    { input: '[1, 2; 3, 4][1]', message: /^too few indices: \[1, 2; 3, 4\] has shape \[2, 2\]/, column: 15 },
    { input: '[1, 2][1, 1]', message: /^too many indices/, column: 11 },
    { input: '[1, 2; 3, 4]^2', message: /^'\^' of a \[2, 2\] value is the matrix power in mathjs/, column: 13 },
    { input: '1 / [1, 2]', message: /^'\/' by a \[2\] value multiplies by its inverse in mathjs/, column: 3 },
    { input: '3:1', message: /^the range 3:1 is empty/, column: 1 },
    { input: '0:0:1', message: /^the range's step is 0/, column: 1 },
  ];
  for (const c of cases) {
    test(c.input, () => {
      let err: unknown;
      try {
        evaluated(c.input);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof ExprError, `expected an ExprError for ${c.input}, got ${String(err)}`);
      assert.match(err.message, c.message);
      assert.equal(err.column, c.column, err.message);
    });
  }
});

test('any soup of brackets, colons, quotes and ends parses or is refused with an ExprError, never a crash', async () => {
  const token = fc.constantFrom(
    '[',
    ']',
    '(',
    ')',
    ';',
    ',',
    ':',
    "'",
    'end',
    'x',
    '1',
    '2.',
    '.*',
    '.^',
    './',
    '-',
    '*',
    '^',
    '?',
    ' ',
    'sin(',
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 14 }), (tokens) => {
      const src = tokens.join('');
      let tree: ReturnType<typeof parse>;
      try {
        tree = parse(src);
      } catch (e) {
        assert.ok(e instanceof ExprError, `${JSON.stringify(src)}: ${String(e)}`);
        return;
      }
      assert.equal(sexpr(parse(print(tree))), sexpr(tree), `${JSON.stringify(src)} printed as ${print(tree)}`);
    }),
    { seed: 7, numRuns: 20000 },
  );
});

test('200,000 nested brackets parse without touching the call stack', () => {
  const depth = 200_000;
  const tree = parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`);
  let d = 0;
  for (let n = tree; n.type === 'matrix'; n = n.args[0]) d++;
  assert.equal(d, depth);
  const indexed = parse(`x${'[1]'.repeat(depth)}`);
  assert.equal(indexed.type, 'index');
});

/**
 * Random expressions typed by shape (a number, a 2-vector, a 2x2 matrix), so that each is
 * well-formed: our value against mathjs's evaluate of our mathjs form (which maps the elementwise
 * functions, as mathjs 15 wants).
 */
test('random vector and matrix expressions agree with mathjs evaluate', needsEngine, async () => {
  const math = await loadMathjs();
  type Kind = 'scalar' | 'vector' | 'matrix';
  const digit = fc.integer({ min: -3, max: 3 }).map(String);
  const gen = (kind: Kind, depth: number): fc.Arbitrary<string> => {
    const s = depth === 0 ? digit : gen('scalar', depth - 1);
    const v = depth === 0 ? fc.tuple(digit, digit).map(([a, b]) => `[${a}, ${b}]`) : gen('vector', depth - 1);
    const m =
      depth === 0
        ? fc.tuple(digit, digit, digit, digit).map(([a, b, c, d]) => `[${a}, ${b}; ${c}, ${d}]`)
        : gen('matrix', depth - 1);
    const i = fc.constantFrom('1', '2', 'end');
    const options: Record<Kind, fc.Arbitrary<string>[]> = {
      scalar: [
        digit,
        fc.tuple(v, v).map(([a, b]) => `(${a})*(${b})`),
        fc.tuple(v, i).map(([a, k]) => `(${a})[${k}]`),
        fc.tuple(m, i, i).map(([a, j, k]) => `(${a})[${j}, ${k}]`),
        fc.tuple(s, s).map(([a, b]) => `${a} + ${b}`),
      ],
      vector: [
        fc.tuple(s, s).map(([a, b]) => `[${a}, ${b}]`),
        fc.tuple(m, v).map(([a, b]) => `(${a})*(${b})`),
        fc.tuple(v, m).map(([a, b]) => `(${a})*(${b})`),
        fc.tuple(v, v).map(([a, b]) => `(${a}) .* (${b})`),
        fc.tuple(v, s).map(([a, b]) => `(${a}) - (${b})`),
        fc.tuple(m, i).map(([a, k]) => `(${a})[${k}, :]`),
        fc.tuple(m, i).map(([a, k]) => `(${a})[:, ${k}]`),
        v.map((a) => `(${a})'`),
        v.map((a) => `-(${a})`),
        v.map((a) => `tanh(${a})`),
        fc.constant('(1:2)'),
      ],
      matrix: [
        fc.tuple(v, v).map(([a, b]) => `[${a}, ${b}]`),
        fc.tuple(m, m).map(([a, b]) => `(${a})*(${b})`),
        m.map((a) => `(${a})'`),
        fc.tuple(m, m).map(([a, b]) => `(${a}) .* (${b})`),
        fc.tuple(s, m).map(([a, b]) => `(${a}) * (${b})`),
        m.map((a) => `sin(${a})`),
        m.map((a) => `(${a})[[2, 1], :]`),
      ],
    };
    return fc.oneof(...options[kind]);
  };
  fc.assert(
    fc.property(fc.oneof(gen('scalar', 2), gen('vector', 2), gen('matrix', 2)), (src) => {
      const theirs = math.evaluate(toMathjs(parse(src))) as number | { toArray: () => unknown };
      const want = JSON.parse(JSON.stringify(typeof theirs === 'number' ? theirs : theirs.toArray()));
      const ours = evaluated(src);
      const close = (a: unknown, b: unknown): boolean =>
        Array.isArray(a) && Array.isArray(b)
          ? a.length === b.length && a.every((x, k) => close(x, b[k]))
          : typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
      assert.ok(close(ours, want), `${src}: ours ${JSON.stringify(ours)}, mathjs ${JSON.stringify(want)}`);
    }),
    { seed: 99, numRuns: 300 },
  );
});
