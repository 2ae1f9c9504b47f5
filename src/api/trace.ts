/**
 * The trace: plain records of what forward and backward did, for the renderers (text, JSON). The
 * engine reports through these; it never prints.
 */
import { sameShape, TensorError, type Value } from '../engine/tensor.js';
import { displayName, type ForwardStep } from '../expr/build.js';
import type { BackwardStep, Variable } from '../engine/variable.js';
import { backwardTerms, opOf, type OpSpec, type StepShapes, type Term } from '../engine/op.js';
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
  /** A number, or a Tensor for a vector or matrix (issue 16). */
  value: Value;
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
  /** What this step contributed (a Tensor shaped like the variable, for a vector or matrix). */
  value: Value;
  /** The variable's gradient after this step (the sum so far when it is used more than once). */
  grad: Value;
  /** True when this step added to a gradient that was already there (book step 14). */
  accumulated: boolean;
}

export interface Trace {
  /** The output's name (y). */
  output: string;
  value: Value;
  /** The output's own gradient where backward started: 1, ones of its shape, or a given cotangent. */
  seed?: Value;
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

/**
 * Turns one engine step into a record; `rule` is the op's own backward, derived from its definition
 * and printed with the function's input names (a user's own DFunction shows `gy`).
 */
export function backwardRecord(step: BackwardStep): BackwardRecord {
  const f = step.fn;
  const op = opOf(f);
  const output = displayName(f.outputs[0]);
  // On vectors and matrices the rule is traced at the step's shapes (matmul's reads `matmul(gy, x')`).
  const tensors = f.inputs.some((x) => typeof x.data !== 'number') || typeof f.outputs[0].data !== 'number';
  const shapes = tensors ? { inputs: f.inputs.map((x) => x.shape), output: f.outputs[0].shape } : undefined;
  const term = op === undefined ? null : ruleTerm(op, f.inputs, shapes, step.index);
  const printed =
    op === undefined || term === null
      ? 'gy'
      : printRule(term, {
          op,
          inputs: f.inputs.map(displayName),
          value: (t) => {
            const v =
              t.kind === 'input' ? f.inputs[t.index].data : t.kind === 'output' ? f.outputs[0].data : step.gy.data;
            // A vector's `where` takes a branch per element: the rule then shows both.
            return typeof v === 'number' ? v : undefined;
          },
        });
  // A broadcast input: its gradient summed back to its shape (DeZero step 40), as the engine does.
  const broadcast = tensors && op?.array === undefined && !sameShape(step.input.shape, f.outputs[0].shape);
  const rule = broadcast ? `sum_to(${printed}, [${step.input.shape.join(', ')}])` : printed;
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

/**
 * The op's backward rule for one input, traced once per op, pattern and (for tensors) shapes; null
 * for an op whose backward cannot be traced at these shapes (the rule then reads `gy`).
 */
function ruleTerm(op: OpSpec, inputs: readonly Variable[], shapes: StepShapes | undefined, index: number): Term | null {
  try {
    return backwardTerms(
      op,
      inputs.map((x) => x.requiresGrad),
      shapes,
    )[index];
  } catch (e) {
    if (e instanceof TensorError) return null;
    throw e;
  }
}
