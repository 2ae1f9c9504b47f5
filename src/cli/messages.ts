/**
 * What the CLI says on standard error, for the one-shot command and the session alike: one clear
 * message for bad input, and the warning for a result that is not finite.
 */
import type { GradResult } from '../api/grad.js';
import { caretLines, ExprError } from '../expr/errors.js';
import { shown } from '../expr/visible.js';
import { allFiniteValue, formatValue } from '../report/array.js';
import type { Value } from '../engine/tensor.js';
import { nonFiniteWarning } from '../report/warnings.js';
import { PlacedError, type UsageError } from './errors.js';
import type { IO } from './io.js';

/**
 * Bad input: what is wrong, where (a caret under the spot), what to write. Input quoted in the
 * message is shown visibly (`\x1b`, `<U+202E>`): nothing raw reaches the terminal. `where` places
 * it in a file: `dezero-grad: step.dz:3:5: message` (a line's column after the file and line).
 */
export function formatError(e: UsageError | ExprError, where?: string): string {
  if (e instanceof PlacedError) return formatError(e.error as UsageError | ExprError, e.where);
  const lines: string[] = [];
  const at = where === undefined ? '' : `${shown(where)}${e instanceof ExprError ? `:${e.column}` : ''}: `;
  if (e instanceof ExprError) {
    const context = e instanceof ValueError ? ` in ${e.flag}` : '';
    const column = where === undefined ? ` (column ${e.column}${shown(context)})` : '';
    lines.push(`dezero-grad: ${at}${shown(e.message)}${column}`);
    const [text, caret] = caretLines(e.input, e.index);
    lines.push(`  ${text}`, `  ${caret}`);
  } else {
    lines.push(`dezero-grad: ${at}${shown(e.message)}`);
  }
  if (e.hint !== undefined) lines.push(`  hint: ${shown(e.hint)}`);
  return lines.join('\n') + '\n';
}

/** An ExprError in a variable's value rather than in the expression. */
export class ValueError extends ExprError {
  constructor(
    readonly flag: string,
    inner: ExprError,
  ) {
    super(`bad value for ${flag}: ${inner.message}`, inner.input, inner.index, inner.hint);
  }
}

/** Warns about the first value or gradient of `result` that is not finite, naming where it went wrong. */
export function warnNonFinite(
  result: GradResult<Value>,
  values: ReadonlyMap<string, Value>,
  io: Pick<IO, 'err'>,
): void {
  // A NaN in a conditional's branch not taken is what the conditional is for: say nothing when
  // the result and its gradient are finite.
  const finite = allFiniteValue(result.value) && Object.values(result.gradient).every(allFiniteValue);
  if (finite && result.trace.forward.some((r) => r.op === 'cond')) return;
  const warning = nonFiniteWarning(result.trace, values);
  if (warning !== undefined) {
    io.err(`dezero-grad: warning: ${warning}\n`);
    return;
  }
  const badGrad = result.trace.backward.find((r) => !allFiniteValue(r.value));
  if (badGrad !== undefined) {
    const step = `${badGrad.name}.grad from ${badGrad.label}.backward(${badGrad.from}.grad)`;
    io.err(`dezero-grad: warning: ${step} is ${formatValue(badGrad.value)}\n`);
  }
}
