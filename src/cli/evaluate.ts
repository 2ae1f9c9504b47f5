/**
 * The default command: read the expression, collect the variables' values, run forward and
 * backward, print the trace (text or JSON).
 */
import { differentiate } from '../api.js';
import { build, variableNames } from '../expr/build.js';
import { evaluateConstant } from '../expr/constant.js';
import { ExprError } from '../expr/errors.js';
import { parse } from '../expr/parse.js';
import { jsonObject } from '../report/json.js';
import { checkJson, renderCheckText, renderSymbolicText, symbolicJson } from '../report/check.js';
import { formatNumber } from '../report/format.js';
import { makeStyle } from '../report/style.js';
import { renderText } from '../report/text.js';
import { nonFiniteWarning } from '../report/warnings.js';
import type { Assignment } from './args.js';
import { colorLevel } from './color.js';
import { graphCommand, wantsGraphOptions, type GraphOptions } from './higher.js';
import { EXIT, UsageError } from './errors.js';
import type { IO } from './io.js';
import { ValueError } from './messages.js';

export interface EvaluateOptions {
  expression?: string;
  file?: string;
  assignments: Assignment[];
  json: boolean;
  quiet: boolean;
  precision?: number;
  /** --color / --no-color; undefined when neither was given. */
  color?: boolean;
  /** --check: compare with a central difference and mathjs's derivative; exit 3 on a mismatch. */
  check?: boolean;
  /** --symbolic: print mathjs's derivative in our grammar. */
  symbolic?: boolean;
  /** --order, --hessian, --dot, --tree, ...: handled by higher.ts. */
  graph?: GraphOptions;
}

export async function evaluateCommand(options: EvaluateOptions, io: IO): Promise<number> {
  const source = await readExpression(options, io);
  const root = parse(source);
  const given = parseAssignments(options.assignments);
  const names = variableNames(root);

  for (const name of given.keys()) {
    if (!names.includes(name)) io.err(`dezero-grad: warning: --${name} is given but the expression does not use ${name}\n`);
  }
  const values = new Map<string, number>();
  for (const name of names) {
    let value = given.get(name);
    if (value === undefined) value = await askFor(name, source, io);
    values.set(name, value);
  }

  const graph = build(root, values, source);
  const result = differentiate(graph);
  warnNonFinite(result, values, io);
  const check = options.check === true;
  const symbolic = options.symbolic === true;
  if ((check || symbolic) && options.graph !== undefined && wantsGraphOptions(options.graph)) {
    throw new UsageError(
      `--${check ? 'check' : 'symbolic'} applies to the first derivatives and does not combine with --order, --hessian, --dot, --graph or --tree`,
      'run them as two commands',
    );
  }
  // mathjs is loaded only here, on the paths that ask for it.
  const v = check || symbolic
    ? await (await import('./verify.js')).verify(root, values, result, { check, symbolic })
    : undefined;

  if (options.graph !== undefined && wantsGraphOptions(options.graph)) {
    const style = makeStyle(colorLevel(options.color, io.env, io.stdoutIsTTY));
    const { json, quiet, precision } = options;
    return graphCommand(options.graph, { source, graph, result, values, json, quiet, precision, style, width: io.columns }, io);
  }

  if (options.json) {
    const obj = jsonObject(source.trim(), values, result, { precision: options.precision, quiet: options.quiet });
    if (v?.check !== undefined) obj.check = checkJson(v.check, options.precision);
    if (v?.symbolic !== undefined) obj.symbolic = symbolicJson(v.symbolic);
    io.out(JSON.stringify(obj) + '\n');
  } else {
    const style = makeStyle(colorLevel(options.color, io.env, io.stdoutIsTTY));
    io.out(renderText(result, values, { precision: options.precision, style, quiet: options.quiet, width: io.columns }));
    if (v?.symbolic !== undefined) io.out(renderSymbolicText(v.symbolic, result.trace.output, style));
    if (v?.check !== undefined) io.out(renderCheckText(v.check, result.trace.output, style, options.precision));
  }
  return v?.check !== undefined && [...v.check.values()].some((e) => !e.ok) ? EXIT.CHECK_MISMATCH : EXIT.OK;
}

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
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
    }
  }
  if (expression === '-') return io.readStdin();
  if (expression === undefined) {
    throw new UsageError('no expression given', 'dezero-grad "square(exp(square(x)))" --x 0.5  (see --help)');
  }
  return expression;
}

function parseAssignments(assignments: readonly Assignment[]): Map<string, number> {
  const values = new Map<string, number>();
  for (const a of assignments) {
    if (values.has(a.name)) throw new UsageError(`${a.name} is given twice`, `give --${a.name} once`);
    try {
      values.set(a.name, evaluateConstant(a.value));
    } catch (e) {
      if (e instanceof ExprError) throw new ValueError(a.flag, e);
      throw e;
    }
  }
  return values;
}

/** On a terminal, asks for a missing value; elsewhere, a missing value is an error (never waits). */
async function askFor(name: string, source: string, io: IO): Promise<number> {
  if (io.ask === undefined || !io.stdinIsTTY || !io.stdoutIsTTY) {
    throw new ExprError(`no value for ${name}`, source, firstIndexOf(source, name), `give it with --${name} VALUE (or -v ${name}=VALUE)`);
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

function firstIndexOf(source: string, name: string): number {
  const re = new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`);
  const m = re.exec(source);
  return m === null ? 0 : m.index;
}

export function warnNonFinite(result: ReturnType<typeof differentiate>, values: ReadonlyMap<string, number>, io: Pick<IO, 'err'>): void {
  const warning = nonFiniteWarning(result.trace, values);
  if (warning !== undefined) {
    io.err(`dezero-grad: warning: ${warning}\n`);
    return;
  }
  const badGrad = result.trace.backward.find((r) => !Number.isFinite(r.value));
  if (badGrad !== undefined) {
    io.err(`dezero-grad: warning: ${badGrad.name}.grad from ${badGrad.label}.backward(${badGrad.from}.grad) is ${formatNumber(badGrad.value)}\n`);
  }
}
