/**
 * The REPL's session, with no terminal in sight: it takes one line and returns what to print.
 * The program (src/api/program.ts) keeps the bindings and the functions; the session keeps the
 * last result (for `:trace` and `:json`) and turns outcomes into text. The readline layer in
 * repl.ts only moves lines in and text out.
 *
 * A line is a `:command [argument]` (see commands.ts) or a statement (src/expr/statement.ts):
 * blank or a `# comment`, `NAME = expression`, `A, B = e1, e2`, `NAME(P, ...) = expression`, or an
 * expression, whose value and gradient with respect to every leaf it uses are printed.
 */
import { differentiate } from '../../api/differentiate.js';
import { MAX_EXPANDED, Program, type Binding, type BoundName, type Definition } from '../../api/program.js';
import type { Graph } from '../../expr/build.js';
import { build } from '../../expr/build.js';
import { ExprError } from '../../expr/errors.js';
import { parseStatement } from '../../expr/statement.js';
import { visible } from '../../expr/visible.js';
import { jsonObject, renderJson } from '../../report/json.js';
import type { RenderSettings } from '../../report/settings.js';
import type { IO } from '../io.js';
import { PLAIN, type Style } from '../../report/style.js';
import { renderText, valueText } from '../../report/text.js';
import { formatValue, valueShapeText } from '../../report/array.js';
import { UsageError, asUsageError } from '../errors.js';
import { formatError, warnNonFinite } from '../messages.js';
import { programLines, updateText } from '../program-file.js';
import { findCommand } from './commands.js';
import type { LastResult, ReplSession } from './state.js';

export { MAX_EXPANDED };

/** How deep `:load` may nest (a file that loads another). */
const MAX_LOAD_DEPTH = 8;

/** What one line produced. */
export interface LineResult {
  /** For standard output. */
  out: string;
  /** For standard error: the error, or warnings. */
  err: string;
  /** False when the line was an error (the session goes on either way). */
  ok: boolean;
  /** True after `:quit`. */
  quit: boolean;
}

export interface SessionOptions {
  /** How to print: the precision, the style, the terminal width (for `:trace`). */
  settings?: RenderSettings;
  /** Print `x = 0.5` after an assignment and the function after a definition (on a terminal). */
  echo?: boolean;
  /** Prefix errors with `line N:` (piped input, where the line is not on the screen). */
  lineNumbers?: boolean;
  /**
   * One JSON object a result line (JSON Lines, the schema of the CLI's --json), errors as
   * `{"error": ..., "line": N}`, on standard output; bindings print nothing.
   */
  json?: boolean;
  /**
   * Ask the user to pick one of `choices` (a terminal with @inquirer/prompts); absent where no one
   * can answer, and then commands take their default.
   */
  choose?(message: string, choices: readonly string[]): Promise<string>;
  /** For `:plot`: the terminal's size and writing files; absent: 80 x 24, and no files. */
  io?: Pick<IO, 'env' | 'columns' | 'rows' | 'writeFile'>;
  /** Reads a file for `:load`; absent: `:load` says it is not available. */
  readFile?(path: string): Promise<string>;
  /**
   * Runs a line's synchronous work so that Ctrl-C can stop it (interrupt.ts, on a terminal); the
   * line then fails with that error and the session goes on. Absent: the work just runs.
   */
  guard?<T>(work: () => T): T;
  /** Most operations the calls to defined functions may expand to in one line (MAX_EXPANDED). */
  maxExpanded?: number;
}

/** A `:load` that stopped at a line: what the lines before it printed, and the error. */
export class LoadError extends Error {
  constructor(
    readonly out: string,
    readonly err: string,
  ) {
    super('load failed');
  }
}

export class Session implements ReplSession {
  readonly program: Program;
  last: LastResult | undefined;
  private done = false;
  private lineNumber = 0;
  private loading = 0;
  /** Warnings of the lines a `:load` ran, for standard error. */
  private warnings = '';

  constructor(readonly options: SessionOptions = {}) {
    this.program = new Program({ maxExpanded: options.maxExpanded });
  }

