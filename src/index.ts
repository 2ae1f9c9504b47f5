/**
 * dezero-grad as a library, one name a thing (README, "As a library", lists them): what it computes
 * (`grad(expression, values)`, higher-order derivatives and the Hessian of a built expression, many
 * points at once, `minimize` and `root`), the engine (Variable, the function base class, the ops, DeZero's
 * `gradients`/`derivatives`/`hessian` on Variables), the parser and builder, and the renderers.
 */
import { derivativesAt, hessianAt } from './api/higher.js';

// What the library computes: records and typed errors.
export { grad, differentiate, type GradResult, type Values, type BatchValues } from './api/grad.js';
export {
  derivativesAt,
  hessianAt,
  derivativeName,
  MAX_GRADIENT_FUNCTIONS,
  GraphTooLargeError,
  type HigherResult,
  type HessianResult,
  type GradientPass,
  type HigherOptions,
} from './api/higher.js';
export { drawingView, diffClusters, gradSnapshot, type Cluster, type GraphView } from './api/view.js';
export type { Trace, ForwardRecord, BackwardRecord } from './api/trace.js';
export {
  Program,
  type Binding,
  type BoundName,
  type Built,
  type Definition,
  type Outcome,
  type ProgramOptions,
} from './api/program.js';
export {
  minimize,
  Minimization,
  METHODS,
  METHOD_INFO,
  DEFAULT_TOL,
  type Method,
  type MinimizeOptions,
  type MinimizeResult,
  type Start,
  type Iterate,
  type StopReason,
} from './api/minimize.js';
export {
  root,
  RootSearch,
  RootError,
  ROOT_METHODS,
  equationsOf,
  type RootMethod,
  type RootOptions,
  type RootResult,
  type RootIterate,
} from './api/root.js';

// Many points: the fused kernel, and threads for it.
export {
  CompiledExpression,
  broadcastLength,
  LengthMismatchError,
  type BatchResult,
  type CompileOptions,
} from './batch/run.js';
export { SIMD_ULP_BOUND } from './batch/simd-math.js';
export { allocate, release, AllocationError, MAX_ALLOCATE } from './batch/arena.js';
export { createPool, sharedFloat64, Pool, MIN_POINTS, type PoolOptions } from './batch/pool.js';
export { plan, compileKernel, type Plan, type Kernel, type Input } from './batch/compile.js';

// The engine: DeZero's Variables and Functions.
export { Variable, DFunction, asVariable, type BackwardOptions, type BackwardStep } from './engine/variable.js';
export { Config, noGrad, usingBackprop } from './engine/config.js';
export {
  Tensor,
  tensor,
  shapeOf,
  broadcastShapes,
  MAX_ELEMENTS,
  TensorError,
  ShapeError,
  TensorSizeError,
  ScalarOnlyError,
  type Value,
  type Nested,
} from './engine/tensor.js';
export { SingularMatrixError } from './engine/arrays.js';
export * from './engine/ops.js';
export {
  graphOf,
  clearGrads,
  gradients,
  derivatives,
  hessian,
  type PassOptions,
  type DerivativesOptions,
} from './engine/gradients.js';
export { OPS, ALL_OPS, CALLABLE, CONSTANTS, opOf, type OpSpec, type Term } from './engine/registry.js';
export { defineOp, backwardTerms, OpFunction, type OpClass, type OpDefinition, type Kink } from './engine/op.js';
export { NUM, type Prims } from './engine/primitives.js';

// Expressions: the parser and the graph builder.
export { parse, MAX_INPUT_LENGTH, MAX_NODES } from './expr/parse.js';
export { build, variableNames, displayName, nameGradientGraph, type Graph, type ForwardStep } from './expr/build.js';
export { evaluateConstant } from './expr/constant.js';
export { ExprError, MissingValueError } from './expr/errors.js';
export { parseStatement, stripComment, type Statement } from './expr/statement.js';
export type { Node, NumberNode, ConstantNode, VariableNode, CallNode } from './expr/ast.js';

// The renderers: records in, strings out.
export type { RenderSettings } from './report/settings.js';
export type { Style } from './report/style.js';
export { renderText } from './report/text.js';
export { renderJson, jsonObject } from './report/json.js';
export { renderDot } from './report/dot.js';
export { renderTree } from './report/tree.js';
export { renderDerivatives, renderHessian, renderPass, derivativesJson } from './report/derivatives.js';
export {
  renderMinimizeText,
  renderRootText,
  minimizeRows,
  rootRows,
  minimizeJson,
  rootJson,
} from './report/optimize.js';

export { VERSION } from './version.js';

/** @deprecated Renamed `derivativesAt` (one name a concept); this alias goes in the next version. */
export const higherDerivatives = derivativesAt;
/** @deprecated Renamed `hessianAt` (one name a concept); this alias goes in the next version. */
export const hessianOf = hessianAt;
