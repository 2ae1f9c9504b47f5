/**
 * The syntax tree back to text in our own grammar, with only the parentheses the precedence needs:
 * `parse(print(node))` is the same tree. Used by `--symbolic` (whose formulas must read back into
 * dezero-grad) and by the property tests (print, re-parse, print again: the same text).
 */
import type { Node } from './ast.js';
import { getOp, type OpSpec, type Term } from '../engine/registry.js';
import { evaluateTerm } from '../engine/op.js';
import { fold } from './walk.js';

/**
 * Binding strength, as in parse.ts: the conditional 0.25, comparisons 0.5, ranges 0.75, + - 1,
 * * / % 2, unary - 4, ^ 5, the postfix transpose 8; atoms, calls, matrices and indexing bind
 * tightest.
 */
const PREC: Readonly<Record<string, number>> = {
  cond: 0.25,
  smaller: 0.5,
  larger: 0.5,
  smallerEq: 0.5,
  largerEq: 0.5,
  equal: 0.5,
  unequal: 0.5,
  add: 1,
  sub: 1,
  mul: 2,
  div: 2,
  mod: 2,
  neg: 4,
  pow: 5,
};
const RANGE = 0.75;
const POSTFIX = 8;
const ATOM = 9;

interface Printed {
  text: string;
  prec: number;
  /** Starts with a unary minus (a prefix node or a negative number). */
  prefix: boolean;
  /**
   * Holds a range outside any bracket: in a conditional's first branch it needs parentheses, or
   * its `:` would read as the conditional's.
   */
  range?: boolean;
  /** A matrix's elements without the brackets, for a row of `[a, b; c, d]`. */
  items?: string;
}

/** A number as a literal our lexer reads back to the same double; negative numbers as unary minus. */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`internal: cannot print ${value} as a literal`);
  return String(value);
}

export function print(root: Node): string {
  return printWith(root, {});
}

/** Hooks for printing the same tree in another grammar with the same precedence (mathjs's). */
export interface PrintHooks {
  /** A variable's name in the output. */
  variable?: (name: string) => string;
  /**
   * A function call's text (its arguments already printed), or undefined for `name(args)`. The
   * text must be self-contained (an atom): parenthesize it if it is not a plain call.
   */
  call?: (node: Node & { type: 'call' }, args: string[]) => string | undefined;
}

/** `a` in parentheses when `when`, as an atom. */
const paren = (a: Printed, when: boolean): string => (when ? `(${a.text})` : a.text);

