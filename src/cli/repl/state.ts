/**
 * The session as its commands see it: its state (the variables, the functions defined, the last
 * result) and the few things a command asks of it. session.ts implements it and runs the commands
 * of commands.ts, which use only this: neither module imports the other back.
 */
import type { GradResult } from '../../api/grad.js';
import type { Binding, Definition } from '../../api/program.js';
import { shapeText, type Value } from '../../engine/tensor.js';
import type { Node } from '../../expr/ast.js';
import type { Graph } from '../../expr/build.js';
import type { RenderSettings } from '../../report/settings.js';
import type { Style } from '../../report/style.js';
import { UsageError } from '../errors.js';
import type { IO } from '../io.js';

export type { Binding, Definition };

/** The last expression evaluated, for `:trace` and `:json`. */
export interface LastResult {
  source: string;
  /** The expression with the calls to defined functions expanded: what was built. */
  root: Node;
  /** The named intermediates' nodes in `root`. */
  named: Map<Node, string>;
  /** The names bound when it ran, which the graph's letters avoid. */
  reserved: string[];
  values: Map<string, Value>;
  result: GradResult<Value>;
}

export interface ReplSession {
  /** The leaves and intermediates (with the hidden earlier versions of rebound ones). */
  readonly variables: Map<string, Binding>;
  readonly functions: Map<string, Definition>;
  /** How the session prints: the precision, the style, the terminal width. */
  readonly settings: RenderSettings;
  /** The settings' style, PLAIN when they have none. */
  readonly style: Style;
  readonly options: {
    /** Ask the user to pick one of `choices`; absent where no one can answer. */
    choose?(message: string, choices: readonly string[]): Promise<string>;
    /** Runs long synchronous work so that Ctrl-C can stop it (a terminal); absent: just runs it. */
    guard?<T>(work: () => T): T;
    /** For `:plot`: the terminal's size (or COLUMNS and LINES) and writing FILE.svg or .png. */
    io?: Pick<IO, 'env' | 'columns' | 'rows' | 'writeFile'>;
  };
  /** `:trace`: the full forward and backward trace of the last expression. */
  traceText(): string;
  /** `:json`: the last expression's result as one JSON object. */
  jsonText(): string;
  /** The last expression's graph built afresh and differentiated; `command` names the asker in errors. */
  lastGraph(command: string): Graph;
  /** The last result; a UsageError naming `command` when there is none yet. */
  requireLast(command: string): LastResult;
  /** `x = 0.5` or `z = 2*x + 2 + x  (-10 now)` as the session shows a binding. */
  describeBinding(b: Binding): string;
  /** `:load FILE`: runs the file's lines; the text they printed. */
  load(path: string): Promise<string>;
  /** `f(t) = sin(t)^2` as the session shows a function. */
  describeFunction(d: Definition): string;
  /** Ends the session after this line (`:quit`). */
  quit(): void;
  /** Forgets everything (`:clear`). */
  clear(): void;
}

/**
 * The last expression's values as numbers, for the commands that take scalar variables only
 * (`:check`, `:order`, `:plot`, `:root`): a vector or matrix is one UsageError naming the command,
 * the variable and its shape.
 */
export function scalarValues(last: LastResult, command: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, v] of last.values) {
    if (typeof v !== 'number') {
      throw new UsageError(
        `:${command} takes scalar variables for now, and ${name} has shape ${shapeText(v.shape)}`,
        ':trace, :json and :minimize take vectors and matrices',
      );
    }
    out.set(name, v);
  }
  if (typeof last.result.value !== 'number') {
    throw new UsageError(
      `:${command} takes an expression with a scalar value, and ${last.result.trace.output} has shape ${shapeText(last.result.value.shape)}`,
      'reduce it to a number first, e.g. sum(...)',
    );
  }
  return out;
}
