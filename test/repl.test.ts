/**
 * The REPL without a terminal: the Session line by line (table-driven), the piped mode through
 * replCommand and run(), completion, the history file, and the parser's and builder's hooks for
 * defined functions. The terminal itself is tested in repl-pty.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { grad } from '../src/api/grad.js';
import type { IO } from '../src/cli/io.js';
import { run } from '../src/cli/program.js';
import { complete, HistoryFile, historyPath, MAX_HISTORY } from '../src/cli/repl/repl.js';
import { MAX_EXPANDED, Session, type LineResult, type SessionOptions } from '../src/cli/repl/session.js';
import type { Node } from '../src/expr/ast.js';
import { build } from '../src/expr/build.js';
import { ExprError } from '../src/expr/errors.js';
import { parse } from '../src/expr/parse.js';
import { renderText } from '../src/report/text.js';
import { CALLABLE } from '../src/engine/registry.js';

/** Runs `lines` in a fresh session; every line but the last must succeed. */
async function runLines(
  lines: readonly string[],
  options: SessionOptions = {},
): Promise<{ last: LineResult; session: Session }> {
  const session = new Session(options);
  let last: LineResult | undefined;
  for (const [i, line] of lines.entries()) {
    last = await session.run(line);
    if (i < lines.length - 1) assert.ok(last.ok, `line ${i + 1} (${line}) failed:\n${last.err}`);
  }
  return { last: last!, session };
}

/** `y = 1.5` and `dy/dx = 2` lines as numbers by their left side. */
function numbers(out: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const line of out.trim().split('\n')) {
    const m = /^(\S+) = (\S+)$/.exec(line);
    assert.ok(m !== null, `not a result line: ${line}`);
    result[m[1]] = Number(m[2]);
  }
  return result;
}

