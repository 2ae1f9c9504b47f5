/**
 * The outputs of issue 16 on the one-point path: --jacobian, --vjp's cotangent, and --check
 * element by element on vectors and matrices. Loaded with import() only by the runs that ask for
 * them (start-up); evaluate.ts hands off here.
 */
import type { GradResult } from '../api/differentiate.js';
import { jacobian } from '../api/jacobian.js';
import { jvp } from '../api/jvp.js';
import { MAX_CHECK_ELEMENTS, tensorGradcheck } from '../api/check.js';
import { sameShape, shapeOf, shapeText, sizeOf, type Value } from '../engine/tensor.js';
import type { Node } from '../expr/ast.js';
import type { Graph } from '../expr/build.js';
import { elementCheckJson, renderElementCheckText } from '../report/check.js';
import { jacobianJson, jvpText, renderJacobianText } from '../report/jacobian.js';
import { jsonValue, valueShapeText } from '../report/array.js';
import { jsonObject } from '../report/json.js';
import type { RenderSettings } from '../report/settings.js';
import { renderText } from '../report/text.js';
import { forwardRecords, type Trace } from '../api/trace.js';
import { EXIT, UsageError } from './errors.js';
import type { IO } from './io.js';

export interface OutputRun {
  source: string;
  root: Node;
  graph: Graph;
  values: ReadonlyMap<string, Value>;
  json: boolean;
  quiet: boolean;
  settings: RenderSettings;
}

/** `--vjp`'s cotangent has the output's shape: exit 2 naming both, before backward starts. */
export function checkCotangent(cotangent: Value, graph: Graph): void {
  const [seed, output] = [shapeOf(cotangent), shapeOf(graph.output.data)];
  if (sameShape(seed, output)) return;
  const shape = (s: readonly number[]): string => (s.length === 0 ? 'is a number' : `has shape ${shapeText(s)}`);
  throw new UsageError(
    `--vjp ${shape(seed)}, and ${graph.outputName} ${shape(output)}: the cotangent takes the output's shape`,
    output.length === 0 ? 'give a number, such as --vjp 1' : `give ${graph.outputName}'s shape ${shapeText(output)}`,
  );
}

/** A trace of the forward pass only (none with --quiet): --jacobian and --jvp run no plain backward. */
function forwardTrace(run: OutputRun, value: Value): Trace {
  const forward = run.quiet ? [] : forwardRecords(run.graph);
  return { output: run.graph.outputName, value, forward, backward: [] };
}

/** The --json object of a forward trace, without the gradient and backward fields it has no use for. */
function forwardJson(run: OutputRun, trace: Trace): ReturnType<typeof jsonObject> {
  const obj = jsonObject(
    run.source.trim(),
    run.values,
    { value: trace.value, gradient: {}, trace },
    { ...run.settings, quiet: run.quiet },
  );
  delete obj.gradient;
  delete obj.backward;
  return obj;
}

/** --jacobian: the forward trace (unless --quiet), the value and each variable's Jacobian. */
export function jacobianCommand(run: OutputRun, io: IO): number {
  const { graph, settings } = run;
  const j = jacobian(graph);
  // The forward trace only: the backward passes are one per element, each seeded one-hot.
  const trace = forwardTrace(run, j.value);
  if (run.json) {
    const obj = forwardJson(run, trace);
    obj.jacobian = jacobianJson(j, settings.precision);
    io.out(JSON.stringify(obj) + '\n');
  } else {
    io.out(renderJacobianText(j, trace, run.values, { ...settings, quiet: run.quiet }));
  }
  return EXIT.OK;
}

/**
 * --check on vectors and matrices (or with --vjp): the usual output, then every element of every
 * gradient against its own central difference; exit 3 when one disagrees.
 */
export function elementCheckCommand(run: OutputRun, result: GradResult<Value>, io: IO): number {
  const { settings } = run;
  const elements = Object.values(result.gradient).reduce<number>((n, g) => n + sizeOf(shapeOf(g)), 0);
  if (elements > MAX_CHECK_ELEMENTS) {
    throw new UsageError(
      `--check differentiates at most ${MAX_CHECK_ELEMENTS} elements numerically, and the variables have ${elements}`,
      'check a smaller instance of the expression (each element costs some 80 evaluations)',
    );
  }
  const entries = tensorGradcheck(run.root, run.values, result.gradient, result.trace.seed ?? 1);
  if (run.json) {
    const obj = jsonObject(run.source.trim(), run.values, result, { ...settings, quiet: run.quiet });
    obj.check = elementCheckJson(entries, settings);
    io.out(JSON.stringify(obj) + '\n');
  } else {
    io.out(renderText(result, run.values, { ...settings, quiet: run.quiet }));
    io.out(renderElementCheckText(entries, result.trace.output, settings, EXIT.CHECK_MISMATCH));
  }
  return [...entries.values()].some((es) => es.some((e) => !e.ok)) ? EXIT.CHECK_MISMATCH : EXIT.OK;
}

/** --jvp: the forward trace (unless --quiet), the value and J·v, by forward mode (no backward). */
export function jvpCommand(run: OutputRun, tangents: ReadonlyMap<string, Value>, io: IO): number {
  const { graph, settings } = run;
  const names = [...graph.variables.keys()];
  for (const [name, t] of tangents) {
    const v = graph.variables.get(name);
    if (v === undefined) {
      throw new UsageError(
        `--jvp ${name}: the expression has no variable ${name}${names.length > 0 ? ` (it has ${names.join(', ')})` : ''}`,
      );
    }
    if (!sameShape(shapeOf(t), shapeOf(v.data))) {
      const shape = (x: Value): string => (typeof x === 'number' ? 'is a number' : `has shape ${valueShapeText(x)}`);
      throw new UsageError(
        `--jvp ${name} ${shape(t)}, and ${name} ${shape(v.data)}: a tangent takes its variable's shape`,
        typeof v.data === 'number' ? `write --jvp ${name}=1` : `give ${name}'s shape ${valueShapeText(v.data)}`,
      );
    }
  }
  const r = jvp(graph, tangents);
  const trace = forwardTrace(run, r.value);
  if (run.json) {
    const obj = forwardJson(run, trace);
    const tangent: { [key: string]: ReturnType<typeof jsonValue> } = Object.create(null);
    for (const [name, t] of tangents) tangent[name] = jsonValue(t);
    obj.tangent = tangent;
    obj.jvp = jsonValue(r.jvp, settings.precision);
    io.out(JSON.stringify(obj) + '\n');
  } else {
    io.out(jvpText(r, trace, tangents, run.values, { ...settings, quiet: run.quiet }));
  }
  return EXIT.OK;
}
