/**
 * The Jacobian of an output that is not a scalar (issue 16), as text and as JSON fields:
 *
 *   forward
 *     ...
 *   jacobian: dy/dx by reverse mode, one backward pass per element of y (2 passes), shape [...y, ...x]
 *   y = [2, 4]  [2]
 *   dy/dx = [[2, 0],
 *            [0, 2]]  [2, 2]
 */
import type { JacobianResult } from '../api/jacobian.js';
import type { JvpResult } from '../api/jvp.js';
import type { Trace } from '../api/trace.js';
import type { Value } from '../engine/tensor.js';
import { jsonValue } from './array.js';
import type { JsonValue } from './json.js';
import { PLAIN } from './style.js';
import { forwardLines, resultLines, valueText, type TextOptions } from './text.js';

/** The forward trace and a heading line saying how the derivative was found (neither when quiet). */
function forwardThen(
  heading: string,
  how: string,
  trace: Trace,
  variables: ReadonlyMap<string, Value>,
  options: TextOptions,
): string[] {
  if (options.quiet) return [];
  const style = options.style ?? PLAIN;
  return [...forwardLines({ trace }, variables, options), style.heading(heading) + style.dim(how)];
}

export function renderJacobianText(
  j: JacobianResult,
  trace: Trace,
  variables: ReadonlyMap<string, Value>,
  options: TextOptions = {},
): string {
  const style = options.style ?? PLAIN;
  const y = trace.output;
  const passes = `${j.passes} pass${j.passes === 1 ? '' : 'es'}`;
  const lines = forwardThen(
    'jacobian',
    `: by reverse mode, one backward pass per element of ${y} (${passes}); d${y}/dv has shape [...${y}, ...v]`,
    trace,
    variables,
    options,
  );
  lines.push(...resultLines({ value: j.value, gradient: j.jacobian, trace }, style, options.precision));
  return lines.join('\n') + '\n';
}

/** `"jacobian": {name: nested arrays of shape [...output, ...name]}`. */
export function jacobianJson(j: JacobianResult, precision?: number): JsonValue {
  const obj: { [key: string]: JsonValue } = Object.create(null);
  for (const [name, v] of Object.entries(j.jacobian)) obj[name] = jsonValue(v, precision);
  return obj;
}

/**
 * --jvp as text: the forward trace (unless quiet), a line naming the tangents, the value, J·v.
 *
 *   jvp: by forward mode (dual numbers), one sweep, no backward; tangent x = [1, 0]
 *   y = [2, 4]  [2]
 *   J·v = [2, 0]  [2]
 */
export function jvpText(
  r: JvpResult,
  trace: Trace,
  tangents: ReadonlyMap<string, Value>,
  variables: ReadonlyMap<string, Value>,
  options: TextOptions = {},
): string {
  const style = options.style ?? PLAIN;
  const given = [...tangents.keys()].join(', ');
  const lines = forwardThen(
    'jvp',
    `: by forward mode (dual numbers), one sweep and no backward; tangents for ${given || 'no variable'}, 0 for any other`,
    trace,
    variables,
    options,
  );
  const y = trace.output;
  lines.push(`${style.heading(`${y} =`)} ${valueText(r.value, y.length + 3, style, options.precision)}`);
  lines.push(`${style.heading('J·v =')} ${valueText(r.jvp, 6, style, options.precision)}`);
  return lines.join('\n') + '\n';
}
