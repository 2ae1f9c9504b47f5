/**
 * The result as one JSON object for scripts:
 *
 *   {"expression", "variables": {name: value}, "value", "gradient": {name: d/dname},
 *    "forward": [{"name", "op", "inputs", "value"}], "backward": [{"name", "grad"}]}
 *
 * `backward` lists each variable once, in the order backward reached it, with its final gradient.
 * Non-finite numbers are the strings "NaN", "Infinity", "-Infinity".
 */
import type { GradResult } from '../api/grad.js';
import type { Value } from '../engine/tensor.js';
import { jsonValue } from './array.js';
import type { RenderSettings } from './settings.js';

/** The settings (JSON reads only the precision), and `quiet`. */
export interface JsonOptions extends RenderSettings {
  /** Drop `forward` and `backward`. */
  quiet?: boolean;
}

export type { JsonValue } from './format.js';
import type { JsonValue } from './format.js';

export function jsonObject(
  expression: string,
  variables: ReadonlyMap<string, Value>,
  result: GradResult<Value>,
  options: JsonOptions = {},
): { [key: string]: JsonValue } {
  const n = (x: Value): JsonValue => jsonValue(x, options.precision);
  const obj: { [key: string]: JsonValue } = {
    expression,
    // The inputs as given, never rounded by --precision: a script reads back what it passed.
    variables: record([...variables].map(([k, v]) => [k, jsonValue(v)])),
    value: n(result.value),
    gradient: record(Object.entries(result.gradient).map(([k, v]) => [k, n(v)])),
  };
  if (!options.quiet) {
    const { trace } = result;
    obj.forward = trace.forward.map((r) => ({
      name: r.name,
      op: r.op,
      inputs: r.inputs,
      value: n(r.value),
      ...(r.gradient === true ? { gradient: true } : {}),
    }));
    const finalGrad = new Map<string, Value>();
    if (trace.backward.length > 0) finalGrad.set(trace.output, trace.seed ?? 1);
    for (const r of trace.backward) finalGrad.set(r.name, r.grad);
    obj.backward = [...finalGrad].map(([name, grad]) => ({ name, grad: n(grad) }));
  }
  return obj;
}

export function renderJson(
  expression: string,
  variables: ReadonlyMap<string, Value>,
  result: GradResult<Value>,
  options: JsonOptions = {},
): string {
  return JSON.stringify(jsonObject(expression, variables, result, options)) + '\n';
}

/** A null-prototype record, so a variable named `__proto__` is an ordinary key. */
function record(entries: [string, JsonValue][]): { [key: string]: JsonValue } {
  const obj: { [key: string]: JsonValue } = Object.create(null);
  for (const [k, v] of entries) obj[k] = v;
  return obj;
}
