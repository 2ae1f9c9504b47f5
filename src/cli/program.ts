/**
 * The commander layer: declares the options and the help text, then hands off to a command.
 * `run(argv, io)` never touches `process`; it returns the exit code.
 */
import { Command, CommanderError, Option } from 'commander';
import { CALLABLE } from '../engine/registry.js';
import { ExprError, MissingValueError } from '../expr/errors.js';
import { VERSION } from '../version.js';
import { knownOptions, parseVarOption, splitArgv, type Assignment } from './args.js';
import { EXIT, ExitSignal, UsageError } from './errors.js';
import { evaluateCommand } from './evaluate.js';
import { parseOrder, type GraphOptions } from './graph-flags.js';
import { formatError } from './messages.js';
import { visible } from '../expr/visible.js';
import type { IO } from './io.js';
import { BATCH_FORMATS, type BatchFormat } from '../report/settings.js';

export interface CliOptions extends GraphOptions {
  file?: string;
  var?: string[];
  json?: boolean;
  quiet?: boolean;
  precision?: number;
  color?: boolean;
  check?: boolean;
  symbolic?: boolean;
  simd?: boolean;
  format?: BatchFormat;
  plot?: string | true;
}

const EXAMPLES = `
Examples:
  $ dezero-grad "square(exp(square(x)))" --x 0.5
  $ dezero-grad "x*y + sin(x)" --x 1 --y=2 --json
  $ dezero-grad "-x^2" --x 3 --quiet
  $ dezero-grad "sin(x)" --x pi/4             values may be constant expressions
  $ echo "tanh(x)" | dezero-grad - --x 1       the expression from standard input
  $ dezero-grad -f step.dz --x 0.5             a program: bindings, functions, the expression last
  $ dezero-grad "tanh(x)" --x 0,0.5,1         many points: a list...
  $ dezero-grad "x*y" --x 0:1:0.25 --y 2        ...a range, STOP included (like seq)
  $ seq 0 0.001 1 | dezero-grad "tanh(x)" --x - --format tsv   ...or one a line on stdin
  $ dezero-grad                                an interactive session (on a terminal)
  $ dezero-grad repl < session.txt             the session's lines from a file
  $ dezero-grad repl --json < lines.txt         one JSON object a result line (JSON Lines)
  $ dezero-grad "tanh(x)" --x 1 --order 8 -q       derivatives up to the 8th
  $ dezero-grad "diff(x^2, x)^3 + x^2" --x 2        a derivative inside an expression
  $ dezero-grad "x*y" --x 1 --y 2 --hessian
  $ dezero-grad "square(exp(square(x)))" --x 0.5 --dot | dot -Tsvg -o graph.svg
  $ dezero-grad "tanh(x)" --x -2:2:0.5 --order 3   a column per derivative over a range
  $ dezero-grad "tanh(x)" --x -5:5:0.01 --order 4 --plot    f and 4 derivatives, drawn here
  $ dezero-grad "sin(x)" --x -7:7:0.01 --order 2 --plot sin.svg   ...or in a .svg or .png
  $ dezero-grad minimize "(x - 1)^2 + 100*(y - x^2)^2" --x 0 --y 2   a minimum (minimize --help)
  $ dezero-grad root "x^2 - 2" --x 1               a root by Newton's method (root --help)

Variables:
  Give each variable as --NAME VALUE or --NAME=VALUE (any name), or as -v NAME=VALUE
  when the name is also an option (-v json=2). A value for a name the expression does
  not use is a warning; a name given twice is an error. On a terminal, a variable with
  no value is asked for; otherwise it is an error.
  A value may be many points: a list 0,0.5,1, a range START:STOP[:STEP], or - for one
  number a line from standard input (streamed). Lists of equal length pair up; a single
  value repeats. Many points print as an aligned table (--format tsv|csv for scripts,
  --json for one object with arrays); --order N adds a column per derivative.

Plots:
  --plot draws the value and each derivative along the variable given as a range: in
  the terminal (its size, or COLUMNS x LINES, else 80 x 24; a colour per curve, or a
  character per curve with NO_COLOR), or with --plot FILE.svg / FILE.png into a file
  titled with the expression. Points that are not finite are left as gaps. The figure
  takes the table's place; --check's verdict and --symbolic's formulas follow it. With
  --plot FILE, --json and --format print as well (in the terminal they are refused).
  minimize --plot and root --plot draw a search (see minimize --help).

Programs (-f FILE, repl < FILE, :load FILE in a session), one statement a line, # comments:
  x = -4                a leaf: a name for a constant
  z = 2*x + 2 + x       a named intermediate: stays in the graph, follows x
  f(t) = t^4 - 2*t^2    a function
  x = x - diff(f(x), x)/diff(diff(f(x), x), x)
                        a leaf bound to itself: updated to the value (a Newton step)
  x0, x1 = e0, e1       several leaves updated together
  z                     with -f, the last line is the expression to differentiate
  Gradients are with respect to the leaves; --x on the command line gives a leaf (a
  constant binding of x in the file is then only a default). Errors say FILE:LINE:COLUMN.

Limits (each refused with a message, exit 2, before the work):
  -f FILE and - read at most 8,000,000 bytes; a line of --x - or of a piped session
  at most 2,000,000 characters; -f on a FIFO waits 5 s for a writer. --json takes at
  most 1,000,000 points (500,000 per-node records without -q); --hessian at most 200
  variables. Control characters in input echoed back are written out (\\x1b).

Grammar:
  numbers 3 0.5 .5 1e-3; constants pi e; + - * / % ^ (** too, x mod y); unary - and +;
  comparisons < > <= >= == != (1 or 0); c ? a : b (the gradient flows through the branch
  taken only); parentheses; function calls; implicit multiplication after a number: 2x
  3(x+1) 2 sin(x). Precedence as mathjs: -x^2 is -(x^2), 2^3^x is 2^(3^x).

Functions:
${CALLABLE.map((op) => `  ${`${op.name} `.padEnd(9)}${op.description}`).join('\n')}

Start-up cache:
  The compiled program is kept in $XDG_CACHE_HOME/dezero-grad (else ~/.cache/dezero-grad)
  after a first run, for faster starts; safe to delete. DEZERO_GRAD_CODE_CACHE=off runs
  without it, =verbose says on stderr whether it was used.

Exit codes:
  0  ok (a result that is not finite still prints, with a warning)
  2  bad input: usage, syntax, unknown name, missing or malformed value;
     for a session on piped input, any line that failed
  3  --check: autodiff disagrees with the central difference or the symbolic derivative
  1  internal error: a bug in dezero-grad, please report it
`;

