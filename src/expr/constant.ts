/**
 * A value given for a variable: a number (`0.5`, `-1`, `1e-3`) or a constant expression in the
 * same grammar (`pi/4`, `sqrt(2)`), evaluated without building a graph. Never `Number(text)`:
 * `Number('')` is 0 and `parseFloat('1abc')` is 1.
 */
import { scalarOf } from '../engine/tensor.js';
import { noGrad } from '../engine/config.js';
import { build, variableNames } from './build.js';
import { ExprError } from './errors.js';
import { parse } from './parse.js';

export function evaluateConstant(text: string): number {
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
