/**
 * `dezero-grad minimize EXPR --x 0 --y 2 [--method ...]` and `dezero-grad root EXPR --x 2`: the
 * options of each (its own commander program), then the search run a slice at a time so that a
 * terminal sees a progress line and Ctrl-C stops it with the best point so far.
 */
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_TOL, METHOD_INFO, METHODS, Minimization, type Method } from '../api/minimize.js';
import { equationsOf, ROOT_METHODS, RootError, RootSearch, type RootMethod } from '../api/root.js';
import { variableNames } from '../expr/build.js';
import { evaluateConstant } from '../expr/constant.js';
import { ExprError } from '../expr/errors.js';
import { nearest } from '../expr/suggest.js';
import { formatNumber } from '../report/format.js';
import {
  minimizeJson,
  minimizeRows,
  renderMinimizeText,
  renderRootText,
  rootJson,
  rootRows,
} from '../report/optimize.js';
import { knownOptions, parseVarOption, splitArgv } from './args.js';
import { renderSettings } from './color.js';
import { EXIT, UsageError } from './errors.js';
import type { IO } from './io.js';
import { parseAssignments } from './values.js';
import { readValueFiles } from './evaluate.js';
import { valueShapeText } from '../report/array.js';
import type { Value } from '../engine/tensor.js';
import { checkPlotOutput, plotTarget } from './plot-options.js';
import { parse } from '../expr/parse.js';

export type Subcommand = 'minimize' | 'root';

interface OptimizeOptions {
  method?: string;
  lr?: number;
  iters?: number;
  tol?: number;
  every?: number;
  bracket?: [number, number];
  var?: string[];
  json?: boolean;
  quiet?: boolean;
  format?: 'table' | 'tsv' | 'csv';
  precision?: number;
  color?: boolean;
  plot?: string | true;
  wrt?: string[];
}

const MINIMIZE_HELP = `
Methods:
${METHODS.map((m) => `  ${m.padEnd(9)} ${methodLine(m)}`).join('\n')}

Stops:
  converged        the gradient norm is at most --tol (Newton: a step is at most
                   tol * (1 + |x|), and the point after it is the last)
  iteration limit  --iters updates made
  non-finite       a value, point or gradient is NaN or infinite
  diverging        the value or the point grew a trillion-fold (try a smaller --lr)
  stalled          no step lowers f (L-BFGS at rounding level), or Newton's Hessian is singular
  interrupted      Ctrl-C: the end point and the best point so far are printed (exit 130)

Examples:
  $ dezero-grad minimize "(x - 1)^2 + 100*(y - x^2)^2" --x 0 --y 2      L-BFGS
  $ dezero-grad minimize "(x - 1)^2 + 100*(y - x^2)^2" --x 0 --y 2 --method gd --iters 10000
  $ dezero-grad minimize "x^4 - 2*x^2" --x 2 --method newton         step 29
  $ dezero-grad minimize "x^2 + 3*y^2" --x 1 --y 1 --method adam --lr 0.1 --format csv
  $ dezero-grad minimize "(x - 2)^2" --x 0 --json | jq .point
  $ dezero-grad minimize "(x - 1)^2 + 100*(y - x^2)^2" --x 0 --y 2 --method gd --iters 10000 --plot
  $ dezero-grad minimize "(x - 1)^2 + 100*(y - x^2)^2" --x 0 --y 2 --method gd --iters 10000 --plot step28.svg

Plots (--plot):
  two variables    the path over the contour bands of f (step 28's picture), f on a
                   121 x 121 grid around the path; then f and |grad| by iteration on a
                   log scale (f less its lowest value when f is not positive throughout)
  one variable     f over a range around the iterates, the iterates marked; then the same
  more             f and |grad| by iteration
  In the terminal the figures take the table's place, then the stop and the end point; a
  file holds the figures side by side, and the text (or --json, --format) is printed as
  without --plot. Non-finite values are gaps; a path of more than 2000 iterates is drawn
  through every k-th.

Exit codes: 0 done (whatever the stop), 2 bad input, 130 interrupted.
`;