describe('a session evaluates lines', () => {
  const cases: { name: string; lines: string[]; expected: Record<string, number> }[] = [
    {
      name: 'the seed example after binding x',
      lines: ['x = 0.5', 'square(exp(square(x)))'],
      expected: { y: 1.648721270700128, 'dy/dx': 3.297442541400256 },
    },
    {
      name: 'the right side of = is an expression, evaluated',
      lines: ['x = pi/4', 'x'],
      expected: { y: Math.PI / 4, 'dy/dx': 1 },
    },
    {
      name: 'a binding that uses a leaf is an intermediate: rebinding the leaf changes it (issue 11)',
      lines: ['a = 2', 'b = a^3 + 1', 'a = 10', 'a*b'],
      // y = a*(a^3 + 1) = a^4 + a, with respect to the leaf a only: 4a^3 + 1
      expected: { y: 10 * (10 ** 3 + 1), 'dy/da': 4 * 10 ** 3 + 1 },
    },
    {
      name: 'a defined function, differentiated through',
      lines: ['x = 0.5', 'f(t) = sin(t)^2', 'f(x)'],
      // d/dx sin(x)^2 = 2 sin(x) cos(x)
      expected: { y: Math.sin(0.5) ** 2, 'dy/dx': 2 * Math.sin(0.5) * Math.cos(0.5) },
    },
    {
      name: 'functions calling functions, with an expression as argument',
      lines: ['f(t) = t^2', 'g(t) = f(t) + f(2*t)', 'x = 1.5', 'g(x)'],
      // x^2 + (2x)^2 = 5x^2, derivative 10x
      expected: { y: 5 * 1.5 ** 2, 'dy/dx': 10 * 1.5 },
    },
    {
      name: 'two parameters and a free variable, bound when the function is used',
      lines: ['g(u, v) = a*u*v + sin(u)', 'a = 3', 'x = 0.5', 'g(x, 2)'],
      // a*x*2 + sin(x): d/da = 2x, d/dx = 2a + cos(x)
      expected: { y: 3 * 0.5 * 2 + Math.sin(0.5), 'dy/da': 2 * 0.5, 'dy/dx': 2 * 3 + Math.cos(0.5) },
    },
    {
      name: 'a redefined function changes the functions that use it',
      lines: ['f(t) = t^2', 'g(t) = 3*f(t)', 'f(t) = t^3', 'x = 2', 'g(x)'],
      expected: { y: 3 * 2 ** 3, 'dy/dx': 3 * 3 * 2 ** 2 },
    },
    {
      name: 'a parameter shadows a variable of the same name',
      lines: ['x = 100', 'f(x) = x + 1', 'y = 2', 'f(y)'],
      expected: { z: 3, 'dz/dy': 1 },
    },
    {
      name: 'an error line loses nothing typed before it',
      lines: ['x = 2', 'f(t) = t^2', 'sin(', 'nope = sqr(x)', 'f(x)'],
      expected: { y: 4, 'dy/dx': 4 },
    },
    {
      name: 'an expression without variables prints its value only',
      lines: ['2^10'],
      expected: { y: 1024 },
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const session = new Session();
      let last: LineResult | undefined;
      for (const line of c.lines) last = await session.run(line);
      assert.equal(last!.ok, true, last!.err);
      assert.deepEqual(numbers(last!.out), c.expected);
    });
  }

  test('a defined function gives the digits of the same expression written out', async () => {
    const { last } = await runLines(['x = 0.7', 'y = -1.3', 'f(a, b) = tanh(a*b) + sin(a)/(1 + b^2)', 'f(x, y)']);
    const direct = grad('tanh(x*y) + sin(x)/(1 + y^2)', { x: 0.7, y: -1.3 });
    assert.deepEqual(numbers(last.out), { z: direct.value, 'dz/dx': direct.gradient.x, 'dz/dy': direct.gradient.y });
  });

  test('an argument is evaluated once however often the body uses it (book step 14)', async () => {
    const { last } = await runLines(['x = 0.5', 'f(t) = t*t', 'f(sin(x))', ':trace']);
    const lines = last.out.split('\n');
    assert.equal(lines.filter((l) => l.includes('sin(x)')).length, 1, last.out);
    assert.ok(
      lines.some((l) => /^ {2}y = a \* a +=/.test(l)),
      last.out,
    );
    assert.ok(
      lines.some((l) => l.startsWith('  a.grad +=')),
      last.out,
    );
    // (sin x)^2: derivative 2 sin(x) cos(x)
    assert.equal(numbers(lines.slice(-3).join('\n'))['dy/dx'], grad('sin(x)*sin(x)', { x: 0.5 }).gradient.x);
  });

  test('nested calls of a function that uses its parameter twice build a linear graph', async () => {
    const depth = 40;
    const { last } = await runLines(['x = 1', 'q(t) = t*t', 'q('.repeat(depth) + 'x' + ')'.repeat(depth), ':json']);
    const json = JSON.parse(last.out) as { forward: unknown[]; value: number };
    assert.equal(json.forward.length, depth);
    assert.equal(json.value, 1);
  });
});