export function makeProgram(io: IO): Command {
  const program = new Command('dezero-grad')
    .description(
      'Reverse-mode automatic differentiation in the terminal: builds the graph of an expression, ' +
        'runs it forward and backward, and prints every intermediate value and gradient.',
    )
    .usage('[options] <expression> [--NAME VALUE ...]')
    .argument('[expression]', 'the expression, e.g. "square(exp(square(x)))"; - reads it from standard input')
    .option('-f, --file <file>', 'read the expression from FILE (- for standard input)')
    .option(
      '-v, --var <name=value>',
      'set a variable (repeatable); same as --NAME VALUE',
      (v: string, acc: string[] | undefined) => [...(acc ?? []), v],
    )
    .option('--json', 'print one JSON object (value, gradient, forward and backward records)')
    .addOption(
      new Option(
        '--format <format>',
        'rows for many points (--x 0,0.5,1  --x 0:1:0.1  --x -): table, tsv or csv',
      ).choices(BATCH_FORMATS),
    )
    .option('-q, --quiet', 'print the result only: the value and the gradient')
    .option('--simd', 'many points on the SIMD kernel: faster, exp sin cos tanh within 1.5 ulp')
    .addOption(
      new Option(
        '--precision <digits>',
        'significant digits to print (1-17); default: the shortest exact form',
      ).argParser(parsePrecision),
    )
    .option(
      '--check',
      "check every gradient against central differences (with their own error) and mathjs's symbolic derivative; exit 3 on a mismatch",
    )
    .option('--symbolic', 'print each derivative as a formula (mathjs, simplified) in this grammar')
    .addOption(new Option('--order <N>', 'also print d^k y/dx^k for k = 1..N (double backprop)').argParser(parseOrder))
    .option('--wrt <name>', 'the variable --order differentiates with respect to')
    .option('--hessian', 'also print the matrix of second derivatives')
    .option('--trace-grad', 'with --order or --hessian: print each backward pass through the gradient graph')
    .option('--dot', 'print the graph as Graphviz DOT (only that)')
    .option('--graph <file>', 'draw the graph into FILE.svg, .png or .pdf with Graphviz dot')
    .option('--tree', 'draw the graph as an indented tree with values and gradients')
    .option(
      '--plot [file]',
      'with a range: draw the value and each derivative (--order N) in the terminal, or into FILE.svg or FILE.png',
    )
    .option('--color', 'colour even when not writing to a terminal')
    .option('--no-color', 'no colour (also NO_COLOR=1 or TERM=dumb)')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', EXAMPLES)
    .showSuggestionAfterError(true)
    .allowExcessArguments(true) // reported by run() with a hint about quoting
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: () => {}, // reported by run() in our own format
    });
  return program;
}