const ROOT_HELP = `
Methods:
  newton  x <- x - f(x)/f'(x), the derivative by backprop (default); for several equations in as
          many variables, x <- x - J^-1 F(x) with the Jacobian's rows the equations' gradients
  secant  x2 = x1 - f(x1) (x1 - x0)/(f(x1) - f(x0)) from the start and a point beside it (or
          from the bracket's two ends)
  bisect  halves --bracket a:b, keeping the half with the sign change

Several equations: "[f, g]" as one argument, or one argument each.
Stops: converged (a step at most tol * (1 + |x|), or the residual exactly 0; bisect: half the
bracket at most tol * (1 + |x|)), iteration limit, non-finite, diverging, interrupted (Ctrl-C).
A flat derivative, a singular Jacobian and a bracket without a sign change are errors (exit 2).
--plot: f over a range around the iterates, the iterates marked (several equations: |f| by
iteration on a log scale); in the terminal in the table's place, then the root; a file's
figure leaves the text (or --json, --format) printed as without --plot.

Examples:
  $ dezero-grad root "x^2 - 2" --x 1
  $ dezero-grad root "cos(x) - x" --method bisect --bracket 0:1
  $ dezero-grad root "[x^2 + y^2 - 4, x - y]" --x 1 --y 2
  $ dezero-grad root "exp(x) - 3" --x 0 --method secant --format tsv
  $ dezero-grad root "x^3 - 2*x - 5" --x 3 --plot

Exit codes: 0 done (whatever the stop), 2 bad input, 130 interrupted.
`;

function methodLine(m: Method): string {
  const lines: Record<Method, string> = {
    lbfgs: 'L-BFGS (default): quasi-Newton from gradients, a strong Wolfe line search',
    gd: 'gradient descent as DeZero step 28: x <- x - lr * grad',
    momentum: "DeZero's MomentumSGD: v <- 0.9 v - lr * grad, x <- x + v",
    adam: "DeZero's Adam: alpha = lr, beta1 0.9, beta2 0.999, eps 1e-8",
    newton: "Newton's method, the exact Hessian by double backprop (steps 29, 33)",
  };
  const lr = METHOD_INFO[m].lr;
  return `${lines[m]}${lr === undefined ? '' : ` (lr ${lr})`}; --iters ${METHOD_INFO[m].iters}`;
}

function makeCommand(kind: Subcommand, io: IO): Command {
  const c = new Command(`dezero-grad ${kind}`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => {} })
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(true);
  if (kind === 'minimize') {
    c.description(
      'Minimizes the expression from a start with its gradient (and, for Newton, its Hessian): prints the first iteration, every k-th and the last, the end point, its value, the gradient norm and why it stopped.',
    )
      .usage('[options] <expression> --NAME START ...')
      .argument('[expression]', 'the function to minimize, e.g. "(x - 1)^2 + 100*(y - x^2)^2"')
      .addOption(
        new Option('--method <method>', 'lbfgs, gd, momentum, adam or newton (see Methods below)').default('lbfgs'),
      )
      .addOption(
        new Option('--lr <rate>', 'the learning rate of gd, momentum and adam (default 0.001)').argParser(
          positive('--lr'),
        ),
      )
      .addOption(new Option('--iters <N>', 'at most N updates (default: 1000; newton 100)').argParser(count('--iters')))
      .addOption(
        new Option('--tol <T>', `converged when the gradient norm is at most T (default ${DEFAULT_TOL})`).argParser(
          tolerance,
        ),
      )
      .addOption(
        new Option(
          '--wrt <names>',
          'minimize over these variables only (a comma list); the others keep their values, as data',
        ).argParser(nameList),
      );
  } else {
    c.description(
      'Finds a root of the expression (or of as many expressions as variables) with its derivative: prints the iterates, the root and why it stopped.',
    )
      .usage('[options] <expression...> --NAME START ...')
      .argument('[expression...]', 'the function whose zero to find, or several: "[f, g]" or f g')
      .addOption(new Option('--method <method>', 'newton, secant or bisect (see Methods below)').default('newton'))
      .addOption(
        new Option('--bracket <a:b>', 'the interval for bisect (for secant: the first two points)').argParser(bracket),
      )
      .addOption(new Option('--iters <N>', 'at most N steps (default: 100; bisect 200)').argParser(count('--iters')))
      .addOption(
        new Option('--tol <T>', 'converged when a step is at most T * (1 + |x|) (default 1e-10)').argParser(tolerance),
      );
  }
  return c
    .addOption(
      new Option('--every <K>', 'print every K-th iteration (default: about ten rows)').argParser(count('--every')),
    )
    .option('-v, --var <name=start>', 'set a start (repeatable); same as --NAME START', (v: string, acc?: string[]) => [
      ...(acc ?? []),
      v,
    ])
    .option('--json', 'print the whole record as one JSON object, with every iterate')
    .option('-q, --quiet', 'print only why it stopped and the end point')
    .addOption(
      new Option('--format <format>', 'every iterate as rows: tsv or csv (table: the text)').choices([
        'table',
        'tsv',
        'csv',
      ]),
    )
    .addOption(new Option('--precision <digits>', 'significant digits to print (1-17)').argParser(precision))
    .option(
      '--plot [file]',
      kind === 'minimize'
        ? 'draw the search (see Plots below) in the terminal, or into FILE.svg or FILE.png'
        : 'draw f around the iterates (several equations: |f| by iteration) here, or into FILE.svg or .png',
    )
    .option('--color', 'colour even when not writing to a terminal')
    .option('--no-color', 'no colour (also NO_COLOR=1 or TERM=dumb)')
    .addHelpText('after', kind === 'minimize' ? MINIMIZE_HELP : ROOT_HELP);
}

