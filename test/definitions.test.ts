/**
 * The op definitions are whole: every field each op needs, a backward that can be traced (and so
 * printed and compiled), and a traced backward that is the backward the engine runs, bit for bit,
 * at every point (it would not be if the backward read `.data`). The rules the trace prints are
 * derived from the definitions; the table here pins what a learner reads.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALL_OPS, OPS, Variable, backwardTerms, grad, type OpSpec, type Term } from '../src/index.js';
import { evaluateTerm } from '../src/engine/op.js';
import { NUM } from '../src/engine/primitives.js';
import { random } from './helpers/random.js';

/** Every pattern of which inputs need a gradient, for an op of `arity` inputs. */
function patterns(arity: number): boolean[][] {
  return Array.from({ length: 2 ** arity }, (_, m) => Array.from({ length: arity }, (_, i) => ((m >> i) & 1) === 1));
}

/** How many inputs the op's Function takes (diff's Function takes the gradient only). */
const inputsOf = (op: OpSpec): number => (op.name === 'diff' ? 1 : op.arity);

function opsIn(t: Term, into: Set<OpSpec>): Set<OpSpec> {
  if (t.kind === 'apply') {
    into.add(t.op);
    for (const a of t.args) opsIn(a, into);
  }
  return into;
}

describe('every op definition is complete', () => {
  for (const op of ALL_OPS) {
    test(op.name, () => {
      assert.match(op.name, /^[a-z][a-zA-Z0-9_]*$/); // mathjs's names: nthRoot
      assert.match(op.label, /^[A-Z][A-Za-z0-9]*$/);
      assert.ok(op.description.length > 0, 'a help line');
      // mathjs's form uses every argument; null only where mathjs has no such function
      for (let i = 0; i < op.arity; i++)
        assert.ok(
          op.mathjs === null || op.mathjs.includes(`{${i}}`) || op.mathjs.includes('{...}'),
          `the mathjs form ${op.mathjs} uses argument ${i}`,
        );
      if (op.internal) assert.equal(op.callable, false, 'an internal op is not callable');
      else if (op.symbol === undefined) assert.equal(op.callable, true, 'a function without a symbol is callable');
      if (op.kink !== undefined)
        for (const k of ['at', 'left', 'right', 'convention'] as const) assert.equal(typeof op.kink[k], 'number');
      assert.ok(op.minArity >= 1 && op.minArity <= op.arity, 'takes from minArity to arity arguments');
      for (const d of op.defaults ?? []) assert.equal(typeof d, 'number', 'a default is a number');
      // The ops on whole values run their backward on tensors only: test/tensor-ops.test.ts.
      if (op.array !== undefined && !op.fusible) return;
      for (const needs of patterns(inputsOf(op))) {
        const terms = backwardTerms(op, needs);
        assert.equal(terms.length, needs.length);
        terms.forEach((t, i) => {
          if (!needs[i]) assert.equal(t, null, `no gradient for input ${i}, which needs none`);
          if (t !== null)
            for (const used of opsIn(t, new Set())) assert.ok(ALL_OPS.includes(used), `${used.name} is a defined op`);
        });
      }
    });
  }
  test('names are unique, and OPS holds exactly the ones expressions may use', () => {
    assert.equal(new Set(ALL_OPS.map((op) => op.name)).size, ALL_OPS.length);
    assert.deepEqual(
      [...OPS.values()],
      ALL_OPS.filter((op) => !op.internal),
    );
  });
});

