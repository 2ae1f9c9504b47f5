/**
 * Outputs that are not a scalar (issue 16): the Jacobian by reverse mode, one backward pass per
 * element of the output, each seeded with that element's one-hot cotangent (JAX's `jacrev`).
 * Row i of the Jacobian is the gradient of output element i, so for an output of shape s and a
 * variable of shape t the Jacobian has shape [...s, ...t] (numpy's and JAX's layout).
 */
import { checkSize, elementsOf, shapeOf, sizeOf, Tensor, valueFrom, type Value } from '../engine/tensor.js';
import type { Graph } from '../expr/build.js';
import { differentiate } from './differentiate.js';

export interface JacobianResult {
  /** The output's value. */
  value: Value;
  /** Per variable, in order of first appearance: d(output)/d(variable), shape [...output, ...variable]. */
  jacobian: Record<string, Value>;
  /** How many backward passes it took: one per element of the output. */
  passes: number;
}

/** The Jacobian of the graph's output with respect to every variable, by reverse mode. */
export function jacobian(graph: Graph): JacobianResult {
  const value = graph.output.data;
  const outShape = shapeOf(value);
  const rows = sizeOf(outShape);
  const names = [...graph.variables.keys()];
  const jac: Record<string, Value> = Object.create(null);
  const data = new Map<string, Float64Array>();
  for (const name of names) {
    const inShape = shapeOf(graph.variables.get(name)!.data);
    // Refused before allocating: a 10,000-element output of a 10,000-element input is 1e8.
    checkSize('jacobian', [...outShape, ...inShape]);
    data.set(name, new Float64Array(rows * sizeOf(inShape)));
  }
  for (let i = 0; i < rows; i++) {
    // The seed: the i-th one-hot cotangent of the output's shape (1 for a scalar output).
    const onehot = new Float64Array(rows);
    onehot[i] = 1;
    const seed = outShape.length === 0 ? 1 : Tensor.from(outShape, onehot);
    const { gradient } = differentiate(graph, { trace: false, seed });
    for (const name of names) {
      const row = elementsOf(gradient[name]);
      data.get(name)!.set(row, i * row.length);
    }
  }
  for (const name of names) {
    const inShape = shapeOf(graph.variables.get(name)!.data);
    jac[name] = valueFrom([...outShape, ...inShape], data.get(name)!, 'jacobian');
  }
  return { value, jacobian: jac, passes: rows };
}
