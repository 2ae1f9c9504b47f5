/**
 * The default command: read the expression, collect the variables' values, run forward and
 * backward, print the trace (text or JSON).
 */
import { differentiate, scalarGradients, type GradResult } from '../api/differentiate.js';
import { differentiateOnTape } from '../api/differentiate-tape.js';
import { build, variableNames, type Graph } from '../expr/build.js';
import { evaluateConstant } from '../expr/constant.js';
import { ExprError, MissingValueError } from '../expr/errors.js';
import { parse, parsePostfix } from '../expr/parse.js';
import type { Node } from '../expr/ast.js';
import { toTree } from '../expr/postfix.js';
import { jsonObject } from '../report/json.js';
import { textPieces } from '../report/text.js';
import { parseVarOption, type Assignment } from './args.js';
import { MAX_JSON_POINTS, parseAssignments, tensorValue, type GivenValue } from './values.js';
import { filledLike, type Tensor, type Value } from '../engine/tensor.js';
import { DataFileError, decodeFile } from '../expr/data.js';
import { allFiniteValue, valueShapeText } from '../report/array.js';
import type { BatchFormat } from '../report/table.js';
import { renderSettings } from './color.js';
import { checkWrt, wantsGraphOptions, wantsPointOptions, type GraphOptions } from './graph-flags.js';
import { checkPlot, checkPlotOutput, plotTarget } from './plot-options.js';
import { EXIT, UsageError } from './errors.js';
import { nearest } from '../expr/suggest.js';
import type { IO } from './io.js';
import { warnNonFinite } from './messages.js';

export interface EvaluateOptions {
  expression?: string;
  file?: string;
  assignments: Assignment[];
  json: boolean;
  quiet: boolean;
  precision?: number;
  /** Rows for many points: table, tsv, csv; given, even a single point prints as one row. */
  format?: BatchFormat;
  /** --color / --no-color; undefined when neither was given. */
  color?: boolean;
  /** --check: compare with a central difference and mathjs's derivative; exit 3 on a mismatch. */
  check?: boolean;
  /** --symbolic: print mathjs's derivative in our grammar. */
  symbolic?: boolean;
  /** --jacobian: the Jacobian of the output, one backward pass per element (issue 16). */
  jacobian?: boolean;
  /** --vjp: the cotangent backward starts from (a value, or @FILE), instead of ones. */
  vjp?: string;
  /** --jvp NAME=TANGENT (repeatable): forward mode's J·v. */
  jvp?: string[];
  /** --simd: many points on the WebAssembly SIMD kernel (polynomial exp, sin, cos, tanh). */
  simd?: boolean;
  /** --order, --hessian, --dot, --tree, ...: handled by graph-options.ts. */
  graph?: GraphOptions;
  /** --plot: draw the value and the derivatives over a range (true: in the terminal; a .svg or .png file). */
  plot?: string | true;
  /** The program's long options (`--precision`), to tell a mistyped one from an unused variable. */
  optionNames?: readonly string[];
}

/** Throws for `--NAME` close to one of the program's options when NAME is not a variable. */
function mistypedOption(name: string, optionNames: readonly string[] = []): void {
  const option = nearest(`--${name}`, optionNames);
  if (option !== undefined) {
    throw new UsageError(
      `unknown option --${name} (and the expression has no variable ${name})`,
      `did you mean ${option}?`,
    );
  }
}

