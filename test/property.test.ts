/**
 * Property-based tests (fast-check, seeded): random expression trees over every op, at random
 * points well inside each op's domain. A failure prints the expression and the point.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { grad } from '../src/api/grad.js';
import { agreesNumeric, agreesSymbolic, evaluateAt, numericGradient } from '../src/api/check.js';
import { parse } from '../src/expr/parse.js';
import { print } from '../src/expr/print.js';
import {
  derivative,
  evaluateMathjs,
  evaluateMathjsText,
  fromMathjs,
  loadMathjs,
  simplified,
  SymbolicUnavailable,
  toMathjs,
} from '../src/expr/mathjs.js';
import { OPS } from '../src/engine/registry.js';
import { build } from '../src/expr/build.js';
import type { Node } from '../src/expr/ast.js';
import {
  anyTree,
  BINARY,
  call,
  MATHJS_CANNOT_DIFFERENTIATE,
  mathjsDiffers,
  point,
  realPowersOnly,
  spreadPoint,
  tree,
  UNARY,
  usesUndifferentiable,
  variable,
  wellInside,
} from './helpers/trees.js';

const SEED = 20261127;
const math = await loadMathjs();

/** The tree as the text a user would type, and back: every property starts from text. */
const expression = tree(4).map((t) => print(t));
/** Over every op: comparisons and the conditional too (for the properties that need no derivative oracle). */
const anyExpression = anyTree(4).map((t) => print(t));
const show = (values: ReadonlyMap<string, number>): string => [...values].map(([k, v]) => `${k} = ${v}`).join(', ');

/** mathjs's derivative of root, or undefined when the tree calls an op mathjs cannot differentiate. */
function symbolicDerivative(root: Node, name: string): ReturnType<typeof derivative> | undefined {
  try {
    return derivative(math, root, name);
  } catch (e) {
    if (e instanceof SymbolicUnavailable && usesUndifferentiable(root)) return undefined;
    throw e;
  }
}

/**
 * Autodiff against mathjs's symbolic derivative (1e-10) and the central differences (an
 * estimate within its own error); the numeric estimate only, as --check, where mathjs cannot differentiate an op.
 */
function checkGradients(text: string, values: ReadonlyMap<string, number>): void {
  const root = parse(text);
  const r = grad(root, values);
  for (const [name, autodiff] of Object.entries(r.gradient)) {
    const d = symbolicDerivative(root, name);
    const numeric = numericGradient(root, values, name);
    const where = `d/d${name} of ${text} at ${show(values)}`;
    if (d !== undefined) {
      const symbolic = evaluateMathjs(d, values);
      assert.ok(agreesSymbolic(autodiff, symbolic), `${where}: autodiff ${autodiff}, symbolic ${symbolic}`);
    }
    assert.ok(
      agreesNumeric(autodiff, numeric),
      `${where}: autodiff ${autodiff}, numeric ${numeric.value} ± ${numeric.error}`,
    );
  }
}

test('the ops mathjs cannot differentiate are exactly the ones the tests expect', () => {
  // the smooth ops (the comparisons, steps and the conditional have their own tests)
  const refused = [...OPS.values()]
    .filter((op) => UNARY.includes(op.name) || BINARY.includes(op.name))
    .filter((op) => {
      const root = parse(print(call(op.name, op.arity === 1 ? [variable('x')] : [variable('x'), variable('y')])));
      try {
        derivative(math, root, 'x');
        return false;
      } catch (e) {
        if (e instanceof SymbolicUnavailable) return true;
        throw e;
      }
    })
    .map((op) => op.name);
  const smooth = [...MATHJS_CANNOT_DIFFERENTIATE].filter((name) => UNARY.includes(name) || BINARY.includes(name));
  assert.deepEqual(refused.sort(), smooth.sort());
});

test('every op alone agrees with its symbolic derivative and a central difference', () => {
  for (const op of OPS.values()) {
    // diff(f, x), the comparisons and the conditional: their own tests (no derivative oracle applies)
    if (!UNARY.includes(op.name) && !BINARY.includes(op.name)) continue;
    const text = print(call(op.name, op.arity === 1 ? [variable('x')] : [variable('x'), variable('y')]));
    fc.assert(
      fc.property(spreadPoint, (values) => {
        fc.pre(wellInside(parse(text), values));
        checkGradients(text, values);
      }),
      { seed: SEED, numRuns: 20 },
    );
  }
});

test('random expressions: autodiff agrees with mathjs symbolic (1e-10) and central differences', () => {
  fc.assert(
    fc.property(expression, point, (text, values) => {
      fc.pre(wellInside(parse(text), values));
      checkGradients(text, values);
    }),
    { seed: SEED, numRuns: 300, maxSkipsPerRun: 1000 },
  );
});

