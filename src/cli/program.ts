/**
 * The commander layer: declares the options and the help text, then hands off to a command.
 * `run(argv, io)` never touches `process`; it returns the exit code.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExprError, MissingValueError } from '../expr/errors.js';
import { VERSION } from '../version.js';
import { knownFlags, parseVarOption, splitArgv, type Assignment, type KnownOptions } from './args.js';
import { EXIT, ExitSignal, UsageError, asUsageError } from './errors.js';
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
  jacobian?: boolean;
  vjp?: string;
  jvp?: string[];
  simd?: boolean;
  format?: BatchFormat;
  plot?: string | true;
}

/**
 * One row an option: commander's flags, its line in --help, and how its value is read. Both
 * programs are made from this table: the whole one for --help and --version, and for any other
 * run one with only the options its argv uses (building some twenty Options on every run is
 * start-up time). splitArgv knows every option from the table, whichever program is made.
 */
interface OptionRow {
  flags: string;
  description: string;
  /** Reads the value (or collects a repeated option); a thrown UsageError is the message. */
  parse?: (text: string, previous: unknown) => unknown;
  choices?: readonly string[];
  /** -V and -h: commander's own. */
  kind?: 'version' | 'help';
}

const collect = (v: string, acc: unknown): string[] => [...((acc as string[] | undefined) ?? []), v];

const OPTIONS: readonly OptionRow[] = [
  { flags: '-f, --file <file>', description: 'read the expression from FILE (- for standard input)' },
  { flags: '-v, --var <name=value>', description: 'set a variable (repeatable); same as --NAME VALUE', parse: collect },
  { flags: '--json', description: 'print one JSON object (value, gradient, forward and backward records)' },
  {
    flags: '--format <format>',
    description: 'rows for many points (--x 0,0.5,1  --x 0:1:0.1  --x -): table, tsv or csv',
    choices: BATCH_FORMATS,
  },
  { flags: '-q, --quiet', description: 'print the result only: the value and the gradient' },
  { flags: '--simd', description: 'many points on the SIMD kernel: faster, exp sin cos tanh within 1.5 ulp' },
  {
    flags: '--precision <digits>',
    description: 'significant digits to print (1-17); default: the shortest exact form',
    parse: parsePrecision,
  },
  {
    flags: '--check',
    description:
      "check every gradient against central differences (with their own error) and mathjs's symbolic derivative; exit 3 on a mismatch",
  },
  { flags: '--symbolic', description: 'print each derivative as a formula (mathjs, simplified) in this grammar' },
  {
    flags: '--jacobian',
    description: 'a vector or matrix output: its Jacobian, one backward pass per element, shape [...y, ...x]',
  },
  {
    flags: '--vjp <cotangent>',
    description: 'backward from this cotangent ("[1, 0]" or @FILE, the output\'s shape) instead of ones',
  },
  {
    flags: '--jvp <name=tangent>',
    description: 'forward mode: J·v for this tangent of a variable (repeatable; "x=[1, 0]" or x=@FILE)',
    parse: collect,
  },
  { flags: '--order <N>', description: 'also print d^k y/dx^k for k = 1..N (double backprop)', parse: parseOrder },
  { flags: '--wrt <name>', description: 'the variable --order differentiates with respect to' },
  { flags: '--hessian', description: 'also print the matrix of second derivatives' },
  {
    flags: '--trace-grad',
    description: 'with --order or --hessian: print each backward pass through the gradient graph',
  },
  { flags: '--dot', description: 'print the graph as Graphviz DOT (only that)' },
  { flags: '--graph <file>', description: 'draw the graph into FILE.svg, .png or .pdf with Graphviz dot' },
  { flags: '--tree', description: 'draw the graph as an indented tree with values and gradients' },
  {
    flags: '--plot [file]',
    description:
      'with a range: draw the value and each derivative (--order N) in the terminal, or into FILE.svg or FILE.png',
  },
  { flags: '--color', description: 'colour even when not writing to a terminal' },
  { flags: '--no-color', description: 'no colour (also NO_COLOR=1 or TERM=dumb)' },
  { flags: '-V, --version', description: 'print the version', kind: 'version' },
  { flags: '-h, --help', description: 'show this help', kind: 'help' },
];

/** Every option of the table, for splitArgv (--help first: the order nearest() breaks ties in). */
const KNOWN: KnownOptions = knownFlags([OPTIONS.at(-1)!, ...OPTIONS.slice(0, -1)].map((row) => row.flags));

/**
 * The program for `argv`'s options: the whole one (with the help text) when they ask for help or
 * the version, else one with only the rows they use (and a row's --no- twin, which changes its
 * default).
 */
export function makeProgram(io: IO, options: readonly string[] = ['--help'], help?: string): Command {
  const used = new Set(options.map((o) => o.replace(/=.*/, '')));
  const full = ['-h', '--help', '-V', '--version'].some((flag) => used.has(flag));
  const program = new Command('dezero-grad')
    .allowExcessArguments(true) // reported by run() with a hint about quoting
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: () => {}, // reported by run() in our own format
    });
  const attributes = new Set(
    OPTIONS.filter((row) => flagsOf(row.flags).some((flag) => used.has(flag))).map((row) => attributeOf(row.flags)),
  );
  for (const row of OPTIONS) {
    if (!full && !attributes.has(attributeOf(row.flags))) continue;
    if (row.kind === 'version') program.version(VERSION, row.flags, row.description);
    else if (row.kind === 'help') program.helpOption(row.flags, row.description);
    else {
      const option = new Option(row.flags, row.description);
      if (row.choices !== undefined) option.choices(row.choices);
      if (row.parse !== undefined) option.argParser(row.parse);
      program.addOption(option);
    }
  }
  if (!full) return program;
  return program
    .description(
      'Reverse-mode automatic differentiation in the terminal: builds the graph of an expression, ' +
        'runs it forward and backward, and prints every intermediate value and gradient.',
    )
    .usage('[options] <expression> [--NAME VALUE ...]')
    .argument('[expression]', 'the expression, e.g. "square(exp(square(x)))"; - reads it from standard input')
    .addHelpText('after', help ?? '')
    .showSuggestionAfterError(true);
}

/** `-q, --quiet` -> ['-q', '--quiet']. */
const flagsOf = (flags: string): string[] => flags.split(/[ ,]+/).filter((word) => word.startsWith('-'));
/** The option's name in opts(), shared by `--color` and `--no-color`. */
const attributeOf = (flags: string): string =>
  flagsOf(flags)
    .at(-1)!
    .replace(/^--(no-)?/, '');

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
    const split = splitArgv(argv, KNOWN);
    const asksHelp = split.options.some((o) => o === '-h' || o === '--help');
    const program = makeProgram(io, split.options, asksHelp ? (await import('./help.js')).helpText() : undefined);
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
        optionNames: [...KNOWN.long.keys()],
        file: opts.file,
        assignments: given,
        json: opts.json ?? false,
        quiet: opts.quiet ?? false,
        precision: opts.precision,
        color: opts.color,
        check: opts.check,
        symbolic: opts.symbolic,
        jacobian: opts.jacobian,
        vjp: opts.vjp,
        jvp: opts.jvp,
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
export function report(error: unknown, io: IO): number {
  const e = asUsageError(error);
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