function nameList(text: string): string[] {
  const names = text.split(',').map((n) => n.trim());
  const bad = names.find((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
  if (bad !== undefined)
    throw new UsageError(`--wrt takes variable names separated by commas, got '${text}'`, 'write --wrt W,b');
  return names;
}

function positive(flag: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !(n > 0) || !Number.isFinite(n)) {
      throw new UsageError(`${flag} takes a positive number, got '${text}'`, `write ${flag} 0.001`);
    }
    return n;
  };
}

function count(flag: string): (text: string) => number {
  return (text) => {
    if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
      throw new UsageError(`${flag} takes a positive whole number, got '${text}'`, `write ${flag} 1000`);
    }
    return Number(text);
  };
}

function tolerance(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n >= 0) || !Number.isFinite(n)) {
    throw new UsageError(`--tol takes a number 0 or more, got '${text}'`, 'write --tol 1e-10');
  }
  return n;
}

function precision(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 17) {
    throw new UsageError(`--precision takes a whole number from 1 to 17, got '${text}'`);
  }
  return Number(text);
}

function bracket(text: string): [number, number] {
  const parts = text.split(':');
  if (parts.length !== 2 || parts.some((p) => p.trim() === '')) {
    throw new UsageError(`--bracket takes a:b, got '${text}'`, 'write --bracket 0:2');
  }
  const ends = parts.map((p) => {
    try {
      return evaluateConstant(p);
    } catch (e) {
      if (e instanceof ExprError)
        throw new UsageError(`--bracket: '${p}' is not a number (${e.message})`, 'write --bracket 0:2');
      throw e;
    }
  });
  if (!ends.every(Number.isFinite) || ends[0] === ends[1]) {
    throw new UsageError(`--bracket takes two different finite numbers, got '${text}'`, 'write --bracket 0:2');
  }
  return [ends[0], ends[1]];
}