export async function evaluateCommand(options: EvaluateOptions, io: IO): Promise<number> {
  // A name close to an option (--precison 3, --formt csv) that the expression does not use is
  // a mistyped option: said before its value is read as a number.
  const optionLike = options.assignments.filter((a) => nearest(`--${a.name}`, options.optionNames ?? []) !== undefined);
  if (optionLike.length > 0 && options.expression !== undefined && options.expression !== '-') {
    const used = variableNames(parse(options.expression));
    for (const a of optionLike) if (!used.includes(a.name)) mistypedOption(a.name, options.optionNames);
  }
  // --json holds every point: a range past its limit is refused before it is made.
  const jsonLimit = { points: MAX_JSON_POINTS, hint: 'with --json; --format tsv streams any number of points' };
  const given = parseAssignments(options.assignments, options.json ? jsonLimit : undefined);
  checkStdin(options, given);
  await readValueFiles(given, io);
  const cotangent = options.vjp === undefined ? undefined : await readCotangent(options.vjp, io);
  const tangents = options.jvp === undefined ? undefined : await readTangents(options.jvp, io);
  const text = await readExpression(options, io);
  // A file (or standard input) may hold a program: bindings and functions, then the expression.
  const fromFile = options.file !== undefined || options.expression === '-';
  // (Many points, programs and --check are loaded with import() on their paths: start-up.)
  const read = fromFile ? (await import('./program-file.js')).readProgram(text, options.file ?? '-', given) : undefined;
  const source = read?.source ?? text;
  // An expression is read into the parser's compact form, which the tape takes as it is; its syntax
  // tree is made only on the paths that need one (a program's last line is a tree already).
  const postfix = read?.kind === 'program' ? undefined : (read?.postfix ?? parsePostfix(source));
  let root = read?.kind === 'program' ? read.root : undefined;
  const tree = (): Node => (root ??= toTree(postfix!));
  const program = read?.kind === 'program' ? { named: read.named, reserved: read.reserved } : {};
  const names = variableNames(postfix ?? tree());

  // Given on the command line, unused: a warning, and (at one point) a partial derivative of 0.
  const unused: string[] = [];
  for (const name of given.keys()) {
    if (names.includes(name) || (read?.kind === 'program' && read.mentioned.has(name))) continue;
    mistypedOption(name, options.optionNames);
    io.err(`dezero-grad: warning: --${name} is given but the expression does not use ${name}\n`);
    unused.push(name);
  }
  if (read?.kind === 'program') {
    for (const [name, value] of read.values)
      given.set(name, typeof value === 'number' ? { kind: 'number', value } : { kind: 'tensor', value });
  }
  for (const name of names) {
    if (!given.has(name)) given.set(name, { kind: 'number', value: await askFor(name, source, io) });
  }
  if (options.json && options.format !== undefined) {
    throw new UsageError('--json and --format are alternatives', 'give one of them');
  }
  const graphWanted = options.graph !== undefined && wantsGraphOptions(options.graph);
  const check = options.check === true;
  const symbolic = options.symbolic === true;
  const batch = options.format !== undefined || names.some((n) => isPoints(given.get(n)!));
  // Vectors and matrices (issue 16) take the trace, --quiet and --json for now.
  const tensor = [...given].find(([, v]) => v.kind === 'tensor');
  if (tensor !== undefined) tensorPathOnly(tensor[0], tensor[1] as { value: Tensor }, options, batch);
  outputOptionsAlone(options, batch);
  // Over many points: --order (and --wrt) add columns; the drawings and --hessian take one point.
  const pointOnly = graphWanted && options.graph !== undefined && wantsPointOptions(options.graph);
  if (options.simd && !batch) throw new UsageError('--simd takes many points (a list, a range or -)');
  if ((check || symbolic) && graphWanted) {
    throw new UsageError(
      `--${check ? 'check' : 'symbolic'} applies to the first derivatives and does not combine with --order, --hessian, --dot, --graph or --tree`,
      'run them as two commands',
    );
  }
  if (batch && pointOnly) {
    const what = '--hessian, --trace-grad, --dot, --graph and --tree take a single point';
    throw new UsageError(what, 'give each variable one value (--order works over many points)');
  }
  if (options.graph?.wrt !== undefined && options.graph.order === undefined) {
    throw new UsageError('--wrt goes with --order', `write --order 2 --wrt ${options.graph.wrt}`);
  }
  // --plot takes the table's place; --check's verdict and --symbolic's formulas follow the figure,
  // and with the figure in a file --json and --format print as well.
  const plot = options.plot === undefined ? undefined : plotTarget(options.plot);
  if (plot !== undefined) {
    checkPlotOutput(plot, options);
    checkPlot(names, given);
  }
  // The renderers' settings, made once for every output below (JSON has no colour: no chalk for it).
  const color = options.json ? false : options.color;
  const settings = await renderSettings({ precision: options.precision, color }, io.env, io.stdoutIsTTY, io.columns);
  // A program's updates of its leaves (`x = x - ...`, an optimiser's steps) say so, as in the session.
  if (read?.kind === 'program' && !options.json && !options.quiet) {
    const { updateText } = await import('./program-file.js');
    for (const u of read.updates) io.out(updateText(u, settings));
  }
  if (batch || plot !== undefined) {
    const { json, quiet } = options;
    const order = options.graph?.order;
    // A plot differentiates along its axis unless --wrt says otherwise.
    const along = plot === undefined ? undefined : names.find((n) => isPoints(given.get(n)!));
    const wrt = order === undefined ? undefined : checkWrt(names, options.graph?.wrt ?? along, ORDER_WORDS);
    const format = options.format ?? 'table';
    const rows = options.format !== undefined;
    const simd = options.simd;
    const run = {
      source,
      root: tree(),
      given,
      format,
      rows,
      json,
      quiet,
      settings,
      order,
      wrt,
      plot,
      check,
      symbolic,
      simd,
    };
    return (await import('./batch.js')).batchCommand(run, io);
  }
  const values = new Map<string, Value>();
  for (const name of names) values.set(name, (given.get(name) as { value: Value }).value);

  for (const name of unused) {
    const v = given.get(name)!;
    if (v.kind === 'number' || v.kind === 'tensor') values.set(name, v.value);
  }
  // --quiet records no trace: the numbers come from the tape (the same bits, no Variables); should
  // anything be non-finite, the Variables are built after all, for the warning's trace. (The tape
  // is in the start file: as a chunk of its own, loading it was ~0.35 ms of a -q run.)
  const lean = options.quiet && !graphWanted;
  const outputs =
    options.jacobian || cotangent !== undefined || tangents !== undefined ? await import('./outputs.js') : undefined;
  // The tape holds numbers: a vector or matrix value, or an output option, goes to the Variables.
  const numbers = [...values.values()].every((v) => typeof v === 'number');
  const taped =
    lean && numbers && outputs === undefined
      ? differentiateOnTape(postfix ?? tree(), values as ReadonlyMap<string, number>, program)
      : undefined;
  let graph: Graph | undefined;
  let result: GradResult<Value>;
  if (taped?.finite === true) result = taped.result;
  else {
    graph = build(tree(), values, source, program);
    if (outputs !== undefined) {
      const run = { source, root: tree(), graph, values, json: options.json, quiet: options.quiet, settings };
      if (options.jacobian) return outputs.jacobianCommand(run, io);
      if (tangents !== undefined) return outputs.jvpCommand(run, tangents, io);
      if (cotangent !== undefined) outputs.checkCotangent(cotangent, graph);
    }
    result = differentiate(graph, { trace: !lean, seed: cotangent });
    if (lean && !allFinite(graph, result)) result = differentiate(graph, { seed: cotangent });
  }
  warnNonFinite(result, values, io);
  // A value for a name the expression does not use: its partial derivative is 0, printed and in
  // --json (scripts pass the same options to many expressions); the warning above stays.
  for (const name of unused) if (values.has(name)) result.gradient[name] = filledLike(values.get(name)!, 0);
  if (typeof result.value !== 'number') {
    if (symbolic) throw noSymbolic(result.trace.output, result.value);
    if (graphWanted && options.graph !== undefined && higherOrder(options.graph)) {
      throw new UsageError(
        `--order and --hessian take an expression with a scalar value, and ${result.trace.output} has shape ${valueShapeText(result.value)}`,
        'reduce it to a number first, e.g. sum(...)',
      );
    }
    if (!options.json && cotangent === undefined) io.err(seedNote(result.trace.output, result.value));
  }
  // On vectors and matrices (or from a cotangent), --check compares element by element.
  if (check && (tensor !== undefined || typeof result.value !== 'number' || cotangent !== undefined)) {
    const run = {
      source,
      root: tree(),
      graph: graph ?? build(tree(), values, source, program),
      values,
      json: options.json,
      quiet: options.quiet,
      settings,
    };
    return (outputs ?? (await import('./outputs.js'))).elementCheckCommand(run, result, io);
  }
  // mathjs is loaded only by verify, on the paths that ask for it.
  const checks = check || symbolic ? await checkModules() : undefined;
  const scalars = values as ReadonlyMap<string, number>; // no tensor reaches --check or --symbolic
  const v = checks && (await checks.verify(tree(), scalars, scalarGradients(result), { check, symbolic }));

  if (graphWanted && options.graph !== undefined && graph !== undefined) {
    const { json, quiet } = options;
    const { graphCommand } = await import('./graph-options.js');
    return graphCommand(options.graph, { source, graph, result, values, json, quiet, settings }, io);
  }

  if (options.json) {
    const obj = jsonObject(source.trim(), values, result, { ...settings, quiet: options.quiet });
    if (v?.check !== undefined) obj.check = checks!.checkJson(v.check, settings);
    if (v?.symbolic !== undefined) obj.symbolic = checks!.symbolicJson(v.symbolic);
    io.out(JSON.stringify(obj) + '\n');
  } else {
    // The trace is written a piece at a time: a deep graph's never becomes one string.
    for (const piece of textPieces(result, values, { ...settings, quiet: options.quiet })) io.out(piece);
    if (v?.symbolic !== undefined) io.out(checks!.renderSymbolicText(v.symbolic, result.trace.output, settings));
    if (v?.check !== undefined)
      io.out(checks!.renderCheckText(v.check, result.trace.output, settings, EXIT.CHECK_MISMATCH));
  }
  return v?.check !== undefined && [...v.check.values()].some((e) => !e.ok) ? EXIT.CHECK_MISMATCH : EXIT.OK;
}

