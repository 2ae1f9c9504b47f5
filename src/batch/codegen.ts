/**
 * The primitives as code (CODE): the same algebra as the engine's NUM (src/engine/primitives.ts),
 * producing the JavaScript text that computes the same bits: operators and `Math` written out,
 * the others (CALLED_PRIMS) as calls of NUM's own functions, which the kernel receives as `F`. Ops' forwards and backward terms are
 * written out through it, so the fused kernel never holds a second copy of any op.
 *
 * While writing it also folds what is known before the loop (a primitive of constants is computed
 * now, with NUM, and passed in K), picks the branch of a `where` whose condition is known, reuses a
 * value the forward pass already computed (the same text), and writes x^2 as x*x and x^1 as x
 * (V8's Math.pow(x, 2) is exactly x*x; test/primitives.test.ts checks it). None of that changes a
 * bit of the result.
 */
import { CALLED_PRIMS, MATH_PRIMS, NUM, mathjsRound, type Arg, type Prims } from '../engine/primitives.js';

/** mathjs's round as code: its own function's text, called in place (it is self-contained). */
const MATHJS_ROUND = `(${mathjsRound.toString()})`;

/** A piece of code, and its value when it is known before the loop. */
export interface Code {
  readonly text: string;
  readonly value?: number;
}

/** A number of our own (from an op's definition) as a JavaScript literal; -0 keeps its sign. */
export function literalText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (Object.is(v, -0)) return '(-0)';
  return v < 0 ? `(${String(v)})` : String(v);
}

export interface CodeAlgebra {
  readonly prims: Prims<Code>;
  /** A number written in a definition (`2` in `2·x·gy`). */
  literal(v: number): Code;
  /** A name holding a number known before the loop. */
  constant(text: string, value: number): Code;
  /** A name holding a value of the loop. */
  name(text: string): Code;
  /** Gives `code` a name (emitting `const name = text`), remembered so later code reuses it. */
  bind(code: Code, name: string, emit: (text: string) => void): Code;
  /** The values folded so far, named k0, k1, ... in order. */
  readonly folded: number[];
}

export function codeAlgebra(options: { fold?: boolean } = {}): CodeAlgebra {
  const fold = options.fold ?? true;
  const folded: number[] = [];
  const known = new Map<string, Code>();
  const wrap = (a: Arg<Code>): Code => (typeof a === 'number' ? literal(a) : a);
  const literal = (v: number): Code => ({ text: literalText(v), value: v });

  /** One primitive: folded when every operand is known, else its text (or the name that holds it). */
  const prim =
    (key: keyof Prims<number>, text: (...xs: string[]) => string) =>
    (...args: Arg<Code>[]): Code => {
      const xs = args.map(wrap);
      if (fold && xs.every((x) => x.value !== undefined)) {
        const value = (NUM[key] as (...v: number[]) => number)(...xs.map((x) => x.value!));
        folded.push(value);
        return { text: `k${folded.length - 1}`, value };
      }
      const t = text(...xs.map((x) => x.text));
      return known.get(t) ?? { text: t };
    };

  const math = Object.fromEntries(
    MATH_PRIMS.map((name) => [name, prim(name, (...xs) => `Math.${name}(${xs.join(', ')})`)]),
  );
  const mathPow = math.pow as Prims<Code>['pow'];
  const called = Object.fromEntries(
    CALLED_PRIMS.map((name) => [name, prim(name, (...xs) => `F.${name}(${xs.join(', ')})`)]),
  );
  const prims: Prims<Code> = {
    ...(math as Pick<Prims<Code>, (typeof MATH_PRIMS)[number]>),
    ...(called as Pick<Prims<Code>, (typeof CALLED_PRIMS)[number]>),
    not: prim('not', (c) => `(${c} ? 0 : 1)`),
    add: prim('add', (a, b) => `(${a} + ${b})`),
    sub: prim('sub', (a, b) => `(${a} - ${b})`),
    mul: prim('mul', (a, b) => `(${a} * ${b})`),
    div: prim('div', (a, b) => `(${a} / ${b})`),
    neg: prim('neg', (a) => `(-${a})`),
    pow: (a, b) => {
      const e = wrap(b);
      if (fold && e.value === 1 && wrap(a).value === undefined) return wrap(a);
      if (fold && e.value === 2 && wrap(a).value === undefined) return prims.mul(a, a);
      return mathPow(a, b);
    },
    mathjsRound: prim('mathjsRound', (a) => `${MATHJS_ROUND}(${a})`),
    step: prim('step', (a) => `(${a} > 0 ? 1 : ${a} === ${a} ? 0 : NaN)`),
    eq: prim('eq', (a, b) => `(${a} === ${b} ? 1 : 0)`),
    ge: prim('ge', (a, b) => `(${a} >= ${b} ? 1 : 0)`),
    where: (c, a, b) => {
      const cond = wrap(c);
      if (fold && cond.value !== undefined) return wrap(cond.value ? a : b);
      return prim('where', (x, y, z) => `(${x} ? ${y} : ${z})`)(c, a, b);
    },
  };

  return {
    prims,
    literal,
    constant: (text, value) => ({ text, value }),
    name: (text) => ({ text }),
    bind(code, name, emit) {
      if (code.value !== undefined || code.text === name) return code;
      emit(code.text);
      const named = { text: name };
      known.set(code.text, named);
      return named;
    },
    folded,
  };
}
