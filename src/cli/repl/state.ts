/**
 * The session as its commands see it: its state (the variables, the functions defined, the last
 * result) and the few things a command asks of it. session.ts implements it and runs the commands
 * of commands.ts, which use only this: neither module imports the other back.
 */
import type { GradResult } from '../../api/grad.js';
import type { Node } from '../../expr/ast.js';
import type { Graph } from '../../expr/build.js';
import type { RenderSettings } from '../../report/settings.js';
import type { Style } from '../../report/style.js';

/** A function defined with `f(t) = ...`. */
export interface Definition {
  name: string;
  params: string[];
  body: Node;
  /** The body as typed, for `:funcs`. */
  text: string;
}

/** The last expression evaluated, for `:trace` and `:json`. */
export interface LastResult {
  source: string;
  /** The expression with the calls to defined functions expanded: what was built. */
  root: Node;
  values: Map<string, number>;
  result: GradResult;
}

export interface ReplSession {
  readonly variables: Map<string, number>;
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
  };
  /** `:trace`: the full forward and backward trace of the last expression. */
  traceText(): string;
  /** `:json`: the last expression's result as one JSON object. */
  jsonText(): string;
  /** The last expression's graph built afresh and differentiated; `command` names the asker in errors. */
  lastGraph(command: string): Graph;
  /** The last result; a UsageError naming `command` when there is none yet. */
  requireLast(command: string): LastResult;
  /** `x = 0.5` as the session shows a variable. */
  describeVariable(name: string, value: number): string;
  /** `f(t) = sin(t)^2` as the session shows a function. */
  describeFunction(d: Definition): string;
  /** Ends the session after this line (`:quit`). */
  quit(): void;
  /** Forgets everything (`:clear`). */
  clear(): void;
}