function parsePrecision(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 17) {
    throw new UsageError(`--precision takes a whole number from 1 to 17, got '${text}'`);
  }
  return Number(text);
}

/**
 * `dezero-grad minimize EXPR ...` and `dezero-grad root EXPR ...`: the word first. With a value for
 * a variable of that name (`--root 2`) the word is an expression's variable, as `repl` is.
 */
function isSubcommand(argv: readonly string[]): boolean {
  const word = argv[0];
  if (word !== 'minimize' && word !== 'root') return false;
  return !argv.some(
    (a, i) =>
      a === `--${word}` ||
      a.startsWith(`--${word}=`) ||
      (a.startsWith(`${word}=`) && /^(-v|--var)$/.test(argv[i - 1] ?? '')),
  );
}

/** `dezero-grad repl`, or `dezero-grad` alone on a terminal (elsewhere that is a missing expression). */
function startsRepl(args: readonly string[], opts: CliOptions, assignments: readonly Assignment[], io: IO): boolean {
  if (
    args.length === 1 &&
    args[0] === 'repl' &&
    assignments.length > 0 &&
    !assignments.some((a) => a.name === 'repl')
  ) {
    // `dezero-grad repl --x 1`: values for a session, not an expression called repl
    throw new UsageError(
      'the session takes its values inside it, not on the command line',
      `start it with dezero-grad repl, then bind them: ${assignments.map((a) => `${a.name} = ${a.value}`).join(', ')}`,
    );
  }
  if (assignments.length > 0) return false; // `repl --repl 2`: repl is then an expression's variable
  const session = args.length === 1 ? args[0] === 'repl' : args.length === 0 && io.stdinIsTTY && io.stdoutIsTTY;
  if (!session || opts.file !== undefined) return false;
  if (opts.json || opts.quiet) {
    if (args.length === 0) return false; // a missing expression
    if (opts.quiet) {
      throw new UsageError('--quiet does not apply to the session', 'the session prints the result lines only');
    }
  }
  return true;
}

