/**
 * The trace: plain records of what forward and backward did, for the renderers (text, JSON). The
 * engine reports through these; it never prints.
 */
import { displayName, type ForwardStep } from '../expr/build.js';
import type { BackwardStep } from '../engine/variable.js';
import { BY_LABEL } from '../engine/registry.js';

export interface ForwardRecord {
  /** The output's name: `a` in `a = square(x)`. */
  name: string;
  /** Registry name: `square`, `add`. */
  op: string;
  /** Class name: `Square`. */
  label: string;
  /** The operator symbol for `+ - * / ^` and unary `-`. */
  symbol?: string;
  inputs: string[];
  value: number;
  /** A step of a gradient graph (inside `diff`, or built by a higher-order pass). */
  gradient?: boolean;
}

export interface BackwardRecord {
  /** The variable receiving the gradient. */
  name: string;
  /** The function's output whose gradient flowed back: `y` in `Square.backward(y.grad)`. */
  from: string;
  /** Class name of the function: `Square`. */
  label: string;
  /** The rule with names filled in: `2·b·gy`. */
  rule: string;
  /** What this step contributed. */
  value: number;
  /** The variable's gradient after this step (the sum so far when it is used more than once). */
  grad: number;
  /** True when this step added to a gradient that was already there (book step 14). */
  accumulated: boolean;
}

export interface Trace {
  /** The output's name (y). */
  output: string;
  value: number;
  forward: ForwardRecord[];
  /** Gradient records in the order backward ran; the first gives the output's own gradient, 1. */
  backward: BackwardRecord[];
}

export function forwardRecords(graph: { steps: readonly ForwardStep[] }): ForwardRecord[] {
  return graph.steps.map((s) => ({
    name: s.name,
    op: s.op.name,
    label: s.op.label,
    ...(s.op.symbol !== undefined ? { symbol: s.op.symbol } : {}),
    inputs: s.inputs,
    value: s.output.data,
    ...(s.gradient === true ? { gradient: true } : {}),
  }));
}

/** Turns one engine step into a record; `rule` has the function's input and output names filled in. */
export function backwardRecord(step: BackwardStep): BackwardRecord {
  const f = step.fn;
  const op = BY_LABEL.get(f.label);
  const output = displayName(f.outputs[0]);
  const template = op?.rules[step.index] ?? 'gy';
  const rule = template.replace(/\{(\d|y)\}/g, (_, k: string) =>
    k === 'y' ? output : parenthesize(displayName(f.inputs[Number(k)])),
  );
  return {
    name: displayName(step.input),
    from: output,
    label: f.label,
    rule,
    value: step.gx.data,
    grad: step.grad.data,
    accumulated: step.accumulated,
  };
}

/** A negative literal inside a rule reads better in parentheses: 2·(-1)·gy. */
function parenthesize(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$|^[0-9.]+(e[+-]?[0-9]+)?$/i.test(name) ? name : `(${name})`;
}
