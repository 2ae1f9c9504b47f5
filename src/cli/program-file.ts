/**
 * Programs in files: `dezero-grad -f step.dz --x 0.5`. A file of bindings and function
 * definitions (see src/api/program.ts) whose last line is the expression to differentiate; `#`
 * starts a comment. Values on the command line give the leaves (a binding of such a leaf to a
 * constant in the file is its default, and the command line wins); many points (ranges, lists)
 * then run the last line through the batch path. Errors name the file, the line and the column.
 * A file without any binding is one expression, as before (comments removed).
 */
import { Program } from '../api/program.js';
import type { Node } from '../expr/ast.js';
import type { Postfix } from '../expr/postfix.js';
import { ExprError, MissingValueError } from '../expr/errors.js';
import { parseStatement, stripComment } from '../expr/statement.js';
import { variableNames } from '../expr/build.js';
import type { Value } from '../engine/tensor.js';
import { formatNumber } from '../report/format.js';
import { valueText } from '../report/text.js';
import type { RenderSettings } from '../report/settings.js';
import { PLAIN } from '../report/style.js';
import { PlacedError, UsageError } from './errors.js';
import type { GivenValue } from './values.js';

/** The lines of a file or of standard input: a byte-order mark dropped, CRLF or LF line ends. */
export function programLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * A leaf's update (`x = x - ...`), as every mode but JSON says it: `x = 1.45  (updated, was 2)`; a
 * vector or matrix as numpy prints it, with its shape: `W = [[0.9, 1.8],\n     [2.7, 3.6]]  [2, 2]  (updated)`.
 */
export function updateText(update: Update, settings: RenderSettings): string {
  const s = settings.style ?? PLAIN;
  const { name, value, was } = update;
  if (typeof value === 'number' && typeof was === 'number') {
    const n = (x: number): string => formatNumber(x, settings.precision);
    return `${s.name(name)} = ${s.value(n(value))}  ${s.dim(`(updated, was ${n(was)})`)}\n`;
  }
  const before = typeof was === 'number' ? `, was ${formatNumber(was, settings.precision)}` : '';
  return `${s.name(name)} = ${valueText(value, name.length + 3, s, settings.precision)}  ${s.dim(`(updated${before})`)}\n`;
}

export interface Update {
  name: string;
  value: Value;
  was: Value;
}

export type ReadProgram =
  | {
      kind: 'expression';
      source: string;
      /** The parsed source (the parser's compact form), when reading it already parsed it. */
      postfix?: Postfix;
    }
  | {
      kind: 'program';
      /** The last line, as written. */
      source: string;
      /** The last line expanded: only built-in ops and leaves. */
      root: Node;
      named: Map<Node, string>;
      /** The names the program binds, which the graph's letters avoid. */
      reserved: string[];
      /** The leaves the last line uses, at one point, as the program left them (many points come from the command line). */
      values: Map<string, Value>;
      /** The updates of leaves (`x = x - ...`) in the order they ran, to print. */
      updates: Update[];
      /** Every variable some line names (a command-line value for one of them is used). */
      mentioned: Set<string>;
    };

/** True when some line of `text` binds a name or defines a function. */
function hasBindings(lines: readonly string[], parsed?: { postfix?: Postfix }): boolean {
  return lines.some((line, i) => {
    try {
      const s = parseStatement(line);
      // The file's one expression on its first line, as parse(source) would give it: kept, so a
      // long expression is parsed once.
      if (s.type === 'expression' && i === 0 && parsed !== undefined && stripComment(line) === line)
        parsed.postfix = s.postfix;
      return s.type === 'bind' || s.type === 'define';
    } catch {
      // `f(t) = g(t)` fails to parse before g is known, but it is a definition all the same
      return /^\s*[A-Za-z_][A-Za-z0-9_]*\s*(\([^)]*\))?\s*(,\s*[A-Za-z_][A-Za-z0-9_]*\s*)*=[^=]/.test(
        stripComment(line),
      );
    }
  });
}

/**
 * Reads `text` (from `file`, `-` for standard input): one expression, or a program, run here up to
 * its last line. `given` holds the command line's values.
 */