test('printing and re-parsing is stable, with ^ or **', () => {
  fc.assert(
    fc.property(anyTree(6), fc.boolean(), (t, stars) => {
      const text = print(t);
      const typed = stars ? text.replaceAll('^', '**') : text;
      assert.equal(print(parse(typed)), text);
      assert.deepEqual(strip(parse(typed)), strip(t));
    }),
    { seed: SEED, numRuns: 500 },
  );
});

test('our evaluation equals mathjs evaluating the same expression, bit for bit', () => {
  fc.assert(
    fc.property(anyExpression, point, (text, values) => {
      const root = parse(text);
      fc.pre(realPowersOnly(root, values) && !mathjsDiffers(root, values, math));
      const ours = evaluateAt(root, values);
      let theirs: number;
      try {
        theirs = evaluateMathjsText(math, toMathjs(root), values);
      } catch (e) {
        // mathjs throws where nthRoot has no real root (n = 0, or x < 0 and n not an odd integer); ours is NaN.
        if (!(e instanceof SymbolicUnavailable)) throw e;
        const refused = build(root, values).steps.some((s) => s.op.name === 'nthRoot' && Number.isNaN(s.output.data));
        assert.ok(refused, `${text} at ${show(values)}: mathjs refused (${e.message}) where no nthRoot is NaN`);
        return;
      }
      assert.ok(
        Object.is(ours, theirs) || (Number.isNaN(ours) && Number.isNaN(theirs)),
        `${text} at ${show(values)}: ours ${ours}, mathjs ${theirs}`,
      );
    }),
    { seed: SEED, numRuns: 300, maxSkipsPerRun: 1000 },
  );
});

test('--symbolic formulas read back into dezero-grad and evaluate to the autodiff gradient', () => {
  fc.assert(
    fc.property(
      tree(3).map((t) => print(t)),
      point,
      (text, values) => {
        const root = parse(text);
        fc.pre(wellInside(root, values) && !usesUndifferentiable(root));
        const r = grad(root, values);
        for (const [name, autodiff] of Object.entries(r.gradient)) {
          const formula = print(fromMathjs(simplified(math, derivative(math, root, name)).node));
          const again = parse(formula);
          // mathjs writes a real root's derivative with a real power of a negative number
          // (cbrt's is 1/(3·x^(2/3))), which our grammar's ^ makes NaN, as documented.
          fc.pre(realPowersOnly(again, values));
          const value = evaluateAt(again, new Map([...values].filter(([k]) => formulaUses(again, k))));
          assert.ok(
            agreesSymbolic(autodiff, value),
            `d/d${name} of ${text} = ${formula} at ${show(values)}: ${value}, autodiff ${autodiff}`,
          );
        }
      },
    ),
    { seed: SEED, numRuns: 150, maxSkipsPerRun: 1000 },
  );
});

test('repeated backward gives bit-identical gradients', () => {
  fc.assert(
    fc.property(anyExpression, point, (text, values) => {
      const first = grad(text, values).gradient;
      const second = grad(text, values).gradient;
      for (const k of Object.keys(first))
        assert.ok(Object.is(first[k], second[k]), `${text}: ${first[k]} then ${second[k]}`);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

/** The tree without positions and literal spellings, for comparing trees. */
function strip(node: Node): unknown {
  switch (node.type) {
    case 'number':
      return { n: node.value };
    case 'constant':
      return { c: node.name };
    case 'variable':
      return { v: node.name };
    case 'call':
      return { op: node.op, args: node.args.map(strip) };
  }
}

function formulaUses(root: Node, name: string): boolean {
  if (root.type === 'variable') return root.name === name;
  return root.type === 'call' && root.args.some((a) => formulaUses(a, name));
}

test('matrix syntax: printing reads back as the same tree, and mathjs reads the mathjs form as it', async () => {
  const math = await loadMathjs();
  const { sexpr, mathjsSexpr } = await import('./helpers/sexpr.js');
  const { matrixTree } = await import('./helpers/trees.js');
  const { ExprError } = await import('../src/expr/errors.js');
  let checked = 0;
  fc.assert(
    fc.property(matrixTree(3), (root) => {
      const text = print(root);
      let back: Node;
      try {
        back = parse(text);
      } catch (e) {
        // a random literal may be ragged ([[1, 2], 3]): refused when read, as it should be
        if (e instanceof ExprError && /^ragged matrix/.test(e.message)) return;
        throw e;
      }
      assert.equal(sexpr(back), sexpr(root), `printed as ${text}`);
      assert.equal(print(back), text);
      let form: string;
      try {
        form = toMathjs(root);
      } catch (e) {
        if (e instanceof SymbolicUnavailable) return;
        throw e;
      }
      assert.equal(
        mathjsSexpr(math.parse(form)).replace(/\bv_/g, ''),
        sexpr(root),
        `${text} in mathjs's form: ${form}`,
      );
      checked++;
    }),
    { seed: 16, numRuns: 800 },
  );
  assert.ok(checked > 400, `only ${checked} trees reached the mathjs comparison`);
});