describe('bad lines print one error with a caret, and the session goes on', () => {
  const cases: { name: string; lines: string[]; message: RegExp; caret?: string }[] = [
    {
      name: 'unbound variable',
      lines: ['sin(z)'],
      message: /no value for z \(column 5\)\n {2}sin\(z\)\n {6}\^\n {2}hint: bind it first: z = 0.5/,
    },
    {
      name: 'unbound free variable of a function',
      lines: ['f(t) = a*t', 'f(2)'],
      message: /no value for a \(column 1\)[^]*hint: f uses a/,
    },
    {
      name: 'direct recursion',
      lines: ['f(t) = f(t) + 1'],
      message: /f would call itself: recursive definitions are not supported \(column 8\)/,
    },
    {
      name: 'recursion through another function',
      lines: ['f(t) = t', 'g(t) = 2*f(t)', 'f(t) = g(t)'],
      message: /f would call itself through g/,
    },
    { name: 'shadowing a built-in function', lines: ['sin(t) = t'], message: /sin is a built-in function/ },
    { name: 'an operator name as a function', lines: ['add(a, b) = a'], message: /add is a built-in operation/ },
    { name: 'a constant as a variable', lines: ['pi = 3'], message: /pi is a constant/ },
    { name: 'a reserved word as a variable', lines: ['xor = 3'], message: /'xor' is a reserved word/ },
    { name: 'a built-in function as a variable', lines: ['exp = 3'], message: /exp is a built-in function/ },
    {
      name: 'a function name used as a variable',
      lines: ['f(t) = t', 'y = f + 1'],
      message: /f is a function/,
    },
    { name: 'a parameter named twice', lines: ['f(t, t) = t'], message: /parameter t is named twice \(column 6\)/ },
    { name: 'no parameter', lines: ['f() = 1'], message: /a function needs at least one parameter/ },
    {
      name: 'an expression on the left',
      lines: ['2*x = 3'],
      message: /the left side of '=' must be a name or a function head \(column 1\)/,
    },
    { name: 'nothing on the right', lines: ['x = '], message: /nothing after '=' \(column 5\)/ },
    { name: 'a value that is not finite', lines: ['x = 1/0'], message: /x would be Infinity/ },
    { name: 'a comparison of an unbound name', lines: ['x == 1'], message: /no value for x \(column 1\)/ },
    {
      name: 'a third =',
      lines: ['x = 1', 'x === 1'],
      message: /unexpected '=': assignment is not part of an expression \(to compare, write ==\) \(column 5\)/,
    },
    {
      name: 'a syntax error in a body, at its place in the line',
      lines: ['f(t) = t +'],
      message: /expression ends after '\+' \(column 11\)/,
    },
    { name: 'wrong number of arguments', lines: ['f(t) = t', 'f(1, 2)'], message: /f takes 1 argument, got 2/ },
    {
      name: 'unknown function suggests a built-in',
      lines: ['sqr(2)'],
      message: /unknown function 'sqr'[^]*did you mean sqrt/,
    },
    { name: 'unknown function suggests a defined one', lines: ['foo(t) = t', 'fo(1)'], message: /did you mean foo/ },
    {
      name: 'a defined function without parentheses',
      lines: ['f(t) = t', 'f + 1'],
      message: /f is a function: call it with parentheses/,
    },
    {
      name: 'a function forgotten while another uses it',
      lines: ['f(t) = t', 'g(t) = f(t)', ':clear f', 'g(1)'],
      message: /f is not defined any more \(g calls it\) \(column 1\)/,
    },
    {
      name: 'a function whose arity changed',
      lines: ['f(t) = t', 'g(t) = f(t)', 'f(a, b) = a', 'g(1)'],
      message: /g calls f with 1 argument, but f now takes 2/,
    },
    { name: 'unknown command', lines: [':trce'], message: /unknown command :trce\n {2}hint: did you mean :trace\?/ },
    { name: 'ambiguous command', lines: [':c'], message: /:c is ambiguous: :check, :clear/ },
    {
      name: 'a command without a last expression',
      lines: [':trace'],
      message: /:trace shows the last expression, and there is none yet/,
    },
    { name: 'an argument to a command that takes none', lines: [':vars x'], message: /:vars takes no argument/ },
    { name: ':clear of an unknown name', lines: [':clear nope'], message: /no variable or function named nope/ },
    {
      name: ':check before any expression',
      lines: [':check'],
      message: /:check shows the last expression, and there is none yet/,
    },
    {
      name: ':order before any expression',
      lines: [':order 3'],
      message: /:order shows the last expression, and there is none yet/,
    },
    {
      name: ':order without N',
      lines: ['x = 1', 'x^2', ':order'],
      message: /:order takes N and an optional variable name/,
    },
    {
      name: ':order with two variables and no name, not on a terminal',
      lines: ['x = 1', 'y = 2', 'x*y', ':order 2'],
      message: /:order needs :order 2 NAME: the expression has 2 variables \(x, y\)/,
    },
    {
      name: ':order by a variable the expression lacks',
      lines: ['x = 1', 'y = 2', 'x*y', ':order 2 q'],
      message: /no variable q/,
    },
    { name: ':dot takes no argument', lines: ['x = 1', 'x^2', ':dot 3'], message: /:dot takes no argument/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const { last, session } = await runLines(c.lines);
      assert.equal(last.ok, false);
      assert.equal(last.out, '');
      assert.match(last.err, c.message);
      assert.match(last.err, /^dezero-grad: /);
      assert.doesNotMatch(last.err, /internal error|at .*\.js/);
      // and the session goes on (the output takes a letter no binding has)
      assert.match((await session.run('1 + 1')).out, /^[yz] = 2\n$/);
    });
  }

  test('an expansion past the limit is refused, and only what was inlined counts', async () => {
    // f0(t) = t + t, f1(t) = f0(t) + f0(t), ...: f_k inlines 2^(k+1) - 1 additions.
    const maxExpanded = 1000;
    const levels = Math.floor(Math.log2(maxExpanded + 1)); // f_(levels-1) fits, f_levels does not
    const lines = ['f0(t) = t + t'];
    for (let k = 1; k <= levels; k++) lines.push(`f${k}(t) = f${k - 1}(t) + f${k - 1}(t)`);
    lines.push('x = 1', `f${levels - 1}(x)`, `${'1+'.repeat(2 * maxExpanded)}x + f${levels}(x)`);
    const { last } = await runLines(lines, { maxExpanded });
    assert.match(
      last.err,
      new RegExp(`this expands to more than ${maxExpanded} operations \\(column ${4 * maxExpanded + 5}\\)`),
    );
    assert.ok(MAX_EXPANDED >= 100_000);
  });

  test('in piped mode the error names its line', async () => {
    const { last } = await runLines(['x = 1', 'sin(y)'], { lineNumbers: true });
    assert.match(last.err, /^dezero-grad: line 2: no value for y/);
  });
});