describe('the traced backward is the backward the engine runs, bit for bit, at every point', () => {
  const rnd = random(5);
  const specials = [0, -0, 1, -1, 2, 0.5, 3, -3, Infinity, NaN, 1e-300];
  const sample = (): number =>
    rnd() < 0.3 ? specials[Math.floor(rnd() * specials.length)] : (rnd() * 8 - 4) * 2 ** Math.floor(rnd() * 6 - 3);
  for (const op of ALL_OPS) {
    if (!op.fusible) continue; // diff's Function is the identity on a gradient graph: its own tests
    test(op.name, () => {
      for (const needs of patterns(op.arity)) {
        for (let k = 0; k < 200; k++) {
          const xs = needs.map((need) => new Variable(sample(), null, need));
          if (!xs.some((x) => x.requiresGrad)) continue;
          const y = op.fn(...xs);
          const gy = new Variable(sample(), null, false);
          const gxs = y.creator!.backward(gy);
          const terms = backwardTerms(op, needs);
          // The routes close an input at some points (the conditional's branch not taken).
          const open = op.routes?.(NUM, ...xs.map((x) => x.data)) ?? xs.map(() => 1);
          terms.forEach((t, i) => {
            const engine = gxs[i];
            if (!open[i]) return assert.equal(engine, null, `${op.name}: route ${i} is closed, so no gradient`);
            if (t === null) return assert.ok(engine === null || !needs[i], `${op.name}: input ${i}`);
            const traced = evaluateTerm(t, (leaf) =>
              leaf.kind === 'input'
                ? (xs[leaf.index].data as number)
                : leaf.kind === 'output'
                  ? (y.data as number)
                  : (gy.data as number),
            );
            const where = `${op.name}(${xs.map((x) => x.data).join(', ')}) with gy = ${gy.data}, input ${i}`;
            assert.ok(
              engine !== null && Object.is(engine.data, traced),
              `${where}: engine ${engine?.data}, traced ${traced}`,
            );
          });
        }
      }
    });
  }
});

