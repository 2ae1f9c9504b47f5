/**
 * The warning for a result that is not finite, naming the first step that went wrong and why:
 * a domain error (log(-1), sqrt(-1), (-8)^(1/3) are NaN, never complex), a pole (log(0), 1/0) or
 * an overflow (exp(1000)). That first step always has finite inputs: the variables are finite.
 */
import { CONSTANTS, getOp } from '../engine/registry.js';
import type { Value } from '../engine/tensor.js';
import { allFiniteValue, formatValue } from './array.js';
import { formatNumber } from './format.js';
import { callText } from './text.js';
import type { ForwardRecord, Trace } from '../api/trace.js';

export function nonFiniteWarning(trace: Trace, variables: ReadonlyMap<string, Value>): string | undefined {
  const known = new Map(variables);
  for (const r of trace.forward) {
    if (allFiniteValue(r.value)) {
      known.set(r.name, r.value);
      continue;
    }
    // A vector or matrix: which elements, with the op's domain (the first step's inputs are finite).
    if (typeof r.value !== 'number')
      return `${r.name} = ${callText(r)} is ${formatValue(r.value)}${tensorExplanation(r)}`;
    const xs = r.inputs.map((name) => {
      const v = known.get(name) ?? CONSTANTS.get(name) ?? Number(name);
      return typeof v === 'number' ? v : NaN;
    });
    const at = `${r.name} = ${callText(r)} is ${formatNumber(r.value)}`;
    // The inputs' values, once each, leaving out literals (`2 = 2`).
    const args = [...new Set(r.inputs.map((name, i) => `${name} = ${formatNumber(xs[i])}`))]
      .filter((s) => !/^(\S+) = \1$/.test(s))
      .join(', ');
    const here = args === '' ? '' : ` at ${args}`;
    const rest = r === trace.forward[trace.forward.length - 1] ? '' : '; what depends on it may not be finite either';
    return `${at}${here}: ${classify(r, xs)}${explanation(r, xs)}${rest}`;
  }
  return undefined;
}

/** For a vector or matrix step: the op's domain, when it has one. */
function tensorExplanation(r: ForwardRecord): string {
  const domain = getOp(r.op).domain;
  return domain === undefined ? '' : ` (${r.op} is defined for ${domain}; results are real, never complex)`;
}

function classify(r: ForwardRecord, xs: number[]): 'domain error' | 'pole' | 'overflow' {
  if (Number.isNaN(r.value)) return 'domain error';
  if (
    (r.op === 'log' && xs[0] === 0) ||
    (r.op === 'div' && xs[1] === 0) ||
    (r.op === 'pow' && xs[0] === 0 && xs[1] < 0)
  ) {
    return 'pole';
  }
  return 'overflow';
}

function explanation(r: ForwardRecord, xs: number[]): string {
  const kind = classify(r, xs);
  if (kind === 'overflow') return ' (beyond the largest double, about 1.8e308)';
  if (kind === 'pole') return r.op === 'div' ? ' (division by zero)' : ` (${r.op} has a pole at 0)`;
  const domain = getOp(r.op).domain;
  if (domain !== undefined) return ` (${r.op} is defined for ${domain}; results are real, never complex)`;
  return r.op === 'div' ? ' (0/0 is undefined)' : '';
}
