/**
 * Every expression our parser accepts means what mathjs's `parse` makes of it: random expression
 * strings (operators mixed without parentheses, unary chains, implicit multiplication, `**`) are
 * read by both, compared as trees, and evaluated by both at random points.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CALLABLE, ExprError, grad, parse } from '../src/index.js';
import { mathjsSexpr, sexpr } from './helpers/sexpr.js';
import { mathjsDiffers, SPECIAL } from './helpers/trees.js';

const VARS = ['x', 'y', 'z1', 'pi', 'e'];
// The generator writes one-argument calls: every function that takes one (leaky_relu's slope may be
// left out); diff(f, x) takes two and is tested in higher.test.ts.
// The special functions have no mathjs oracle (see SPECIAL in helpers/trees.ts).
// nthRoot(x) alone: mathjs throws where there is no real root (we give NaN; test/functions.test.ts)
// The ops on whole values (sum, transpose, ...) take tensors: test/tensor-ops.test.ts.
const FUNCS = CALLABLE.filter(
  (op) => op.minArity === 1 && !SPECIAL.has(op.name) && op.name !== 'nthRoot' && op.array === undefined,
).map((op) => op.name);

/** Random expression text from a grammar rich in precedence and associativity traps. */
function grammar(operators: readonly string[], conditional: boolean): fc.Arbitrary<string> {
  return fc.letrec((tie) => ({
    number: fc.oneof(fc.integer({ min: 0, max: 20 }).map(String), fc.constantFrom('0.5', '.25', '2.', '1e-3', '1.5e2')),
    atom: fc.oneof(
      { weight: 4, arbitrary: tie('number') as fc.Arbitrary<string> },
      { weight: 4, arbitrary: fc.constantFrom(...VARS) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom(...FUNCS), tie('expr') as fc.Arbitrary<string>)
          .map(([f, a]) => `${f}(${a})`),
      },
      { weight: 2, arbitrary: (tie('expr') as fc.Arbitrary<string>).map((a) => `(${a})`) },
      // implicit multiplication: a number directly followed by a name or a group
      {
        weight: 1,
        arbitrary: fc
          .tuple(tie('number') as fc.Arbitrary<string>, fc.constantFrom(...VARS, 'sin(x)', '(x+1)', ' y'))
          .map(([n, v]) => `${n}${v}`),
      },
    ),
    unary: fc
      .tuple(fc.array(fc.constantFrom('-', '+', '- '), { maxLength: 2 }), tie('atom') as fc.Arbitrary<string>)
      .map(([signs, a]) => signs.join('') + a),
    expr: fc
      .tuple(
        tie('unary') as fc.Arbitrary<string>,
        fc.array(fc.tuple(fc.constantFrom(...operators), tie('unary') as fc.Arbitrary<string>), { maxLength: 4 }),
      )
      .map(([first, rest]) => first + rest.map(([op, u]) => op + u).join('')),
    // one comparison at most (a chain is refused), a conditional nested in its last branch only
    compare: fc
      .tuple(
        tie('expr') as fc.Arbitrary<string>,
        fc.constantFrom(' < ', '>', ' <= ', '>=', ' == ', ' != '),
        tie('expr') as fc.Arbitrary<string>,
      )
      .map(([a, op, b]) => a + op + b),
    top: conditional
      ? fc.oneof(
          { weight: 3, arbitrary: tie('expr') as fc.Arbitrary<string> },
          { weight: 1, arbitrary: tie('compare') as fc.Arbitrary<string> },
          {
            weight: 1,
            arbitrary: fc
              .tuple(
                tie('compare') as fc.Arbitrary<string>,
                tie('expr') as fc.Arbitrary<string>,
                tie('top') as fc.Arbitrary<string>,
              )
              .map(([c, a, b]) => `${c} ? ${a} : ${b}`),
          },
        )
      : (tie('expr') as fc.Arbitrary<string>),
  })).top as fc.Arbitrary<string>;
}

const ARITHMETIC = [' + ', '-', ' * ', '/', '^', '**', ' ^ '];
const exprText = grammar(ARITHMETIC, false);
/** The same with mathjs's modulo, comparisons and conditional: for the parse-tree agreement. */
const fullText = grammar([...ARITHMETIC, ' % '], true);