  /** The leaves and intermediates, in the order they were bound (earlier versions included). */
  get variables(): Map<string, Binding> {
    return this.program.bindings;
  }

  get functions(): Map<string, Definition> {
    return this.program.functions;
  }

  get settings(): RenderSettings {
    return this.options.settings ?? {};
  }

  get style(): Style {
    return this.settings.style ?? PLAIN;
  }

  /** Runs one line. Never throws: errors come back in `err` (in `out` for JSON) with `ok: false`. */
  async run(line: string): Promise<LineResult> {
    this.lineNumber++;
    let out = '';
    let err = '';
    try {
      const trimmed = line.trim();
      const guard = this.options.guard ?? (<T>(work: () => T): T => work());
      if (trimmed.startsWith(':')) out = await guard(() => this.command(trimmed.slice(1)));
      else ({ out, err } = guard(() => this.statement(line)));
      return { out, err: this.takeWarnings() + err, ok: true, quit: this.done };
    } catch (error) {
      const e = asUsageError(error);
      err = this.takeWarnings() + err;
      if (e instanceof LoadError) return { out: out + e.out, err: err + e.err, ok: false, quit: this.done };
      if (this.options.json && (e instanceof ExprError || e instanceof UsageError)) {
        const where = e instanceof ExprError ? { column: e.column } : {};
        return {
          out: JSON.stringify({ error: e.message, line: this.lineNumber, ...where }) + '\n',
          err,
          ok: false,
          quit: this.done,
        };
      }
      return { out, err: err + this.formatFailure(e), ok: false, quit: this.done };
    }
  }