/** Runs `dezero-grad minimize ...` or `dezero-grad root ...` (argv after the word); returns the exit code. */
export async function optimizeCommand(kind: Subcommand, argv: readonly string[], io: IO): Promise<number> {
  const program = makeCommand(kind, io);
  const split = splitArgv(argv, knownOptions(program));
  try {
    program.parse([...split.options, '--', ...split.positionals], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') return EXIT.OK;
      throw new UsageError(e.message.replace(/^error: /, ''), `see dezero-grad ${kind} --help`);
    }
    throw e;
  }
  const opts = program.opts<OptimizeOptions>();
  const sources = program.args;
  // `-x 3`: a start given with one dash
  const dash = sources.find((a) => /^-[A-Za-z_][A-Za-z0-9_]*$/.test(a));
  if (dash !== undefined) {
    throw new UsageError(`${dash} is not an option`, `to give ${dash.slice(1)} a start write --${dash.slice(1)} VALUE`);
  }
  if (sources.length === 0) {
    throw new UsageError(
      `${kind} needs an expression`,
      kind === 'minimize' ? 'dezero-grad minimize "(x - 2)^2" --x 0' : 'dezero-grad root "x^2 - 2" --x 1',
    );
  }
  if (kind === 'minimize' && sources.length > 1) {
    throw new UsageError(
      `minimize takes one expression, got ${sources.length}: ${sources.map((a) => JSON.stringify(a)).join(' ')}`,
      'quote the expression: dezero-grad minimize "x^2 + y^2" --x 1 --y 2',
    );
  }
  if (opts.json && opts.format !== undefined)
    throw new UsageError('--json and --format are alternatives', 'give one of them');
  const plot = opts.plot === undefined ? undefined : plotTarget(opts.plot);
  if (plot !== undefined) checkPlotOutput(plot, opts);
  const methods: readonly string[] = kind === 'minimize' ? METHODS : ROOT_METHODS;
  if (!methods.includes(opts.method!)) {
    throw new UsageError(`unknown method '${opts.method}'`, `--method is one of ${methods.join(', ')}`);
  }
  if (kind === 'minimize' && opts.lr !== undefined && METHOD_INFO[opts.method as Method].lr === undefined) {
    throw new UsageError(`--lr applies to gd, momentum and adam, not ${opts.method}`);
  }

  // The start: one number per variable. A name close to an option that no expression uses is a
  // mistyped option (--tool 3, --brackett 0:1), said before its value is read as a number.
  const assignments = [...split.assignments, ...(opts.var ?? []).map(parseVarOption)];
  const used = new Set(sources.flatMap((s) => equationsOf(s).flatMap((e) => variableNames(e.root))));
  const optionNames = [...knownOptions(program).long.keys()];
  for (const a of assignments) {
    const option = used.has(a.name) ? undefined : nearest(`--${a.name}`, optionNames);
    if (option !== undefined) {
      throw new UsageError(
        `unknown option --${a.name} (and the expression has no variable ${a.name})`,
        `did you mean ${option}?`,
      );
    }
  }
  // A start is a number, or for minimize a vector or matrix (`--W "[1, 2; 3, 4]"`, `--X @X.csv`).
  const given = parseAssignments(assignments);
  await readValueFiles(given, io);
  const start = new Map<string, Value>();
  for (const [name, v] of given) {
    if (v.kind === 'tensor' && kind === 'root') {
      throw new UsageError(
        `--${name} is a ${valueShapeText(v.value)} value, and root takes numbers for now`,
        'minimize takes vectors and matrices',
      );
    }
    if (v.kind !== 'number' && v.kind !== 'tensor') {
      throw new UsageError(`--${name} takes one start value for ${kind}, not many points`);
    }
    if (!used.has(name)) io.err(`dezero-grad: warning: --${name} is given but the expression does not use ${name}\n`);
    start.set(name, v.value);
  }
  for (const name of opts.wrt ?? []) {
    if (!used.has(name)) {
      throw new UsageError(
        `--wrt ${name}: the expression has no variable ${name}`,
        `its variables: ${[...used].join(', ')}`,
      );
    }
  }
  const tensor = [...start].find(([, v]) => typeof v !== 'number');
  if (plot !== undefined && tensor !== undefined) {
    throw new UsageError(
      `--plot draws numbers, and ${tensor[0]} is a ${valueShapeText(tensor[1])} value`,
      'leave out --plot: the text, --json and --format show the search',
    );
  }

  const color = opts.json ? false : opts.color;
  const settings = await renderSettings({ precision: opts.precision, color }, io.env, io.stdoutIsTTY, io.columns);
  const format = opts.format === 'table' ? undefined : opts.format;
  // The text shows a few rows: a long run keeps a thinned record (JSON and rows want every iterate).
  const trajectory = opts.json || format !== undefined ? 'all' : 'thinned';
  const progress =
    !opts.json &&
    format === undefined &&
    io.env.TERM !== 'dumb' &&
    io.stderrIsTTY !== undefined &&
    (await io.stderrIsTTY());

  if (kind === 'minimize') {
    const search = new Minimization(sources[0], start, {
      method: opts.method as Method,
      lr: opts.lr,
      iters: opts.iters,
      tol: opts.tol,
      trajectory,
      keepEvery: opts.every,
      ...(opts.wrt === undefined ? {} : { wrt: opts.wrt }),
    });
    const interrupted = await drive(search, io, progress, () => {
      const it = search.current!;
      return `iteration ${it.k}  value ${formatNumber(it.value, 6)}  |grad| ${formatNumber(it.gradNorm, 3)}`;
    });
    const r = search.result();
    if (plot?.kind === 'terminal') {
      // The figures in the table's place, then the stop and the end point.
      const summary = renderMinimizeText(r, settings, { quiet: true });
      const { plotMinimization } = await import('./optimize-plot.js');
      await plotMinimization(
        r,
        { root: parse(sources[0]), source: sources[0] },
        plot,
        settings,
        io,
        lineCount(summary),
      );
      io.out(summary);
      return interrupted ? EXIT.INTERRUPTED : EXIT.OK;
    }
    if (opts.json) io.out(JSON.stringify(minimizeJson(r, settings)) + '\n');
    else if (format !== undefined) io.out(minimizeRows(r, format, settings));
    else io.out(renderMinimizeText(r, settings, opts.quiet ? { quiet: true } : { every: opts.every }));
    if (plot !== undefined) {
      const { plotMinimization } = await import('./optimize-plot.js');
      await plotMinimization(r, { root: parse(sources[0]), source: sources[0] }, plot, settings, io);
    }
    return interrupted ? EXIT.INTERRUPTED : EXIT.OK;
  }

  let search: RootSearch;
  try {
    search = new RootSearch(sources, start as Map<string, number>, {
      method: opts.method as RootMethod,
      bracket: opts.bracket,
      iters: opts.iters,
      tol: opts.tol,
      trajectory,
      keepEvery: opts.every,
    });
  } catch (e) {
    throw rootUsage(e, opts.method as RootMethod);
  }
  let interrupted: boolean;
  try {
    interrupted = await drive(search, io, progress, () => {
      const it = search.current!;
      return `iteration ${it.k}  |f| ${formatNumber(it.norm, 3)}`;
    });
  } catch (e) {
    throw rootUsage(e, opts.method as RootMethod);
  }
  const r = search.result();
  const equations = sources.flatMap(equationsOf);
  if (plot?.kind === 'terminal') {
    const summary = renderRootText(r, settings, { quiet: true });
    const { plotRoot } = await import('./optimize-plot.js');
    await plotRoot(r, equations, plot, settings, io, lineCount(summary));
    io.out(summary);
    return interrupted ? EXIT.INTERRUPTED : EXIT.OK;
  }
  if (opts.json) io.out(JSON.stringify(rootJson(r, settings)) + '\n');
  else if (format !== undefined) io.out(rootRows(r, format, settings));
  else io.out(renderRootText(r, settings, opts.quiet ? { quiet: true } : { every: opts.every }));
  if (plot !== undefined) {
    const { plotRoot } = await import('./optimize-plot.js');
    await plotRoot(r, equations, plot, settings, io);
  }
  return interrupted ? EXIT.INTERRUPTED : EXIT.OK;
}

