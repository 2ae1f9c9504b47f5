/**
 * The trace: plain records of what forward and backward did, for the renderers (text, JSON). The
 * engine reports through these; it never prints.
 */
import { scalarOf } from '../engine/tensor.js';
import { displayName, type ForwardStep } from '../expr/build.js';
import type { BackwardStep } from '../engine/variable.js';
import { backwardTerms, opOf } from '../engine/op.js';
import { printRule } from '../expr/print.js';

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
    value: scalarOf(s.output.data, 'the trace'),
    ...(s.gradient === true ? { gradient: true } : {}),
  }));
}

/**
 * Turns one engine step into a record; `rule` is the op's own backward, derived from its definition
 * and printed with the function's input names (a user's own DFunction shows `gy`).
 */
export function backwardRecord(step: BackwardStep): BackwardRecord {
  const f = step.fn;
  const op = opOf(f);
  const output = displayName(f.outputs[0]);
  // An op on whole values (sum, stack) has a backward over tensors, not a rule in numbers.
  const term =
    op === undefined || (op.array !== undefined && !op.fusible)
      ? null
      : backwardTerms(
          op,
          f.inputs.map((x) => x.requiresGrad),
        )[step.index];
  const rule =
    op === undefined || term === null
      ? 'gy'
      : printRule(term, {
          op,
          inputs: f.inputs.map(displayName),
          value: (t) =>
            scalarOf(
              t.kind === 'input' ? f.inputs[t.index].data : t.kind === 'output' ? f.outputs[0].data : step.gy.data,
            ),
        });
  return {
    name: displayName(step.input),
    from: output,
    label: f.label,
    rule,
    value: scalarOf(step.gx.data, 'the trace'),
    grad: scalarOf(step.grad.data, 'the trace'),
    accumulated: step.accumulated,
  };
}