  /**
   * `:load FILE`: runs the file's lines as if typed, stopping at the first that fails (its error
   * names FILE, the line and the column). Prints what the lines print.
   */
  async load(path: string): Promise<string> {
    if (path === '') throw new UsageError(':load needs a file name', 'write :load step.dz');
    if (this.options.readFile === undefined) throw new UsageError(':load is not available here');
    let text: string;
    try {
      text = await this.options.readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    if (this.loading >= MAX_LOAD_DEPTH) {
      throw new UsageError(
        `:load ${path}: files load each other more than ${MAX_LOAD_DEPTH} deep`,
        'does a file load itself?',
      );
    }
    this.loading++;
    try {
      return await this.loadLines(path, text);
    } finally {
      this.loading--;
    }
  }

  private async loadLines(path: string, text: string): Promise<string> {
    let out = '';
    for (const [i, line] of programLines(text).entries()) {
      try {
        if (line.trim().startsWith(':')) out += await this.command(line.trim().slice(1));
        else {
          const r = this.statement(line);
          out += r.out;
          this.warnings += r.err; // printed on standard error after the command
        }
      } catch (error) {
        const e = asUsageError(error);
        if (!(e instanceof ExprError || e instanceof UsageError)) throw e;
        if (this.options.json) {
          const where = e instanceof ExprError ? { column: e.column } : {};
          throw new LoadError(out + JSON.stringify({ error: e.message, file: path, line: i + 1, ...where }) + '\n', '');
        }
        throw new LoadError(out, formatError(e, `${path}:${i + 1}`));
      }
    }
    return out;
  }

  private takeWarnings(): string {
    const w = this.warnings;
    this.warnings = '';
    return w;
  }

  /** Ends the session after this line (`:quit`). */
  quit(): void {
    this.done = true;
  }

  /** Forgets everything (`:clear`). */
  clear(): void {
    this.program.clear();
    this.last = undefined;
  }

  /** `:trace`: the full forward and backward trace of the last expression. */
  traceText(): string {
    const last = this.requireLast('trace');
    return renderText(last.result, last.values, this.settings);
  }

  /** `:json`: the last expression's result as one JSON object. */
  jsonText(): string {
    const last = this.requireLast('json');
    return renderJson(last.source.trim(), last.values, last.result, this.settings);
  }

  /** The last expression's graph built afresh and differentiated, for `:dot`, `:tree` and `:order`. */
  lastGraph(command: string): Graph {
    const last = this.requireLast(command);
    const graph = build(last.root, last.values, last.source, { named: last.named, reserved: last.reserved });
    differentiate(graph);
    return graph;
  }

  requireLast(command: string): LastResult {
    if (this.last === undefined) {
      throw new UsageError(
        `:${command} shows the last expression, and there is none yet`,
        'type an expression first, e.g. sin(x)^2',
      );
    }
    return this.last;
  }

  /** `x = 0.5`, or `z = 2*x + 2 + x  (-10 now)` for an intermediate, as the session shows a binding. */
  describeBinding(b: Binding): string {
    const s = this.style;
    const precision = this.settings.precision;
    if (b.kind === 'leaf') return `${s.name(b.name)} = ${valueText(b.value, b.name.length + 3, s, precision)}`;
    let now = '';
    try {
      // A vector or matrix on one line is shown whole; a longer one by its shape.
      const v = this.program.valueOf(b.name);
      const text = formatValue(v, precision);
      now = '  ' + s.dim(`(${text.includes('\n') ? `shape ${valueShapeText(v)}` : text} now)`);
    } catch {
      // a name it uses is unbound now: shown as written
    }
    return `${s.name(b.name)} = ${b.text}${now}`;
  }

  /** `f(t) = sin(t)^2` as the session shows a function. */
  describeFunction(d: Definition): string {
    return `${this.style.fn(d.name)}(${d.params.map((p) => this.style.name(p)).join(', ')}) = ${visible(d.text, false)}`;
  }

  private async command(text: string): Promise<string> {
    const match = /^([A-Za-z]*)\s*(.*)$/s.exec(text)!;
    return findCommand(match[1]).run(this, match[2].trim());
  }

  /** A binding, a definition or an expression (or nothing). */
  private statement(line: string): { out: string; err: string } {
    const outcome = this.program.execute(parseStatement(line, this.program.arities()), line);
    switch (outcome.type) {
      case 'blank':
        return { out: '', err: '' };
      case 'defined': {
        if (!this.options.echo || this.options.json) return { out: '', err: '' };
        const note =
          outcome.replaced === 'variable' ? this.style.dim(`  (replaces the variable ${outcome.definition.name})`) : '';
        return { out: this.describeFunction(outcome.definition) + note + '\n', err: '' };
      }
      case 'bound':
        return { out: outcome.bindings.map((b) => this.boundText(b)).join(''), err: '' };
      case 'result': {
        const { built, result } = outcome;
        const { root, named, reserved, values } = built;
        this.last = { source: line, root, named, reserved, values, result };
        let err = '';
        warnNonFinite(result, built.values, { err: (t) => (err += t) });
        if (this.options.json) {
          const obj = jsonObject(line.trim(), built.values, result, this.settings);
          return { out: JSON.stringify(obj) + '\n', err };
        }
        return { out: renderText(result, built.values, { ...this.settings, quiet: true }), err };
      }
    }
  }

  /** An update (`x = x - ...`) says so in every mode but JSON; other bindings echo on a terminal. */
  private boundText(b: BoundName): string {
    if (this.options.json) return '';
    const s = this.style;
    if (b.was !== undefined && b.binding.kind === 'leaf') {
      return updateText({ name: b.binding.name, value: b.binding.value, was: b.was }, this.settings);
    }
    if (!this.options.echo) return '';
    const notes = [
      b.fixed === true ? 'given on the command line; kept' : '',
      b.replaced === 'function' ? `replaces the function ${b.binding.name}` : '',
    ].filter((n) => n !== '');
    return this.describeBinding(b.binding) + (notes.length > 0 ? '  ' + s.dim(`(${notes.join('; ')})`) : '') + '\n';
  }

  private formatFailure(error: unknown): string {
    const e = asUsageError(error);
    let text: string;
    if (e instanceof ExprError || e instanceof UsageError) {
      text = formatError(e);
    } else {
      const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
      text = `dezero-grad: internal error: a bug in dezero-grad; please report it with the line you typed\n${detail}\n`;
    }
    return this.options.lineNumbers ? text.replace(/^dezero-grad: /, `dezero-grad: line ${this.lineNumber}: `) : text;
  }
}
