/**
 * The parser's compact form (src/expr/postfix.ts): the tree made from it is the tree the parser
 * made before it wrote that form (test/helpers/tree-parse.ts, the old parser kept as the oracle),
 * with the same spans, and every input the old parser refused is refused with the same message,
 * position and hint; the tape fed from the compact form gives the same bits as the Variables.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { differentiateOnTape } from '../src/api/differentiate-tape.js';
import { differentiate } from '../src/api/differentiate.js';
import { grad } from '../src/api/grad.js';
import type { Node } from '../src/expr/ast.js';
import { build, variableNames } from '../src/expr/build.js';
import { buildTape } from '../src/expr/build-tape.js';
import { ExprError } from '../src/expr/errors.js';
import { parse, parsePostfix } from '../src/expr/parse.js';
import { fromTree, P_SHARED, toTree } from '../src/expr/postfix.js';
import { print } from '../src/expr/print.js';
import { fuzzInput } from './helpers/fuzz.js';
import { anyTree, call, matrixTree, point, spreadPoint, tree } from './helpers/trees.js';
import { treeParse } from './helpers/tree-parse.js';

/** The tree as JSON (key order included), or the error as the user sees it. */
function reading(read: (s: string) => Node, text: string): string {
  try {
    return JSON.stringify(read(text));
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    return `error ${JSON.stringify([e.message, e.index, e.hint, e.input === text])}`;
  }
}

const sameReading = (text: string): void => {
  assert.equal(reading(parse, text), reading(treeParse, text), `input: ${JSON.stringify(text)}`);
};

/** Forms with their own paths through the parser: log's two arguments, matrices, indexing, ranges, errors. */
const CASES = [
  'log(x, 2)',
  'log((x), (2 + y))',
  '(log(x, y))',
  'log(log(x, 2), log(y, 3))',
  'log(x, 2, 3)',
  'log(x, )',
  'log(x)',
  '[1, 2; 3, 4]',
  '[[1, 2], [3, 4]]',
  '[[1, 2], [3]]',
  '[1, 2; 3]',
  '[[1, 2]; [3, 4]]',
  '[x, [1, 2]]',
  '[pi, e; 1, 2]',
  'x[2, :]',
  'x[2:end]',
  'x[:3]',
  'x[2:]',
  "x'",
  "-x'^2",
  'x[end - 1]',
  'end',
  'x ? 1:3 : 4',
  'a ? b : c ? d : e',
  'a ? b ? c : d : e',
  'a < b < c',
  '2x + 3(x + 1)',
  '1/2x',
  '2^3x',
  '2 mod 3',
  'x mod y',
  '2 mod(7)',
  '+-+x',
  '((((x))))',
  '(x',
  'x)',
  '[x',
  'sin()',
  'diff(sin(x), x)',
  'diff(sin(x), 2)',
  'diff(sin(x), pi)',
  'x .* y ./ z .^ 2',
  'hypot(x, y, 2, 3)',
  'leaky_relu(x)',
  'sin x',
  'foo(x)',
  'pi(2)',
  '1 2',
  '',
  '   ',
  '2.*x',
  'x[1][2]',
  '[1, 2][1]',
  '1:2:3:4',
  '1:3',
];

test('the compact form gives the old parser’s tree, spans and errors, on the forms with paths of their own', () => {
  for (const text of CASES) sameReading(text);
});

test('the compact form gives the old parser’s tree, spans and errors, on random and mutated input', () => {
  fc.assert(fc.property(fuzzInput, sameReading), { numRuns: 1500 });
  fc.assert(
    fc.property(anyTree(5), (t) => sameReading(print(t))),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(matrixTree(3), (t) => sameReading(print(t))),
    { numRuns: 500 },
  );
});

test('a deep chain: one entry a node, and the same tree as the old parser', () => {
  const chain = (n: number): string => `${'sin('.repeat(n)}x${')'.repeat(n)}`;
  assert.equal(parsePostfix(chain(200_000)).length, 200_001);
  // (deepEqual recurses: a chain it can compare)
  assert.deepEqual(toTree(parsePostfix(chain(300))), treeParse(chain(300)));
});