/** The code of --check and --symbolic: the comparison and its renderers. */
async function checkModules() {
  return { ...(await import('../api/check.js')), ...(await import('../report/check.js')) };
}

const ORDER_WORDS = { order: '--order', wrt: (name: string) => `--wrt ${name}` };

async function readExpression(options: EvaluateOptions, io: IO): Promise<string> {
  const { expression, file } = options;
  if (expression !== undefined && file !== undefined) {
    throw new UsageError('give the expression either as an argument or with --file, not both');
  }
  if (file !== undefined) {
    if (file === '-') return io.readStdin();
    try {
      return await io.readFile(file);
    } catch (e) {
      if (e instanceof UsageError) throw e; // too large, or a FIFO nothing writes to
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(
        `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`,
      );
    }
  }
  if (expression === '-') return io.readStdin();
  if (expression === undefined) {
    throw new UsageError('no expression given', 'dezero-grad "square(exp(square(x)))" --x 0.5  (see --help)');
  }
  return expression;
}

/** Standard input can carry the expression or a variable's values, not both. */
function checkStdin(options: EvaluateOptions, given: ReadonlyMap<string, GivenValue>): void {
  const streamed = [...given].find(([, v]) => v.kind === 'stdin');
  if (streamed !== undefined && (options.expression === '-' || options.file === '-')) {
    throw new UsageError(
      `standard input cannot carry both the expression and --${streamed[0]} -`,
      `put the expression in the argument or a file (-f FILE) and pipe the values: seq 0 0.1 1 | dezero-grad "tanh(x)" --${streamed[0]} -`,
    );
  }
}

