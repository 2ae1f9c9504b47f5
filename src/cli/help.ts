/**
 * The help text after the options, for `--help` only: loaded on demand, so a run that shows no
 * help neither loads nor builds it (start-up). The options' own lines come from the table in
 * program.ts.
 */
import { CALLABLE } from '../engine/registry.js';

/** Examples, variables, programs, limits, the grammar, the functions, the cache and the exit codes. */
export function helpText(): string {
  return `
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
}