test('a tree written into the compact form and read back is the same tree, shared subtrees still shared', () => {
  fc.assert(
    fc.property(fc.oneof(anyTree(4), matrixTree(3)), (t) => {
      assert.deepEqual(toTree(fromTree(t)), t);
    }),
    { numRuns: 300 },
  );
  const s = call('sin', [call('add', [parse('x'), parse('y')])]);
  const shared = call('mul', [s, call('cos', [s])]);
  const p = fromTree(shared);
  assert.equal(p.kind.subarray(0, p.length).filter((k) => k === P_SHARED).length, 1);
  const back = toTree(p) as Node & { type: 'call' };
  assert.equal(back.args[0], (back.args[1] as Node & { type: 'call' }).args[0], 'one object for both uses');
  assert.deepEqual(back, shared);
});

test('the compact form names the same variables, in the same order, as the tree', () => {
  fc.assert(
    fc.property(fuzzInput, (text) => {
      let p: ReturnType<typeof parsePostfix>;
      try {
        p = parsePostfix(text);
      } catch {
        return;
      }
      assert.deepEqual(variableNames(p), variableNames(parse(text)));
    }),
    { numRuns: 800 },
  );
});

/** Both paths at `values`: '' when every number agrees bit for bit (Object.is), else what differs. */
function disagreement(text: string, values: ReadonlyMap<string, number>): string {
  const p = parsePostfix(text);
  const root = parse(text);
  const taped = differentiateOnTape(p, values)?.result;
  if (taped === undefined) return 'the tape refused the expression';
  const result = differentiate(build(root, values, text), { trace: false });
  if (!Object.is(taped.value, result.value)) return `value ${taped.value} vs ${result.value}`;
  if (taped.trace.output !== result.trace.output) return `output ${taped.trace.output} vs ${result.trace.output}`;
  const names = Object.keys(result.gradient);
  if (Object.keys(taped.gradient).join() !== names.join()) return `variables ${Object.keys(taped.gradient)}`;
  for (const name of names)
    if (!Object.is(taped.gradient[name], result.gradient[name]))
      return `d/d${name} ${taped.gradient[name]} vs ${result.gradient[name]}`;
  // The tape from the compact form is the tape from the tree, slot for slot.
  const a = buildTape(p, values)!.tape;
  const b = buildTape(root, values)!.tape;
  if (a.size !== b.size) return `${a.size} slots vs ${b.size}`;
  for (let s = 0; s < a.size; s++)
    if (a.code[s] !== b.code[s] || !Object.is(a.value[s], b.value[s])) return `slot ${s} differs`;
  return '';
}

test('the tape fed from the compact form agrees bit for bit with the Variables on random expressions', () => {
  const check = (t: Node, values: ReadonlyMap<string, number>): void => {
    const text = print(t);
    const why = disagreement(text, values);
    assert.equal(why, '', `${text}: ${why}`);
  };
  fc.assert(fc.property(anyTree(5), point, check), { numRuns: 600 });
  fc.assert(fc.property(anyTree(5), spreadPoint, check), { numRuns: 400 });
  fc.assert(fc.property(tree(4), spreadPoint, check), { numRuns: 300 });
  // log(x, base), written as mathjs writes it, is log(x) / log(base) on both.
  for (const text of ['log(x, 2)', 'log(x*y, y+3) + log(2, x)', 'log(log(x, 2) + 3, y + 4)'])
    assert.equal(
      disagreement(
        text,
        new Map([
          ['x', 0.7],
          ['y', 1.3],
        ]),
      ),
      '',
      text,
    );
});

test('grad() at one point from text: the compact form’s numbers, the tree and trace when read', () => {
  const text = 'sin(x) * log(x, y) + x^2';
  const r = grad(text, { x: 0.5, y: 3 });
  const root = parse(text);
  const full = differentiate(
    build(
      root,
      new Map([
        ['x', 0.5],
        ['y', 3],
      ]),
      text,
    ),
  );
  assert.ok(Object.is(r.value, full.value));
  assert.ok(Object.is(r.gradient.x, full.gradient.x) && Object.is(r.gradient.y, full.gradient.y));
  assert.deepEqual(r.trace, full.trace);
  // A missing value is the Variables' error, with its position.
  assert.throws(() => grad('x + y', { x: 1 }), { name: 'MissingValueError' });
});