describe('commands', () => {
  test(':vars and :funcs list what was defined, in order', async () => {
    const { session } = await runLines(['x = 0.5', 'y = 2', 'x = 3', 'f(t) = sin(t)^2', 'g(a, b) = a*b']);
    assert.equal((await session.run(':vars')).out, 'y = 2\nx = 3\n');
    const funcs = (await session.run(':funcs')).out.split('\n');
    assert.deepEqual(funcs.slice(0, 2), ['f(t) = sin(t)^2', 'g(a, b) = a*b']);
    assert.match(funcs[2], /^built in: abs .*square/);
  });

  test(':clear NAME forgets that name; :clear forgets everything (no one to ask in piped mode)', async () => {
    const { session } = await runLines(['x = 1', 'y = 2', 'f(t) = t', 'x + y', ':clear x f']);
    assert.deepEqual([...session.variables.keys()], ['y']);
    assert.equal(session.functions.size, 0);
    await session.run(':clear');
    assert.equal(session.variables.size, 0);
    assert.match((await session.run(':json')).err, /there is none yet/);
  });

  test(':clear asks what to forget when a terminal can answer', async () => {
    const asked: string[][] = [];
    const session = new Session({ choose: async (_message, choices) => (asked.push([...choices]), 'the functions') });
    for (const line of ['x = 1', 'f(t) = t', ':clear']) assert.ok((await session.run(line)).ok);
    assert.deepEqual(asked, [['everything', 'the variables', 'the functions', 'nothing']]);
    assert.deepEqual([...session.variables.keys()], ['x']);
    assert.equal(session.functions.size, 0);
  });

  test(':json prints the last result as one JSON object', async () => {
    const { last } = await runLines(['x = 0.5', 'square(exp(square(x)))', ':js']);
    const json = JSON.parse(last.out) as { expression: string; gradient: { x: number } };
    assert.equal(json.expression, 'square(exp(square(x)))');
    assert.equal(json.gradient.x, 3.297442541400256);
  });

  test(':trace prints the forward and backward trace of the last expression, at its values', async () => {
    const { session } = await runLines(['x = 0.5', 'square(exp(square(x)))', 'x = 2']);
    assert.equal((await session.run('sin(')).ok, false); // an error is not a result
    const last = await session.run(':trace');
    assert.equal(last.out, renderText(grad('square(exp(square(x)))', { x: 0.5 }), new Map([['x', 0.5]])));
    assert.match(last.out, /^forward\n {2}x = 0.5\n {2}a = square\(x\) = 0.25\n/);
    assert.match(last.out, /x.grad = Square.backward\(a.grad\) = 2·x·gy {4}= 3.297442541400256\n/);
  });

  test(':help lists every command', async () => {
    const { last } = await runLines([':help']);
    for (const name of ['help', 'vars', 'funcs', 'trace', 'json', 'dot', 'check', 'order N', 'clear', 'quit']) {
      assert.match(last.out, new RegExp(`\\n {2}:${name} `));
    }
  });

  test(':quit (or :q) ends the session', async () => {
    const { last } = await runLines(['x = 1', ':q']);
    assert.deepEqual(last, { out: '', err: '', ok: true, quit: true });
  });

  test('on a terminal, assignments and definitions are echoed', async () => {
    const session = new Session({ echo: true });
    assert.equal((await session.run('x = pi/4')).out, `x = ${Math.PI / 4}\n`);
    assert.equal((await session.run('f(t, u) =  t*u ')).out, 'f(t, u) = t*u\n');
  });

  test('a result that is not finite comes with a warning', async () => {
    const { last } = await runLines(['x = 0', 'log(x)']);
    assert.equal(last.ok, true);
    assert.match(last.out, /^y = -Infinity\n/);
    assert.match(last.err, /warning/);
  });
});