const lineCount = (text: string): number => text.split('\n').length - 1;

/** A RootError as the CLI says it: the message, and what to try. */
export function rootUsage(e: unknown, method: RootMethod): unknown {
  if (!(e instanceof RootError)) return e;
  const hints: Record<RootError['kind'], string> = {
    'no sign change': 'give a bracket a:b where f changes sign (f(a) and f(b) of opposite signs)',
    flat: 'start elsewhere, or bracket the root: --method bisect --bracket a:b',
    singular: 'start elsewhere: the equations are not independent at that point',
    shape:
      method === 'bisect' ? 'write --bracket a:b' : 'give as many equations as variables: root "[f, g]" --x 1 --y 1',
    'not finite': 'choose a bracket where f is finite',
  };
  return new UsageError(e.message, hints[e.kind]);
}

/** Time between looks at the clock and at Ctrl-C, and before a progress line shows. */
const SLICE_MS = 50;
const PROGRESS_AFTER_MS = 500;

/**
 * Runs a search to its end a slice at a time: between slices the event loop runs (so Ctrl-C can
 * interrupt the search) and, on a terminal, a progress line on standard error is redrawn after
 * the first half second and cleared at the end. True when Ctrl-C stopped it.
 */
async function drive(
  search: { step(): boolean; interrupt(why: string): void },
  io: IO,
  progress: boolean,
  line: () => string,
): Promise<boolean> {
  let interrupted = false;
  const stop = io.onInterrupt?.(() => {
    interrupted = true;
    search.interrupt('Ctrl-C');
  });
  const t0 = performance.now();
  let slice = t0;
  let shown = false;
  try {
    while (search.step()) {
      const now = performance.now();
      if (now - slice < SLICE_MS) continue;
      slice = now;
      if (progress && now - t0 >= PROGRESS_AFTER_MS) {
        (io.status ?? io.err)(`\r${line()}\x1b[K`);
        shown = true;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    stop?.();
    if (shown) (io.status ?? io.err)('\r\x1b[K');
  }
  return interrupted;
}
