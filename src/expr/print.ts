/**
 * The syntax tree back to text in our own grammar, with only the parentheses the precedence needs:
 * `parse(print(node))` is the same tree. Used by `--symbolic` (whose formulas must read back into
 * dezero-grad) and by the property tests (print, re-parse, print again: the same text).
 */
import type { Node } from './ast.js';
import { getOp } from '../engine/registry.js';
import { fold } from './walk.js';

/** Binding strength, as in parse.ts: + - 1, * / 2, unary - 4, ^ 5; atoms and calls bind tightest. */
const PREC: Readonly<Record<string, number>> = { add: 1, sub: 1, mul: 2, div: 2, neg: 4, pow: 5 };
const ATOM = 9;

interface Printed {
  text: string;
  prec: number;
  /** Starts with a unary minus (a prefix node or a negative number). */
  prefix: boolean;
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

export function printWith(root: Node, hooks: PrintHooks): string {
  return fold<Printed>(root, (node, args): Printed => {
    switch (node.type) {
      case 'number': {
        const text = numberText(node.value);
        return { text, prec: node.value < 0 || Object.is(node.value, -0) ? PREC.neg : ATOM, prefix: text.startsWith('-') };
      }
      case 'constant':
        return { text: node.name, prec: ATOM, prefix: false };
      case 'variable':
        return { text: hooks.variable?.(node.name) ?? node.name, prec: ATOM, prefix: false };
      case 'call': {
        const op = getOp(node.op);
        if (node.form === 'function' || op.symbol === undefined) {
          const texts = args.map((a) => a.text);
          return { text: hooks.call?.(node, texts) ?? `${op.name}(${texts.join(', ')})`, prec: ATOM, prefix: false };
        }
        const p = PREC[op.name];
        if (op.arity === 1) {
          const [a] = args;
          // -(-x) and -(a+b) keep their parentheses; -x^2 reads as -(x^2) without them.
          return { text: `-${a.prec <= p ? `(${a.text})` : a.text}`, prec: p, prefix: true };
        }
        const [a, b] = args;
        const right = op.name === 'pow';
        // Left operand: tighter than the operator (pow is right-associative, so (a^b)^c keeps its
        // parentheses, as does (-x)^2). Right operand: never starts with a bare unary minus.
        const lp = right ? a.prec <= p || a.prefix : a.prec < p;
        const rp = b.prefix || (right ? b.prec < p : b.prec <= p);
        const lt = lp ? `(${a.text})` : a.text;
        const rt = rp ? `(${b.text})` : b.text;
        const sep = op.name === 'add' || op.name === 'sub' ? ' ' : '';
        return { text: `${lt}${sep}${op.symbol}${sep}${rt}`, prec: p, prefix: !lp && a.prefix };
      }
    }
  }).text;
}
