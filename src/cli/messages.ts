/** One clear message for bad input: what is wrong, where (a caret under the spot), what to write. */
import { caretLines, ExprError } from '../expr/errors.js';
import type { UsageError } from './errors.js';

export function formatError(e: UsageError | ExprError): string {
  const lines: string[] = [];
  if (e instanceof ExprError) {
    const context = e instanceof ValueError ? ` in ${e.flag}` : '';
    lines.push(`dezero-grad: ${e.message} (column ${e.column}${context})`);
    const [text, caret] = caretLines(e.input, e.index);
    lines.push(`  ${text}`, `  ${caret}`);
  } else {
    lines.push(`dezero-grad: ${e.message}`);
  }
  if (e.hint !== undefined) lines.push(`  hint: ${e.hint}`);
  return lines.join('\n') + '\n';
}

/** An ExprError in a variable's value rather than in the expression. */
export class ValueError extends ExprError {
  constructor(readonly flag: string, inner: ExprError) {
    super(`bad value for ${flag}: ${inner.message}`, inner.input, inner.index, inner.hint);
  }
}