/** On a terminal, asks for a missing value; elsewhere, a missing value is an error (never waits). */
async function askFor(name: string, source: string, io: IO): Promise<number> {
  if (io.ask === undefined || !io.stdinIsTTY || !io.stdoutIsTTY) {
    const hint = `give it with --${name} VALUE (or -v ${name}=VALUE)`;
    throw new MissingValueError(name, source, firstIndexOf(source, name), hint);
  }
  const text = await io.ask(name, (t) => {
    try {
      evaluateConstant(t);
      return true;
    } catch (e) {
      return e instanceof ExprError ? e.message : String(e);
    }
  });
  return evaluateConstant(text);
}

/** Where `name` first stands alone as a word in `source` (0 if nowhere); no RegExp built from input. */
function firstIndexOf(source: string, name: string): number {
  const word = /[A-Za-z0-9_]/;
  for (let i = source.indexOf(name); i >= 0; i = source.indexOf(name, i + 1)) {
    const end = i + name.length;
    if ((i === 0 || !word.test(source[i - 1])) && (end === source.length || !word.test(source[end]))) return i;
  }
  return 0;
}

function allFinite(graph: Graph, result: GradResult<Value>): boolean {
  return (
    allFiniteValue(result.value) &&
    Object.values(result.gradient).every(allFiniteValue) &&
    graph.steps.every((s) => allFiniteValue(s.output.data))
  );
}

/** Many points (a list, a range, standard input): the batch path. A vector is one value. */
function isPoints(v: GivenValue): boolean {
  return v.kind === 'array' || v.kind === 'stdin';
}

/** What the gradients of an output that is not a scalar are: DeZero's seed, ones of its shape. */
function seedNote(output: string, value: Tensor): string {
  return (
    `dezero-grad: note: ${output} has shape ${valueShapeText(value)}, not a scalar: the gradients are those of sum(${output}) ` +
    `(backward starts from ${output}.grad = ones, as DeZero does)\n`
  );
}

/** --order, --hessian and --trace-grad: the paths that take scalars only. */
function higherOrder(o: GraphOptions): boolean {
  return o.order !== undefined || o.hessian === true || o.traceGrad === true;
}

/** --symbolic on a vector or matrix: mathjs has no derivative of one. */
function noSymbolic(name: string, value: Tensor): UsageError {
  return new UsageError(
    `--symbolic: mathjs's derivative takes scalar expressions only, and ${name} has shape ${valueShapeText(value)}`,
    '--check compares every element with central differences; --jacobian prints the whole derivative',
  );
}

