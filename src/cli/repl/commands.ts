/**
 * The REPL's `:commands`, one entry each: name, argument syntax, a line for `:help`, and what it
 * does. A command returns the text to print, or throws UsageError. A command may be shortened to
 * any prefix that names only it (`:t` is `:trace`).
 */
import { verifier } from '../../api/check.js';
import { scalarGradients } from '../../api/differentiate.js';
import { CALLABLE } from '../../engine/registry.js';
import { nearest } from '../../expr/suggest.js';
import { EXIT, ExitSignal, UsageError } from '../errors.js';
import { checkOrder, dotText, orderText, treeText } from '../graph-options.js';
import { scalarValues, type ReplSession } from './state.js';
import { minimizeText, rootText } from './search.js';
import { renderCheckText } from '../../report/check.js';

export interface ReplCommand {
  name: string;
  /** The argument, for `:help`: `N`, `[NAME ...]`. */
  args?: string;
  summary: string;
  run(session: ReplSession, arg: string): string | Promise<string>;
}

export const COMMANDS: readonly ReplCommand[] = [
  { name: 'help', summary: 'this help', run: (s, arg) => noArgument('help', arg, () => helpText(s)) },
  {
    name: 'vars',
    summary: 'the variables and their values',
    run: (s, arg) => noArgument('vars', arg, () => varsText(s)),
  },
  {
    name: 'funcs',
    summary: 'the functions you defined, then the built-in ones',
    run: (s, arg) => noArgument('funcs', arg, () => funcsText(s)),
  },
  {
    name: 'trace',
    summary: 'the full forward and backward trace of the last expression',
    run: (s, arg) => noArgument('trace', arg, () => s.traceText()),
  },
  {
    name: 'json',
    summary: "the last expression's result as one JSON object",
    run: (s, arg) => noArgument('json', arg, () => s.jsonText()),
  },
  {
    name: 'dot',
    summary: "Graphviz DOT of the last expression's graph (pipe it to dot -Tsvg)",
    run: (s, arg) => noArgument('dot', arg, () => dotText(s.lastGraph('dot'), s.settings)),
  },
  {
    name: 'tree',
    summary: "the last expression's graph as an indented tree with values and gradients",
    run: (s, arg) => noArgument('tree', arg, () => treeText(s.lastGraph('tree'), s.settings)),
  },
  {
    name: 'load',
    args: 'FILE',
    summary: 'run the lines of FILE (bindings, functions, expressions) as if typed',
    run: (s, arg) => s.load(arg),
  },
  { name: 'check', summary: "the last gradient against central differences and mathjs's derivative", run: check },
  {
    name: 'order',
    args: 'N [NAME]',
    summary: 'derivatives of the last expression up to order N (by NAME)',
    run: order,
  },
  {
    name: 'minimize',
    args: '[METHOD] [NAME ...]',
    summary:
      "minimize the last expression from its variables' values (lbfgs, gd, momentum, adam, newton), over NAME ... only",
    run: minimizeText,
  },
  {
    name: 'root',
    args: '[METHOD] [a:b]',
    summary: "a root of the last expression from its variables' values (newton, secant, bisect a:b)",
    run: rootText,
  },
  {
    name: 'plot',
    args: '[NAME] a:b [order N] [FILE]',
    summary: 'draw the last expression and its derivatives along NAME (in FILE.svg or .png)',
    run: async (s, arg) => (await import('./plot.js')).plotText(s, arg),
  },
  {
    name: 'clear',
    args: '[NAME ...]',
    summary: 'forget the variables and functions named, or all of them',
    run: clear,
  },
  { name: 'quit', summary: 'leave the session (also Ctrl-D)', run: (s) => (s.quit(), '') },
];

/** The command `word` names, exactly or as an unambiguous prefix. */
export function findCommand(word: string): ReplCommand {
  const exact = COMMANDS.find((c) => c.name === word);
  if (exact !== undefined) return exact;
  const prefixed = word === '' ? [] : COMMANDS.filter((c) => c.name.startsWith(word));
  if (prefixed.length === 1) return prefixed[0];
  if (prefixed.length > 1) {
    throw new UsageError(`:${word} is ambiguous: ${prefixed.map((c) => ':' + c.name).join(', ')}`);
  }
  const guess = nearest(
    word,
    COMMANDS.map((c) => c.name),
  );
  throw new UsageError(
    word === '' ? 'a command needs a name after the colon' : `unknown command :${word}`,
    guess !== undefined ? `did you mean :${guess}? (:help lists the commands)` : ':help lists the commands',
  );
}