test("the rules the trace prints, derived from each op's backward", () => {
  // [expression, values, the rule of each backward step in the order the trace prints them]
  const cases: [string, Record<string, number>, string[]][] = [
    ['x + y', { x: 1, y: 2 }, ['gy', 'gy']],
    ['x - y', { x: 1, y: 2 }, ['gy', '-gy']],
    ['x * y', { x: 1, y: 2 }, ['gy·y', 'gy·x']],
    ['x / y', { x: 1, y: 2 }, ['gy/y', 'gy·(-x/y²)']],
    ['x ^ y', { x: 2, y: 3 }, ['y·x^(y-1)·gy', 'x^y·log(x)·gy']],
    ['x ^ y', { x: 0, y: 2 }, ['y·x^(y-1)·gy', 'x^y·log(1)·gy']],
    ['x ^ 0', { x: 2 }, ['0·x^(1-1)·gy']],
    ['x ^ 3', { x: 2 }, ['3·x^(3-1)·gy']],
    ['-x', { x: 1 }, ['-gy']],
    ['square(x)', { x: 1 }, ['2·x·gy']],
    ['sqrt(x)', { x: 1 }, ['gy/(2·max(sqrt(x), 0))']],
    ['exp(x)', { x: 1 }, ['exp(x)·gy']],
    ['log(x)', { x: 1 }, ['gy/x']],
    ['sin(x)', { x: 1 }, ['cos(x)·gy']],
    ['cos(x)', { x: 1 }, ['-sin(x)·gy']],
    ['tan(x)', { x: 1 }, ['(1+tan(x)²)·gy']],
    ['asin(x)', { x: 0.5 }, ['gy/sqrt(1-x²)']],
    ['acos(x)', { x: 0.5 }, ['-gy/sqrt(1-x²)']],
    ['atan(x)', { x: 1 }, ['gy/(1+x²)']],
    ['sec(x)', { x: 1 }, ['sec(x)·gy·tan(x)']],
    ['gamma(x)', { x: 0.7 }, ['gamma(x)·digamma(x)·gy']],
    ['lgamma(x)', { x: 0.7 }, ['digamma(x)·gy']],
    ['digamma(x)', { x: 0.7 }, ['polygamma(1, x)·gy']],
    ['erf(x)', { x: 0.7 }, [`${2 / Math.sqrt(Math.PI)}·exp(-x²)·gy`]],
    ['tanh(x)', { x: 1 }, ['(1-tanh(x)²)·gy']],
    ['sinh(x)', { x: 1 }, ['cosh(x)·gy']],
    ['cosh(x)', { x: 1 }, ['sinh(x)·gy']],
    ['sigmoid(x)', { x: 1 }, ['sigmoid(x)·gy·(1-sigmoid(x))']],
    ['relu(x)', { x: 1 }, ['(x>0)·gy']],
    ['abs(x)', { x: 1 }, ['sign(x)·gy']],
    ['cube(x)', { x: 2 }, ['3·x²·gy']],
    ['cbrt(x)', { x: 2 }, ['gy/(3·cbrt(x)²)']],
    ['nthRoot(x, y)', { x: 2, y: 3 }, ['gy/(y·nthRoot(x, y)^(y-1))', '-nthRoot(x, y)·log(abs(x))·gy/y²']],
    ['nthRoot(x, 3)', { x: 0 }, ['gy/(3·nthRoot(x, 3)^(3-1))']],
    ['nthRoot(0, y)', { y: 3 }, ['-nthRoot(0, y)·log(1)·gy/y²']],
    ['log10(x)', { x: 2 }, ['gy/(x·log(10))']],
    ['log2(x)', { x: 2 }, ['gy/(x·log(2))']],
    ['log1p(x)', { x: 2 }, ['gy/(1+x)']],
    ['expm1(x)', { x: 2 }, ['exp(x)·gy']],
    ['csc(x)', { x: 1 }, ['-csc(x)·gy·cot(x)']],
    ['cot(x)', { x: 1 }, ['-(1+cot(x)²)·gy']],
    ['asec(x)', { x: 2 }, ['gy/(abs(x)·sqrt(x²-1))']],
    ['acsc(x)', { x: 2 }, ['-gy/(abs(x)·sqrt(x²-1))']],
    ['acot(x)', { x: 2 }, ['-gy/(1+x²)']],
    ['atan2(y, x)', { y: 1, x: 2 }, ['gy·(x/(y²+x²))', 'gy·(-y/(y²+x²))']],
    ['sech(x)', { x: 1 }, ['-sech(x)·gy·tanh(x)']],
    ['csch(x)', { x: 1 }, ['-csch(x)·gy·coth(x)']],
    ['coth(x)', { x: 1 }, ['(1-coth(x)²)·gy']],
    ['asinh(x)', { x: 1 }, ['gy/sqrt(x²+1)']],
    ['acosh(x)', { x: 2 }, ['gy/sqrt(x²-1)']],
    ['atanh(x)', { x: 0.5 }, ['gy/(1-x²)']],
    ['asech(x)', { x: 0.5 }, ['-gy/(x·sqrt(1-x²))']],
    ['acsch(x)', { x: 1 }, ['-gy/(abs(x)·sqrt(1+x²))']],
    ['acoth(x)', { x: 2 }, ['gy/(1-x²)']],
    // floor, ceil, round and fix send no gradient: no backward step to print
    ['floor(x) + x', { x: 1.5 }, ['gy', 'gy']],
    ['mod(x, y)', { x: 5, y: 3 }, ['gy', '-floor(x/y)·gy']],
    ['mod(x, y)', { x: 5, y: 0 }, ['gy', '0']],
    ['softplus(x)', { x: 1 }, ['sigmoid(x)·gy']],
    ['softplus(x)', { x: 30 }, ['gy·1']],
    ['silu(x)', { x: 1 }, ['sigmoid(x)·gy·(1+x·(1-sigmoid(x)))']],
    ['leaky_relu(x)', { x: 1 }, ['gy·1']],
    ['leaky_relu(x)', { x: -1 }, ['gy·0.2']],
    ['leaky_relu(x, y)', { x: -1, y: 0.1 }, ['gy·y', 'gy·x']],
  ];
  for (const [expression, values, rules] of cases) {
    const got = grad(expression, values).trace.backward.map((r) => r.rule);
    assert.deepEqual(got, rules, expression);
  }
});