test('our parse tree equals mathjs parse tree on every expression we accept', async () => {
  const math = await import('mathjs');
  let accepted = 0;
  let total = 0;
  fc.assert(
    fc.property(fullText, (src) => {
      total++;
      let ours: string;
      try {
        ours = sexpr(parse(src));
      } catch (e) {
        if (e instanceof ExprError) return; // rejected forms (e.g. 1/2x) are tested elsewhere
        throw e;
      }
      accepted++;
      const theirs = mathjsSexpr(math.parse(src.replaceAll('**', '^')));
      assert.equal(ours, theirs, `expression: ${src}`);
    }),
    { seed: 20261127, numRuns: 1500, maxSkipsPerRun: 100 },
  );
  // The generator must mostly produce accepted expressions, or the test would prove little. (A
  // comparison or a conditional holds two or three expressions, each of which may use an implicit
  // product we refuse, so fewer pass than with arithmetic alone.)
  assert.ok(accepted > 0.6 * total, `only ${accepted} of ${total} generated expressions were accepted`);
});

test('our value equals mathjs evaluate at random points', async () => {
  const { create, all } = await import('mathjs');
  // predictable: NaN instead of complex numbers, as our engine does (sqrt(-1), log(-1), (-8)^(1/3)).
  const math = create(all, { predictable: true });
  math.import(
    {
      sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
      relu: (x: number) => Math.max(0, x),
      // PyTorch's and DeZero's functions, which mathjs lacks, as they define them
      softplus: (x: number) => (x > 20 ? x : Math.log1p(Math.exp(x))),
      silu: (x: number) => x / (1 + Math.exp(-x)),
      leaky_relu: (x: number, slope = 0.2) => (x > 0 ? x : x * slope),
      // JavaScript's Math.pow, except where the domain rule says NaN and Math.pow does not: (-Infinity)^0.5
      // (mathjs's own pow gives NaN there too).
      jspow: (x: number, y: number) => (x === -Infinity && Math.floor(y) !== y ? NaN : Math.pow(x, y)),
    },
    { override: true },
  );
  fc.assert(
    fc.property(
      exprText,
      fc.double({ min: -3, max: 3, noNaN: true }),
      fc.double({ min: -3, max: 3, noNaN: true }),
      fc.double({ min: 0.1, max: 3, noNaN: true }),
      (src, x, y, z1) => {
        let ours: number;
        try {
          ours = grad(src, { x, y, z1 }).value;
        } catch (e) {
          if (e instanceof ExprError) return;
          throw e;
        }
        // mathjs's own tree, with its `^` evaluated as JavaScript's Math.pow: mathjs takes odd roots
        // of negative numbers ((-8)^(1/3) = -2) where we give NaN, a documented difference.
        const jsPow = (node: any): any => {
          const mapped = node.map((child: any) => jsPow(child));
          return mapped.type === 'OperatorNode' && (mapped.fn === 'pow' || mapped.fn === 'dotPow')
            ? new math.FunctionNode('jspow', mapped.args)
            : mapped;
        };
        const tree = jsPow(math.parse(src.replaceAll('**', '^')));
        const theirs = tree.evaluate({ x, y, z1 });
        if (typeof theirs !== 'number') return; // mathjs returned a non-number (e.g. a complex); nothing to compare
        // where mathjs computes a step otherwise than we do (see mathjsDiffers)
        if (
          mathjsDiffers(
            parse(src),
            new Map([
              ['x', x],
              ['y', y],
              ['z1', z1],
            ]),
            math,
          )
        )
          return;
        if (Number.isNaN(ours) || Number.isNaN(theirs)) {
          assert.equal(
            Number.isNaN(ours),
            Number.isNaN(theirs),
            `NaN mismatch for ${src} at x=${x}, y=${y}, z1=${z1}: ours ${ours}, mathjs ${theirs}`,
          );
          return;
        }
        const tol = 1e-9 * Math.max(1, Math.abs(theirs));
        assert.ok(
          Object.is(ours, theirs) || Math.abs(ours - theirs) <= tol,
          `${src} at x=${x}, y=${y}, z1=${z1}: ours ${ours}, mathjs ${theirs}`,
        );
      },
    ),
    { seed: 42, numRuns: 1000 },
  );
});

/**
 * The matrix syntax (issue 16): literals with `,` and `;`, indexing with `:`, `end` and ranges,
 * postfix `'`, `.*` `./` `.^`, and ranges where a conditional may take the `:`.
 */