/** An IO for the piped mode: lines in, what was written out. */
function pipedIO(text: string, env: Record<string, string> = {}): IO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
    env,
    stdinIsTTY: false,
    stdoutIsTTY: false,
    readStdin: async () => text,
    readFile: async () => '',
    input: Readable.from([text]),
  };
  return io;
}

describe('piped input: dezero-grad repl < file', () => {
  const cases: { name: string; argv: string[]; input: string; code: number; out: string; err?: RegExp }[] = [
    {
      name: 'every line succeeds: exit 0, no prompt, no banner',
      argv: ['repl'],
      input: 'x = 0.5\nf(t) = square(exp(square(t)))\nf(x)\n',
      code: 0,
      out: 'y = 1.648721270700128\ndy/dx = 3.297442541400256\n',
    },
    {
      name: 'a failing line: exit 2, and the lines after it still run',
      argv: ['repl'],
      input: 'x = 2\nsin(y)\nx^3\n',
      code: 2,
      out: `y = 8\ndy/dx = ${3 * 2 ** 2}\n`,
      err: /^dezero-grad: line 2: no value for y \(column 5\)/,
    },
    {
      name: ':quit stops reading',
      argv: ['repl'],
      input: 'x = 1\n:quit\nbad(\n',
      code: 0,
      out: '',
    },
    {
      name: 'CRLF line ends and a byte-order mark',
      argv: ['repl'],
      input: '\uFEFFx = 3\r\nx*x\r\n',
      code: 0,
      out: 'y = 9\ndy/dx = 6\n',
    },
    {
      name: 'no colour',
      argv: ['repl'],
      input: 'x = 1\nx\n',
      code: 0,
      out: 'y = 1\ndy/dx = 1\n',
    },
    {
      name: '--precision applies to the session',
      argv: ['repl', '--precision', '3'],
      input: 'x = 1\nexp(x)\n',
      code: 0,
      out: 'y = 2.72\ndy/dx = 2.72\n',
    },
    {
      name: 'no expression and stdin not a terminal: still a missing expression',
      argv: [],
      input: 'x = 1\n',
      code: 2,
      out: '',
      err: /no expression given/,
    },
    {
      name: 'the session has no --quiet',
      argv: ['repl', '--quiet'],
      input: '',
      code: 2,
      out: '',
      err: /--quiet does not apply to the session\n {2}hint: the session prints the result lines only/,
    },
    {
      name: 'an expression named repl alongside values is still an expression',
      argv: ['repl', '--repl', '2'],
      input: '',
      code: 0,
      out: 'repl = 2\n',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const io = pipedIO(c.input);
      const code = await run(c.argv, io);
      if (c.err !== undefined) assert.match(io.stderr, c.err);
      else assert.equal(io.stderr, '');
      assert.equal(code, c.code);
      if (c.argv.length === 1 || c.argv[1] === '--precision') assert.equal(io.stdout, c.out);
      else assert.ok(io.stdout.includes(c.out), io.stdout);
    });
  }
});