/** `:order N [NAME]`; with several variables and no NAME, asks which on a terminal. */
async function order(s: ReplSession, arg: string): Promise<string> {
  const [nText = '', wrtGiven, ...rest] = arg.split(/\s+/).filter((w) => w !== '');
  if (!/^\d+$/.test(nText) || rest.length > 0) {
    throw new UsageError(`:order takes N and an optional variable name, got '${arg}'`, 'write :order 2, or :order 2 x');
  }
  // The order is refused before anything is asked (never "which variable?" for :order 0).
  checkOrder(Number(nText));
  scalarValues(s.requireLast('order'), 'order');
  const graph = s.lastGraph('order');
  const names = [...graph.variables.keys()];
  let wrt = wrtGiven;
  if (wrt === undefined && names.length > 1 && s.options.choose !== undefined) {
    try {
      wrt = await s.options.choose(`Differentiate by which variable?`, names);
    } catch (e) {
      if (e instanceof ExitSignal) return ''; // Ctrl-C at the question: nothing asked for
      throw e;
    }
  }
  return orderText(graph, Number(nText), wrt, s.settings);
}

/** `:check`: as `--check` on the last expression (mathjs is loaded on first use). */
async function check(s: ReplSession, arg: string): Promise<string> {
  if (arg !== '') throw new UsageError(`:check takes no argument, got '${arg}'`);
  const last = s.requireLast('check');
  const values = scalarValues(last, 'check');
  const verify = await verifier(); // mathjs, loaded on first use; the check itself may be stopped by Ctrl-C
  const guard = s.options.guard ?? (<T>(work: () => T): T => work());
  return guard(() => {
    const v = verify(last.root, values, scalarGradients(last.result), { check: true, symbolic: false });
    return renderCheckText(v.check!, last.result.trace.output, s.settings, EXIT.CHECK_MISMATCH);
  });
}

function noArgument(name: string, arg: string, run: () => string): string {
  if (arg !== '') throw new UsageError(`:${name} takes no argument, got '${arg}'`);
  return run();
}

function helpText(s: ReplSession): string {
  const st = s.style;
  const usage = COMMANDS.map((c) => `:${c.name}${c.args === undefined ? '' : ' ' + c.args}`);
  const w = Math.max(...usage.map((u) => u.length));
  return (
    [
      st.heading('Type'),
      '  x = 0.5              bind a leaf (a name for a constant expression)',
      '  W = [1, 2; 3, 4]     a leaf may hold a vector or a matrix',
      '  z = 2*x + 1          a named intermediate: stays in the graph, follows x',
      '  x = x - diff(z, x)   a leaf bound to itself: updates its value (a step)',
      '  x0, x1 = e0, e1      update several leaves together (all right sides first)',
      '  f(t) = sin(t)^2      define a function, then use it: f(x)',
      '  square(exp(x))       print the value and the gradient w.r.t. every leaf used',
      '  # ...                a comment, to the end of the line',
      st.heading('Commands') + ' (any unambiguous prefix works: :t is :trace)',
      ...COMMANDS.map((c, i) => `  ${usage[i].padEnd(w)}  ${c.summary}`),
      st.heading('Keys'),
      '  Tab completes names and commands; Up and Down recall earlier lines;',
      '  Ctrl-C clears the line, or stops a line that runs; Ctrl-D on an empty line leaves.',
    ].join('\n') + '\n'
  );
}

function varsText(s: ReplSession): string {
  const shown = [...s.variables.values()].filter((b) => b.kind === 'leaf' || b.hidden !== true);
  if (shown.length === 0) return s.style.dim('(no variables: bind one with x = 0.5)') + '\n';
  return shown.map((b) => s.describeBinding(b) + '\n').join('');
}

function funcsText(s: ReplSession): string {
  const defined = [...s.functions.values()].map((d) => s.describeFunction(d));
  if (defined.length === 0) defined.push(s.style.dim('(no functions defined: define one with f(t) = sin(t)^2)'));
  return [...defined, s.style.dim(`built in: ${CALLABLE.map((op) => op.name).join(' ')}`)].join('\n') + '\n';
}

const CLEAR_CHOICES = ['everything', 'the variables', 'the functions', 'nothing'] as const;

/** `:clear` forgets everything (on a terminal it asks what first); `:clear x f` forgets x and f. */
async function clear(s: ReplSession, arg: string): Promise<string> {
  if (arg === '') {
    let what: string = 'everything';
    if (s.options.choose !== undefined && s.variables.size > 0 && s.functions.size > 0) {
      try {
        what = await s.options.choose('Forget what?', CLEAR_CHOICES);
      } catch (e) {
        if (!(e instanceof ExitSignal)) throw e;
        what = 'nothing'; // Ctrl-C at the question
      }
    }
    if (what === 'everything') s.clear();
    if (what === 'the variables') s.variables.clear();
    if (what === 'the functions') s.functions.clear();
    return '';
  }
  const names = arg.split(/[\s,]+/);
  const unknown = names.filter((n) => !s.variables.has(n) && !s.functions.has(n));
  if (unknown.length > 0) {
    throw new UsageError(`:clear: no variable or function named ${unknown.join(', ')}`, ':vars and :funcs list them');
  }
  for (const n of names) {
    s.variables.delete(n);
    s.functions.delete(n);
  }
  return '';
}
