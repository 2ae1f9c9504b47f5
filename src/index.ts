/**
 * dezero-grad as a library: `grad(expression, values)`, the engine (Variable, the function base
 * class, the ops) and the parser.
 */
export { grad, differentiate, type GradResult, type Values, type BatchValues } from './api/grad.js';
export { CompiledExpression, broadcastLength, LengthMismatchError, type BatchResult } from './batch/run.js';
export { createPool, sharedFloat64, Pool, MIN_POINTS, type PoolOptions } from './batch/pool.js';
export { plan, compileKernel, type Plan, type Kernel, type Input } from './batch/compile.js';
export {
  higherDerivatives,
  hessianOf,
  derivativeName,
  MAX_GRADIENT_FUNCTIONS,
  GraphTooLargeError,
  type HigherResult,
  type HessianResult,
  type GradientPass,
  type HigherOptions,
} from './api/higher.js';
export { diffClusters, graphView, gradSnapshot, type Cluster, type GraphView } from './api/view.js';
export { Variable, DFunction, asVariable, type BackwardOptions, type BackwardStep } from './engine/variable.js';
export { Config, noGrad, usingBackprop } from './engine/config.js';
export * from './engine/ops.js';
export { graphOf, clearGrads, gradients, derivatives, hessian, diff, Diff, type PassOptions, type DerivativesOptions } from './engine/gradients.js';
export { OPS, CALLABLE, CONSTANTS, BY_LABEL, type OpSpec } from './engine/registry.js';
export { parse, MAX_INPUT_LENGTH, MAX_NODES } from './expr/parse.js';
export { build, variableNames, displayName, nameGradientGraph, type Graph, type ForwardStep } from './expr/build.js';
export { evaluateConstant } from './expr/constant.js';
export { ExprError, MissingValueError } from './expr/errors.js';
export type { Node, NumberNode, ConstantNode, VariableNode, CallNode } from './expr/ast.js';
export type { Trace, ForwardRecord, BackwardRecord } from './api/trace.js';
export { renderText } from './report/text.js';
export { renderJson, jsonObject } from './report/json.js';
export { renderDot } from './report/dot.js';
export { renderTree } from './report/tree.js';
export { renderDerivatives, renderHessian, renderPass, higherJson } from './report/derivatives.js';
export { VERSION } from './version.js';