/** --jacobian and --vjp take one point, and neither combines with the other or the checking paths. */
function outputOptionsAlone(options: EvaluateOptions, batch: boolean): void {
  const given = [
    options.jacobian ? '--jacobian' : undefined,
    options.vjp !== undefined ? '--vjp' : undefined,
    options.jvp !== undefined ? '--jvp' : undefined,
  ].filter((o) => o !== undefined);
  if (given.length === 0) return;
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} are alternatives`, 'give one of them');
  const [what] = given;
  if (batch) throw new UsageError(`${what} takes a single point`, 'give each variable one value');
  const graph = options.graph;
  const others = [
    options.check ? '--check' : undefined,
    options.symbolic ? '--symbolic' : undefined,
    options.plot !== undefined ? '--plot' : undefined,
    graph !== undefined && higherOrder(graph) ? '--order, --hessian or --trace-grad' : undefined,
    what !== '--vjp' && graph !== undefined && wantsGraphOptions(graph) && !higherOrder(graph)
      ? '--dot, --graph or --tree'
      : undefined,
  ].filter((o) => o !== undefined);
  if (others.length > 0 && !(what === '--vjp' && others[0] === '--check')) {
    throw new UsageError(`${what} does not combine with ${others[0]}`, 'run them as two commands');
  }
}

/** `--vjp VALUE` or `--vjp @FILE`, read as a variable's value is. */
async function readCotangent(text: string, io: IO): Promise<Value> {
  const given = parseAssignments([{ name: 'vjp', value: text, flag: '--vjp' }]);
  await readValueFiles(given, io);
  const v = given.get('vjp')!;
  if (v.kind === 'number' || v.kind === 'tensor') return v.value;
  throw new UsageError(
    `--vjp takes one value, a number or a vector or matrix`,
    `write a vector in brackets: --vjp "[${text}]"`,
  );
}

/** `--jvp x=[1, 0] --jvp W=@dW.csv`: a tangent per variable, read as a variable's value is. */
async function readTangents(texts: readonly string[], io: IO): Promise<Map<string, Value>> {
  const assignments = texts.map((text) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(text))
      throw new UsageError(`--jvp expects NAME=TANGENT, got '${text}'`, 'write --jvp "x=[1, 0]"');
    const a = parseVarOption(text);
    return { ...a, flag: `--jvp ${a.name}` };
  });
  const given = parseAssignments(assignments);
  await readValueFiles(given, io);
  const tangents = new Map<string, Value>();
  for (const [name, v] of given) {
    if (v.kind !== 'number' && v.kind !== 'tensor') {
      throw new UsageError(
        `--jvp ${name} takes one value, a number or a vector or matrix`,
        `write --jvp "${name}=[1, 0]"`,
      );
    }
    tangents.set(name, v.value);
  }
  return tangents;
}

/** The options that take scalar values only, refused when a variable is a vector or matrix. */
function tensorPathOnly(name: string, v: { value: Tensor }, options: EvaluateOptions, batch: boolean): void {
  if (options.symbolic && !batch) throw noSymbolic(name, v.value);
  const what = batch
    ? 'many points (a list, a range, --NAME - or --format)'
    : options.plot !== undefined
      ? '--plot'
      : options.graph !== undefined && higherOrder(options.graph)
        ? '--order, --hessian and --trace-grad'
        : undefined;
  if (what === undefined) return;
  throw new UsageError(
    `${name} is a ${valueShapeText(v.value)} value, and ${what} take${what.startsWith('many') || what.includes(' and ') ? '' : 's'} scalar variables for now`,
    'the trace, --json, --check, --jacobian, --vjp, --dot, --graph and --tree take vectors and matrices',
  );
}

/** Reads and decodes each `--NAME @FILE` into its vector or matrix (minimize's starts too). */
export async function readValueFiles(given: Map<string, GivenValue>, io: IO): Promise<void> {
  for (const [name, v] of given) {
    if (v.kind !== 'file') continue;
    if (io.readBytes === undefined) throw new UsageError(`${v.flag} @FILE cannot be read here`);
    let bytes: Uint8Array;
    try {
      bytes = await io.readBytes(v.path);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(
        `cannot read ${v.path} for ${v.flag}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`,
      );
    }
    try {
      given.set(name, { kind: 'tensor', value: tensorValue(decodeFile(v.path, bytes)) });
    } catch (e) {
      if (e instanceof DataFileError) throw new UsageError(`bad value for ${v.flag}: ${e.message}`);
      throw e;
    }
  }
}