export function printWith(root: Node, hooks: PrintHooks): string {
  return fold<Printed>(root, (node, args): Printed => {
    switch (node.type) {
      case 'number': {
        const text = numberText(node.value);
        return {
          text,
          prec: node.value < 0 || Object.is(node.value, -0) ? PREC.neg : ATOM,
          prefix: text.startsWith('-'),
        };
      }
      case 'constant':
        return { text: node.name, prec: ATOM, prefix: false };
      case 'variable':
        return { text: hooks.variable?.(node.name) ?? node.name, prec: ATOM, prefix: false };
      case 'colon':
        return { text: ':', prec: ATOM, prefix: false };
      case 'end':
        return { text: 'end', prec: ATOM, prefix: false };
      case 'matrix': {
        // Elements need no parentheses: commas, semicolons and brackets delimit them.
        // (One row with `;` would need a trailing `;`: it prints nested instead, the same tree.)
        const rows = node.rows === true && args.length > 1;
        const items = rows ? args.map((a) => a.items ?? a.text).join('; ') : args.map((a) => a.text).join(', ');
        return { text: `[${items}]`, prec: ATOM, prefix: false, items };
      }
      case 'index': {
        // x[1], f(x)[2], [1, 2][1], x'[1]; anything else in parentheses (a number cannot be indexed).
        const [object, ...entries] = args;
        const bare = object.prec >= POSTFIX && node.args[0].type !== 'number';
        return { text: `${paren(object, !bare)}[${entries.map((e) => e.text).join(', ')}]`, prec: ATOM, prefix: false };
      }
      case 'range': {
        // Each part binds tighter than `:` (a range or conditional inside one keeps its parentheses).
        const parts = args.map((a) => paren(a, a.prec <= RANGE));
        return { text: parts.join(':'), prec: RANGE, prefix: args[0].prec > RANGE && args[0].prefix, range: true };
      }
      case 'call': {
        if (node.form === 'postfix') {
          // x' (the transpose): its operand binds at least as tight, so (-x)', (a+b)', (x^2)'.
          const [a] = args;
          const wrap = a.prec < POSTFIX || (a.prefix && a.prec !== ATOM);
          return { text: `${paren(a, wrap)}'`, prec: POSTFIX, prefix: false };
        }
        const op = getOp(node.op);
        if (node.form === 'function' || op.symbol === undefined) {
          const texts = args.map((a) => a.text);
          return { text: hooks.call?.(node, texts) ?? `${op.name}(${texts.join(', ')})`, prec: ATOM, prefix: false };
        }
        const p = PREC[op.name];
        if (node.form === 'conditional') {
          // c ? a : b, right-associative: only a conditional in c or a needs parentheses.
          const [c, a, b] = args;
          const wrap = (x: Printed): string => (x.prec <= p ? `(${x.text})` : x.text);
          const first = paren(a, a.prec <= p || a.range === true);
          return {
            text: `${wrap(c)} ? ${first} : ${b.text}`,
            prec: p,
            prefix: c.prec > p && c.prefix,
            range: (c.prec > p && c.range) || b.range,
          };
        }
        if (op.arity === 1) {
          const [a] = args;
          // -(-x) and -(a+b) keep their parentheses; -x^2 reads as -(x^2) without them.
          return {
            text: `-${a.prec <= p ? `(${a.text})` : a.text}`,
            prec: p,
            prefix: true,
            range: a.prec > p && a.range,
          };
        }
        const [a, b] = args;
        const right = op.name === 'pow';
        // Left operand: tighter than the operator (pow is right-associative, so (a^b)^c keeps its
        // parentheses, as does (-x)^2). Right operand: never starts with a bare unary minus.
        // A comparison in a comparison keeps its parentheses: a chain `a < b < c` is refused.
        const lp = right || p === PREC.equal ? a.prec <= p || (right && a.prefix) : a.prec < p;
        const rp = b.prefix || (right ? b.prec < p : b.prec <= p);
        const lt = lp ? `(${a.text})` : a.text;
        const rt = rp ? `(${b.text})` : b.text;
        // `.*` `./` `.^` with spaces: `2 .* x` (2.*x would read as 2. * x to a person).
        const symbol = node.dotted === true ? `.${op.symbol}` : op.symbol;
        const sep = p <= 1 || op.name === 'mod' || node.dotted === true ? ' ' : '';
        return {
          text: `${lt}${sep}${symbol}${sep}${rt}`,
          prec: p,
          prefix: !lp && a.prefix,
          range: (!lp && a.range) || (!rp && b.range),
        };
      }
    }
  }).text;
}

// ---- backward rules ----------------------------------------------------------------------------

/** Binding strength in rules: comparisons 0, + - 1, · / 2, unary - 3, ^ and ² 4; atoms bind tightest. */
const RULE_PREC: Readonly<Record<string, number>> = {
  eq: 0,
  ge: 0,
  smaller: 0,
  larger: 0,
  smallerEq: 0,
  largerEq: 0,
  equal: 0,
  unequal: 0,
  add: 1,
  sub: 1,
  mul: 2,
  div: 2,
  mod: 2,
  neg: 3,
  pow: 4,
};

interface RulePart {
  text: string;
  prec: number;
  /** A name or a number: `gy` stays in front of it (`gy·x`), and goes behind anything else. */
  leaf: boolean;
  prefix: boolean;
}

/** How a rule's leaves read and what they hold at the step being shown. */
export interface RuleLeaves {
  /** The op whose backward the rule is: its output reads as the op applied to its inputs. */
  op: OpSpec;
  /** The inputs' names, as the trace shows them. */
  inputs: readonly string[];
  /**
   * The leaves' values at the step: a `where` shows the branch its condition took there; undefined
   * where a leaf has no one value (a vector's elements take different branches): both are shown.
   */
  value: (leaf: Term) => number | undefined;
}