export function readProgram(text: string, file: string, given: ReadonlyMap<string, GivenValue>): ReadProgram {
  const lines = programLines(text);
  const parsed: { postfix?: Postfix } = {};
  if (!hasBindings(lines, parsed)) {
    const source = lines.map(stripComment).join('\n');
    const alone = lines.every((line, i) => i === 0 || stripComment(line).trim() === '');
    return {
      kind: 'expression',
      source,
      ...(alone && parsed.postfix !== undefined ? { postfix: parsed.postfix } : {}),
    };
  }
  const name = file === '-' ? 'stdin' : file;
  const many = [...given].filter(([, v]) => v.kind !== 'number' && v.kind !== 'tensor').map(([n]) => n);
  const program = new Program({ fixed: new Set(given.keys()) });
  for (const [n, v] of given) program.setLeaf(n, v.kind === 'number' || v.kind === 'tensor' ? v.value : Number.NaN);
  let last = -1;
  for (let i = lines.length - 1; i >= 0 && last < 0; i--) if (stripComment(lines[i]).trim() !== '') last = i;
  if (last < 0) throw new UsageError(`${name} has no expression: its last line should be the one to differentiate`);
  const located = (e: unknown, i: number): unknown =>
    e instanceof ExprError || e instanceof UsageError ? new PlacedError(e, `${name}:${i + 1}`) : e;
  const updates: Update[] = [];
  const mentioned = new Set<string>();
  for (let i = 0; i < last; i++) {
    const line = lines[i];
    try {
      const statement = parseStatement(line, program.arities());
      if (statement.type === 'expression') {
        throw new ExprError(
          'only the last line is an expression to evaluate',
          line,
          line.search(/\S/),
          'bind it to a name (z = ...) or move it to the end',
        );
      }
      if (many.length > 0 && statement.type === 'bind') {
        const update = statement.targets.find(
          (t) =>
            statement.targets.length > 1 ||
            (variableNames(t.rhs).includes(t.name.text) && program.bindings.get(t.name.text)?.kind === 'leaf'),
        );
        if (update !== undefined) {
          throw new ExprError(
            `${update.name.text} is updated here, which takes its value at one point, and --${many[0]} gives many`,
            line,
            update.name.start,
            `give --${many[0]} one value, or run the points one by one`,
          );
        }
      }
      if (statement.type === 'bind')
        for (const t of statement.targets) for (const n of variableNames(t.rhs)) mentioned.add(n);
      if (statement.type === 'define') for (const n of variableNames(statement.body)) mentioned.add(n);
      const outcome = program.execute(statement, line);
      if (outcome.type === 'bound') {
        for (const b of outcome.bindings) {
          if (b.was !== undefined && b.binding.kind === 'leaf') {
            updates.push({ name: b.binding.name, value: b.binding.value, was: b.was });
          }
        }
      }
    } catch (e) {
      throw located(e, i);
    }
  }
  const source = lines[last];
  try {
    const statement = parseStatement(source, program.arities());
    if (statement.type !== 'expression') {
      throw new ExprError(
        'the last line should be the expression to differentiate',
        source,
        source.search(/\S/),
        'end the file with an expression, e.g. the name you bound: z',
      );
    }
    const expanded = program.expanded(statement.root, source);
    const values = new Map<string, Value>();
    for (const leaf of expanded.leaves) {
      const b = program.bindings.get(leaf);
      // A command-line number is where a leaf starts; the program may have updated it since.
      if (given.get(leaf)?.kind !== 'array' && given.get(leaf)?.kind !== 'stdin' && b?.kind === 'leaf') {
        values.set(leaf, b.value);
      }
    }
    const { named, reserved } = expanded;
    for (const n of expanded.leaves) mentioned.add(n);
    return { kind: 'program', source, root: expanded.root, named, reserved, values, updates, mentioned };
  } catch (e) {
    if (e instanceof MissingValueError) {
      const hint = `give it with --${e.variable} VALUE, or bind it in ${name}: ${e.variable} = 0.5`;
      throw located(new MissingValueError(e.variable, e.input, e.index, hint), last);
    }
    throw located(e, last);
  }
}
