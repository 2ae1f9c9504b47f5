/**
 * A value given for a variable: a number (`0.5`, `-1`, `1e-3`) or a constant expression in the
 * same grammar (`pi/4`, `sqrt(2)`), evaluated without building a graph. Never `Number(text)` on
 * anything but a plain decimal literal: `Number('')` is 0, `Number('0x10')` 16 and
 * `parseFloat('1abc')` 1.
 */
import { scalarOf } from '../engine/tensor.js';
import { noGrad } from '../engine/config.js';
import { build, variableNames } from './build.js';
import { ExprError } from './errors.js';
import { parse } from './parse.js';

/**
 * A decimal literal as the lexer reads one (lexer.ts, readNumber), with a leading minus at most and
 * nothing around it: its value is `Number(text)`, which is what the lexer takes, negated exactly
 * as `neg` does. A one-point run's `--x 0.5` then needs no parse, tree or graph (0.2-0.3 ms of
 * its CPU time in one run of 60 rounds, about the runs' noise).
 */
const PLAIN = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function evaluateConstant(text: string): number {
  if (PLAIN.test(text)) {
    const value = Number(text);
    // Too large, or nonzero digits that round to 0: the parse below says so, as the lexer does.
    if (Number.isFinite(value) && (value !== 0 || !/[1-9]/.test(text.replace(/[eE].*$/, '')))) return value;
  }
  if (text.trim() === '') throw new ExprError('the value is empty', text, 0, 'give a number, e.g. 0.5');
  const root = parse(text);
  const names = variableNames(root);
  if (names.length > 0) {
    const node = names[0];
    throw new ExprError(
      `'${text.trim()}' is not a number ('${node}' is not a known constant)`,
      text,
      text.indexOf(node),
      'a value is a number or a constant expression such as pi/4',
    );
  }
  const value = noGrad(() => scalarOf(build(root, new Map(), text).output.data, 'a constant value'));
  if (!Number.isFinite(value)) {
    throw new ExprError(`the value is ${value}`, text, 0, 'give a finite number');
  }
  return value;
}