/**
 * A backward rule (a Term from the op's own backward) as the trace prints it: `2·x·gy`,
 * `cos(x)·gy`, `gy·(-a/z²)`. The op's output reads as the op applied to its inputs (`exp(a)·gy`),
 * `u·u` and `square(u)` as `u²`, and `gy` goes last behind a factor that is not a name or a number.
 */
/** A `where`'s condition at the step, or undefined when a leaf it reads has no one value. */
function branchTaken(condition: Term, value: RuleLeaves['value']): boolean | undefined {
  let known = true;
  const c = evaluateTerm(condition, (leaf) => {
    const v = value(leaf);
    if (v === undefined) known = false;
    return v ?? NaN;
  });
  return known ? Boolean(c) : undefined;
}

export function printRule(term: Term, leaves: RuleLeaves): string {
  const output: Term = {
    kind: 'apply',
    op: leaves.op,
    args: leaves.inputs.map((_, index) => ({ kind: 'input', index })),
  };
  const atom = (text: string, leaf = false): RulePart => ({ text, prec: ATOM, leaf, prefix: false });
  const wrap = (p: RulePart, when: boolean): string => (when ? `(${p.text})` : p.text);
  const part = (t: Term): RulePart => {
    switch (t.kind) {
      case 'input':
        return atom(parenthesized(leaves.inputs[t.index]), true);
      case 'gy':
        return atom('gy', true);
      case 'const':
        // A constant vector in a rule (a shape, an index) reads as its literal: [2, 1].
        return atom(typeof t.value === 'number' ? parenthesized(String(t.value)) : arrayLiteral(t.value), true);
      case 'output':
        return part(output);
      case 'apply':
        break;
    }
    const { op, args } = t;
    if (op.name === 'where') {
      const taken = branchTaken(args[0], leaves.value);
      if (taken !== undefined) return part(taken ? args[1] : args[2]);
    }
    if (op.name === 'square' || (op.name === 'mul' && same(args[0], args[1]))) {
      const u = part(args[0]);
      return { text: `${wrap(u, u.prec < ATOM)}²`, prec: RULE_PREC.pow, leaf: false, prefix: false };
    }
    const ps = args.map(part);
    if (op.ruleForm !== undefined) return atom(op.ruleForm.replace(/\{(\d)\}/g, (_, k: string) => ps[Number(k)].text));
    if (op.symbol === undefined) return atom(`${op.name}(${ps.map((a) => a.text).join(', ')})`);
    const p = RULE_PREC[op.name];
    if (ps.length === 1)
      return {
        text: `-${wrap(ps[0], ps[0].prec < RULE_PREC.mul || ps[0].prefix)}`,
        prec: p,
        leaf: false,
        prefix: true,
      };
    let [a, b] = ps;
    if (op.name === 'mul' && args[0].kind === 'gy' && !b.leaf && b.prec !== RULE_PREC.mul) [a, b] = [b, a];
    const right = op.name === 'pow';
    const lp = right ? a.prec <= p || a.prefix : a.prec < p;
    const rp = b.prefix || (right ? b.prec < p : b.prec <= p);
    return {
      text: `${wrap(a, lp)}${op.name === 'mul' ? '·' : op.symbol}${wrap(b, rp)}`,
      prec: p,
      leaf: false,
      prefix: !lp && a.prefix,
    };
  };
  return part(term).text;
}

/** Two leaves that are the same input, output or gradient (`y·y`). */
function same(a: Term, b: Term): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  return a.kind === 'input' ? a.index === (b as typeof a).index : a.kind === 'output' || a.kind === 'gy';
}

/** A name or a plain number as it is; anything else (a negative literal) in parentheses: 2·(-1)·gy. */
function arrayLiteral(v: { toArray(): unknown }): string {
  return JSON.stringify(v.toArray()).replace(/,/g, ', ');
}

function parenthesized(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$|^[0-9.]+(e[+-]?[0-9]+)?$|^\[[^()]*\]$/i.test(name) ? name : `(${name})`;
}