/** Runs the program on `argv` (the arguments after the program name) and returns the exit code. */
export async function run(argv: readonly string[], given: IO): Promise<number> {
  const io = visibleErrors(given);
  try {
    if (isSubcommand(argv)) {
      // Loaded on demand, as the session is.
      const { optimizeCommand } = await import('./optimize.js');
      return await optimizeCommand(argv[0] as 'minimize' | 'root', argv.slice(1), io);
    }
    const program = makeProgram(io);
    const split = splitArgv(argv, knownOptions(program));
    try {
      program.parse([...split.options, '--', ...split.positionals], { from: 'user' });
    } catch (e) {
      if (e instanceof CommanderError) {
        if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
          return EXIT.OK;
        }
        throw new UsageError(e.message.replace(/^error: /, ''), 'see dezero-grad --help');
      }
      throw e;
    }
    const opts = program.opts<CliOptions>();
    const given: Assignment[] = [...split.assignments, ...(opts.var ?? []).map(parseVarOption)];
    if (startsRepl(program.args, opts, given, io)) {
      // Loaded on demand: the session's module brings node:os and node:stream, start-up time for
      // every one-point run otherwise.
      const { replCommand } = await import('./repl/repl.js');
      return await replCommand({ precision: opts.precision, color: opts.color, json: opts.json }, io);
    }
    if (program.args.length > 1) {
      // `-x 3`: a variable given with one dash
      const dash = program.args.findIndex((a, i) => i > 0 && /^-[A-Za-z_][A-Za-z0-9_]*$/.test(a));
      if (dash > 0) {
        const name = program.args[dash].slice(1);
        throw new UsageError(`${program.args[dash]} is not an option`, `to give ${name} a value write --${name} VALUE`);
      }
      throw new UsageError(
        `expected one expression, got ${program.args.length}: ${program.args.map((a) => JSON.stringify(a)).join(' ')}`,
        'quote the expression: dezero-grad "x * y" --x 1 --y 2',
      );
    }
    return await evaluateCommand(
      {
        expression: program.args[0],
        optionNames: [...knownOptions(program).long.keys()],
        file: opts.file,
        assignments: given,
        json: opts.json ?? false,
        quiet: opts.quiet ?? false,
        precision: opts.precision,
        color: opts.color,
        check: opts.check,
        symbolic: opts.symbolic,
        simd: opts.simd,
        format: opts.format,
        plot: opts.plot,
        graph: {
          order: opts.order,
          wrt: opts.wrt,
          hessian: opts.hessian,
          traceGrad: opts.traceGrad,
          dot: opts.dot,
          graph: opts.graph,
          tree: opts.tree,
        },
      },
      io,
    );
  } catch (e) {
    return report(e, io);
  }
}

/**
 * `io` with standard error passed through visible(): every message, warning and caret already
 * shows input visibly; this keeps anything missed (a file name in a message from the system, a
 * program's own error text) from reaching the terminal raw. Standard error carries no colour.
 * The getters of `io` (the REPL's streams) stay getters: nothing is created before it is used.
 */
function visibleErrors(io: IO): IO {
  const err = (text: string): void => io.err(visible(text));
  const status = (text: string): void => io.err(text);
  return Object.create(io, {
    err: { value: err, enumerable: true },
    status: { value: status, enumerable: true },
  }) as IO;
}

/** Prints an error the way the user should see it and returns its exit code. */
export function report(e: unknown, io: IO): number {
  if (e instanceof ExitSignal) return e.exitCode;
  if (e instanceof MissingValueError && e.hint === undefined) {
    // The library says which value is missing; the CLI says how to give it.
    io.err(formatError(new MissingValueError(e.variable, e.input, e.index, `give it with --${e.variable} VALUE`)));
    return EXIT.BAD_INPUT;
  }
  if (e instanceof UsageError || e instanceof ExprError) {
    io.err(formatError(e));
    return EXIT.BAD_INPUT;
  }
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  io.err(
    `dezero-grad: internal error (a bug in dezero-grad ${VERSION}; please report it with the command you ran)\n${detail}\n`,
  );
  return EXIT.INTERNAL;
}