function matrixGrammar(): fc.Arbitrary<string> {
  const names = fc.constantFrom('x', 'W', 'v', 'pi');
  return fc.letrec((tie) => {
    const expr = tie('expr') as fc.Arbitrary<string>;
    const entry = fc.oneof(
      { weight: 3, arbitrary: expr },
      { weight: 1, arbitrary: fc.constant(':') },
      { weight: 1, arbitrary: fc.constantFrom('end', 'end - 1', '2:end', '1:2:end', ':2', '2:', '[1, 2]') },
      { weight: 1, arbitrary: fc.tuple(expr, expr).map(([a, b]) => `${a}:${b}`) },
    );
    return {
      atom: fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 0, max: 9 }).map(String) },
        { weight: 3, arbitrary: names },
        { weight: 2, arbitrary: fc.array(expr, { minLength: 1, maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
            .chain(([r, c]) => fc.array(fc.array(expr, { minLength: c, maxLength: c }), { minLength: r, maxLength: r }))
            .map((rows) => `[${rows.map((r) => r.join(', ')).join('; ')}]`),
        },
        {
          weight: 2,
          arbitrary: fc
            .tuple(names, fc.array(entry, { minLength: 1, maxLength: 2 }))
            .map(([n, es]) => `${n}[${es.join(', ')}]`),
        },
        { weight: 1, arbitrary: expr.map((a) => `(${a})`) },
        { weight: 1, arbitrary: expr.map((a) => `sin(${a})`) },
        { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 9 }), names).map(([n, v]) => `${n}${v}`) },
      ),
      postfix: fc
        .tuple(tie('atom') as fc.Arbitrary<string>, fc.constantFrom('', '', "'", "''", '[1]'))
        .map(([a, p]) => (p === '[1]' && /^\d/.test(a) ? a : a + p)),
      unary: fc
        .tuple(fc.constantFrom('', '', '-', '- '), tie('postfix') as fc.Arbitrary<string>)
        .map(([s, a]) => s + a),
      expr: fc
        .tuple(
          tie('unary') as fc.Arbitrary<string>,
          fc.array(
            fc.tuple(
              fc.constantFrom(' + ', '-', '*', ' / ', '^', ' .* ', './', '.^', ' < ', ':', ' : '),
              tie('unary') as fc.Arbitrary<string>,
            ),
            { maxLength: 3 },
          ),
        )
        .map(([first, rest]) => first + rest.map(([op, u]) => op + u).join('')),
      top: fc.oneof(
        { weight: 3, arbitrary: expr },
        {
          weight: 1,
          arbitrary: fc.tuple(expr, expr, expr).map(([c, a, b]) => `${c} ? ${a} : ${b}`),
        },
      ),
    };
  }).top as fc.Arbitrary<string>;
}

test('matrix syntax: our parse tree equals mathjs parse tree, and both read our printed forms back', async () => {
  const math = await import('mathjs');
  const { print } = await import('../src/expr/print.js');
  const { toMathjs, SymbolicUnavailable } = await import('../src/expr/mathjs.js');
  const reading = (src: string): string => mathjsSexpr(math.parse(src)).replace(/\bv_/g, '');
  let accepted = 0;
  let total = 0;
  fc.assert(
    fc.property(matrixGrammar(), (src) => {
      total++;
      let tree: ReturnType<typeof parse>;
      try {
        tree = parse(src);
      } catch (e) {
        if (e instanceof ExprError) return; // refused forms are tested in tensor-syntax.test.ts
        throw e;
      }
      accepted++;
      const ours = sexpr(tree);
      assert.equal(ours, reading(src), `expression: ${src}`);
      const printed = print(tree);
      assert.equal(sexpr(parse(printed)), ours, `${src} printed as ${printed}`);
      let form: string;
      try {
        form = toMathjs(tree);
      } catch (e) {
        if (e instanceof SymbolicUnavailable) return;
        throw e;
      }
      assert.equal(reading(form), ours, `${src} in mathjs's form: ${form}`);
    }),
    { seed: 20261202, numRuns: 1500, maxSkipsPerRun: 100 },
  );
  assert.ok(accepted > 0.5 * total, `only ${accepted} of ${total} generated expressions were accepted`);
});