describe('Tab completion', () => {
  const session = new Session();
  const ready = (async () => {
    for (const line of ['x = 1', 'sx = 2', 'foo(t) = t']) await session.run(line);
  })();
  const cases: { line: string; hits: string[]; word: string }[] = [
    { line: 'squ', hits: ['square('], word: 'squ' },
    { line: 'sq', hits: ['sqrt(', 'square('], word: 'sq' },
    { line: '2*fo', hits: ['foo('], word: 'fo' },
    // every function that starts with s (from the registry, so a new one needs no edit here), then sx
    {
      line: 'x + s',
      hits: [...CALLABLE.filter((op) => op.name.startsWith('s')).map((op) => `${op.name}(`), 'sx'],
      word: 's',
    },
    {
      line: 'p',
      hits: ['pi', ...CALLABLE.filter((op) => op.name.startsWith('p')).map((op) => `${op.name}(`)],
      word: 'p',
    },
    {
      line: ':',
      hits: [
        ':help',
        ':vars',
        ':funcs',
        ':trace',
        ':json',
        ':dot',
        ':tree',
        ':load',
        ':check',
        ':order',
        ':minimize',
        ':root',
        ':plot',
        ':clear',
        ':quit',
      ],
      word: ':',
    },
    { line: ':cl', hits: [':clear'], word: ':cl' },
    { line: ':clear f', hits: ['foo'], word: 'f' },
    { line: 'x + ', hits: [], word: '' },
  ];
  for (const c of cases) {
    test(JSON.stringify(c.line), async () => {
      await ready;
      assert.deepEqual(complete(session, c.line), [c.hits, c.word]);
    });
  }
});

describe('the history file', () => {
  test('where it is kept', () => {
    assert.equal(historyPath({ DEZERO_GRAD_HISTORY: '/tmp/h' }), '/tmp/h');
    assert.equal(historyPath({ DEZERO_GRAD_HISTORY: '', HOME: '/home/u' }), undefined);
    assert.equal(historyPath({ XDG_STATE_HOME: '/s', HOME: '/home/u' }), join('/s', 'dezero-grad', 'history'));
    assert.equal(
      historyPath({ XDG_STATE_HOME: 'relative', HOME: '/home/u' }),
      join('/home/u', '.local', 'state', 'dezero-grad', 'history'),
    );
    assert.equal(historyPath({ HOME: '/home/u' }), join('/home/u', '.local', 'state', 'dezero-grad', 'history'));
    // HOME='' (or relative): no history, never a file under the current directory.
    assert.equal(historyPath({ HOME: '' }), undefined);
    assert.equal(historyPath({ HOME: 'relative' }), undefined);
  });

  test("a line is added to the file as it is now: another session's lines are kept, atomically", () => {
    const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-history-'));
    try {
      const path = join(dir, 'history');
      writeFileSync(path, 'old\n');
      const a = new HistoryFile(path, { err: (t) => assert.fail(t) });
      const b = new HistoryFile(path, { err: (t) => assert.fail(t) });
      const aHistory = a.load();
      b.load();
      a.save(['a1', ...aHistory]);
      b.save(['b1', 'old']);
      a.save(['a2', 'a1', ...aHistory]);
      assert.equal(readFileSync(path, 'utf8'), 'old\na1\nb1\na2\n');
      // No temporary file or lock is left behind.
      assert.deepEqual(readdirSync(dir), ['history']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a symbolic link, a FIFO or a directory is refused with one warning: never followed, never waited on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-history-'));
    try {
      const target = join(dir, 'precious');
      const lines = Array.from({ length: 1500 }, (_, i) => `line ${i}`).join('\n') + '\n';
      writeFileSync(target, lines);
      symlinkSync(target, join(dir, 'link'));
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      mkdirSync(join(dir, 'folder'));
      for (const [name, why] of [
        ['link', /it is a symbolic link \(not followed\)/],
        ['fifo', /it is not a regular file \(a FIFO\)/],
        ['folder', /it is not a regular file|EISDIR/],
      ] as const) {
        let warnings = '';
        const file = new HistoryFile(join(dir, name), { err: (t) => (warnings += t) });
        assert.deepEqual(file.load(), [], name);
        file.save(['x = 1']);
        file.save(['x = 2', 'x = 1']);
        assert.equal(warnings.match(/warning: cannot read the history file/g)?.length, 1, warnings);
        assert.match(warnings, why);
        assert.equal(warnings.split('\n').length, 2, `one warning: ${warnings}`);
      }
      assert.equal(readFileSync(target, 'utf8'), lines, 'the link target is untouched');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('saved oldest first, at most MAX_HISTORY; loaded newest first without repeats in a row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-history-'));
    try {
      const path = join(dir, 'deeper', 'history');
      const file = new HistoryFile(path, { err: (t) => assert.fail(t) });
      assert.deepEqual(file.load(), []); // no file yet
      // Each line entered is saved as readline reports it: the history so far, newest first.
      const history: string[] = [];
      for (let i = 0; i < MAX_HISTORY + 5; i++) {
        history.unshift(`x = ${i}`);
        file.save(history);
      }
      const saved = readFileSync(path, 'utf8').trimEnd().split('\n');
      assert.equal(saved.length, MAX_HISTORY);
      assert.equal(saved[0], 'x = 5');
      assert.equal(saved[MAX_HISTORY - 1], `x = ${MAX_HISTORY + 4}`);

      writeFileSync(path, 'a\nb\nb\n\nc\r\nb\n');
      assert.deepEqual(file.load(), ['b', 'c', 'b', 'a']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file that cannot be written is one warning, not an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-history-'));
    try {
      writeFileSync(join(dir, 'file'), '');
      let warnings = '';
      const file = new HistoryFile(join(dir, 'file', 'history'), { err: (t) => (warnings += t) });
      file.save(['x = 1']);
      file.save(['x = 2', 'x = 1']);
      assert.equal(warnings.match(/warning: cannot write the history file/g)?.length, 1, warnings);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the parser and the builder know defined functions', () => {
  test('a call to a defined function is a call node with its name', () => {
    const root = parse('2*f(x, 1)', { functions: new Map([['f', 2]]) });
    assert.equal(root.type, 'call');
    const call = (root as Extract<Node, { type: 'call' }>).args[1];
    assert.deepEqual(call.type === 'call' && [call.op, call.args.length, call.start, call.end], ['f', 2, 2, 9]);
  });

  const errors: { input: string; functions: [string, number][]; message: RegExp; index: number }[] = [
    { input: 'g(x)', functions: [], message: /unknown function 'g'/, index: 0 },
    { input: 'f(x)', functions: [['f', 2]], message: /f takes 2 arguments, got 1/, index: 0 },
    { input: 'f()', functions: [['f', 1]], message: /f\(\) needs 1 argument/, index: 2 },
    { input: 'f', functions: [['f', 1]], message: /f is a function: call it with parentheses/, index: 1 },
    { input: 'sinc2(x)', functions: [['sinc', 1]], message: /did you mean sinc\?/, index: 0 },
  ];
  for (const c of errors) {
    test(`${c.input} with ${JSON.stringify(c.functions)}`, () => {
      assert.throws(
        () => parse(c.input, { functions: new Map(c.functions) }),
        (e: unknown) => e instanceof ExprError && c.message.test(`${e.message}; ${e.hint}`) && e.index === c.index,
      );
    });
  }

  test('without the option, nothing changes: a built-in still wins and others are unknown', () => {
    assert.throws(() => parse('f(x)'), /unknown function 'f'/);
    assert.equal((parse('sin(x)', { functions: new Map([['g', 1]]) }) as { op: string }).op, 'sin');
  });

  test('a subtree shared by two parents is built once', () => {
    const x: Node = { type: 'variable', name: 'x', start: 0, end: 1 };
    const s: Node = { type: 'call', op: 'sin', args: [x], form: 'function', start: 0, end: 1 };
    const root: Node = { type: 'call', op: 'mul', args: [s, s], form: 'infix', start: 0, end: 1 };
    const graph = build(root, new Map([['x', 0.5]]));
    assert.deepEqual(
      graph.steps.map((st) => `${st.name} = ${st.op.name}(${st.inputs.join(', ')})`),
      ['a = sin(x)', 'y = mul(a, a)'],
    );
    assert.equal(graph.output.data, Math.sin(0.5) * Math.sin(0.5));
  });
});

describe(':order, :dot and :tree on the last expression', () => {
  test(':order N gives the derivatives up to N (tanh at 1, closed forms)', async () => {
    const { last } = await runLines(['x = 1', 'tanh(x)', ':order 3']);
    const t = Math.tanh(1);
    // tanh' = 1 - t^2, tanh'' = -2t(1 - t^2), tanh''' = -2(1 - t^2)(1 - 3t^2)
    const expected = [1 - t * t, -2 * t * (1 - t * t), -2 * (1 - t * t) * (1 - 3 * t * t)];
    const got = numbers(last.out);
    assert.deepEqual(Object.keys(got), ['dy/dx', 'd2y/dx2', 'd3y/dx3']);
    Object.values(got).forEach((v, i) =>
      assert.ok(Math.abs(v - expected[i]) <= 1e-12 * Math.abs(expected[i]), `order ${i + 1}: ${v} vs ${expected[i]}`),
    );
  });

  test(':order N NAME picks the variable; on a terminal an ambiguous one is asked for', async () => {
    const named = await runLines(['x = 2', 'y = 3', 'x^2 * y^3', ':order 2 y']);
    // d2/dy2 x^2 y^3 = 6 x^2 y
    assert.equal(numbers(named.last.out)['d2z/dy2'], 6 * 4 * 3);
    const asked: string[][] = [];
    const chosen = await runLines(['x = 2', 'y = 3', 'x^2 * y^3', ':order 2'], {
      choose: async (_message, choices) => {
        asked.push([...choices]);
        return 'x';
      },
    });
    assert.deepEqual(asked, [['x', 'y']]);
    // d2/dx2 x^2 y^3 = 2 y^3
    assert.equal(numbers(chosen.last.out)['d2z/dx2'], 2 * 27);
  });

  test(':dot prints the graph of the last expression as DOT', async () => {
    const { last } = await runLines(['x = 0.5', 'square(exp(square(x)))', ':dot']);
    assert.ok(last.ok, last.err);
    assert.match(last.out, /^digraph/);
    assert.equal((last.out.match(/shape=box/g) ?? []).length, 3);
    assert.equal((last.out.match(/shape=ellipse/g) ?? []).length, 4);
    assert.match(last.out, /x \| 0\.5 \| grad 3\.297442541400256/);
  });

  test(':tree prints the graph as a tree with values and gradients', async () => {
    const { last } = await runLines(['x = 0.5', 'square(exp(square(x)))', ':tree']);
    assert.ok(last.ok, last.err);
    assert.match(last.out, /^y = square\(b\) = 1\.648721270700128 +grad 1\n/);
    assert.match(last.out, /x = 0\.5 +grad 3\.297442541400256/);
  });
});
