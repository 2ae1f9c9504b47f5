/** The CLI, table-driven and in-process: argv in; exit code and output out. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { OPS, VERSION } from '../src/index.js';
import { runCli, type FakeIO } from './helpers/cli.js';
import { readFileSync } from 'node:fs';

const SEED_TRACE = `forward
  x = 0.5
  a = square(x) = 0.25
  b = exp(a)    = 1.2840254166877414
  y = square(b) = 1.648721270700128
backward
  y.grad = 1
  b.grad = Square.backward(y.grad) = 2·b·gy    = 2.568050833375483
  a.grad = Exp.backward(b.grad)    = exp(a)·gy = 3.297442541400256
  x.grad = Square.backward(a.grad) = 2·x·gy    = 3.297442541400256
y = 1.648721270700128
dy/dx = 3.297442541400256
`;

const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-test-'));
const exprFile = join(dir, 'expr.txt');
writeFileSync(exprFile, 'square(exp(square(x)))\n');

interface Case {
  name: string;
  argv: string[];
  io?: FakeIO;
  code: number;
  /** Exact stdout, or patterns it must match. */
  out?: string | RegExp[];
  err?: RegExp[];
  /** stderr must be empty. */
  quietErr?: boolean;
}

const cases: Case[] = [
  {
    name: 'the seed example, exactly',
    argv: ['square(exp(square(x)))', '--x', '0.5'],
    code: 0,
    out: SEED_TRACE,
    quietErr: true,
  },
  { name: '--x=VALUE', argv: ['square(exp(square(x)))', '--x=0.5'], code: 0, out: SEED_TRACE },
  { name: 'options before the expression', argv: ['--x', '0.5', 'square(exp(square(x)))'], code: 0, out: SEED_TRACE },
  { name: '-v NAME=VALUE', argv: ['square(exp(square(x)))', '-v', 'x=0.5'], code: 0, out: SEED_TRACE },
  { name: '--file', argv: ['-f', exprFile, '--x', '0.5'], code: 0, out: SEED_TRACE },
  {
    name: '- reads the expression from stdin',
    argv: ['-', '--x', '0.5'],
    io: { stdin: 'square(exp(square(x)))\n' },
    code: 0,
    out: SEED_TRACE,
  },
  {
    name: '--file - reads stdin',
    argv: ['--file', '-', '--x', '0.5'],
    io: { stdin: 'square(exp(square(x)))' },
    code: 0,
    out: SEED_TRACE,
  },
  {
    name: '--quiet',
    argv: ['square(exp(square(x)))', '--x', '0.5', '-q'],
    code: 0,
    out: 'y = 1.648721270700128\ndy/dx = 3.297442541400256\n',
  },
  {
    name: '--precision',
    argv: ['square(exp(square(x)))', '--x', '0.5', '-q', '--precision', '4'],
    code: 0,
    out: 'y = 1.649\ndy/dx = 3.297\n',
  },
  { name: 'an expression starting with -', argv: ['-x^2', '--x', '3', '-q'], code: 0, out: 'y = -9\ndy/dx = -6\n' },
  { name: 'a negative value', argv: ['x^2', '--x', '-2', '-q'], code: 0, out: 'y = 4\ndy/dx = -4\n' },
  { name: 'a negative value with =', argv: ['x^2', '--x=-2', '-q'], code: 0, out: 'y = 4\ndy/dx = -4\n' },
  {
    name: 'a constant expression as a value',
    argv: ['sin(x)', '--x', 'pi/2', '-q'],
    code: 0,
    out: `y = 1\ndy/dx = ${Math.cos(Math.PI / 2)}\n`,
  },
  {
    name: 'the output is z when y is a variable',
    argv: ['x*y', '--x', '2', '--y', '3', '-q'],
    code: 0,
    out: 'z = 6\ndz/dx = 3\ndz/dy = 2\n',
  },
  { name: 'a variable used twice accumulates', argv: ['x + x', '--x', '3', '-q'], code: 0, out: 'y = 6\ndy/dx = 2\n' },
  { name: 'a bare variable', argv: ['x', '--x', '3', '-q'], code: 0, out: 'y = 3\ndy/dx = 1\n' },
  { name: 'no variables', argv: ['2^10', '-q'], code: 0, out: 'y = 1024\n' },
  {
    name: 'an unused value is a warning, not an error',
    argv: ['x^2', '--x', '1', '--z', '2', '-q'],
    code: 0,
    out: 'y = 1\ndy/dx = 2\ndy/dz = 0\n',
    err: [/warning: --z is given but the expression does not use z/],
  },
  {
    name: 'a non-finite result prints with a warning',
    argv: ['exp(x)', '--x', '1000', '-q'],
    code: 0,
    out: 'y = Infinity\ndy/dx = Infinity\n',
    err: [/warning: y = exp\(x\) is Infinity/],
  },
  {
    name: '--help lists examples, exit codes and every function',
    argv: ['--help'],
    code: 0,
    out: [
      /Examples:/,
      /Exit codes:/,
      ...[...OPS.values()].filter((o) => o.callable).map((o) => new RegExp(`\\n  ${o.name} `)),
    ],
  },
  { name: '--version', argv: ['--version'], code: 0, out: `${VERSION}\n` },
  // bad input: exit 2, one clear message, never a stack trace
  {
    name: 'a syntax error shows the column and a caret',
    argv: ['sin x', '--x', '1'],
    code: 2,
    out: '',
    err: [/sin is a function: call it with parentheses \(column 4\)\n {2}sin x\n {5}\^\n {2}hint: write sin\(x\)/],
  },
  {
    name: 'an unknown function suggests the nearest',
    argv: ['sinn(x)', '--x', '1'],
    code: 2,
    err: [/unknown function 'sinn'/, /did you mean sin/],
  },
  {
    name: 'a missing value names the variable and the option',
    argv: ['x*y', '--x', '1'],
    code: 2,
    err: [/no value for y/, /--y VALUE/],
  },
  { name: 'a value given twice', argv: ['x', '--x', '1', '--x', '2'], code: 2, err: [/x is given twice/] },
  { name: 'an empty value', argv: ['x', '--x', ''], code: 2, err: [/bad value for --x: the value is empty/] },
  {
    name: 'a malformed value',
    argv: ['x', '--x', '1abc'],
    code: 2,
    err: [/bad value for --x: '1abc' is not a number/],
  },
  {
    name: 'a value beyond the largest double',
    argv: ['x', '--x', '1e309'],
    code: 2,
    err: [/bad value for --x: number '1e309' is larger/],
  },
  { name: 'an option without its value', argv: ['x', '--x'], code: 2, err: [/--x needs a value/] },
  { name: 'no expression', argv: [], code: 2, err: [/no expression given/] },
  { name: 'two expressions', argv: ['x', 'y'], code: 2, err: [/expected one expression, got 2/] },
  {
    name: 'a missing file',
    argv: ['-f', join(dir, 'nope.txt')],
    code: 2,
    err: [/cannot read .*nope.txt: no such file/],
  },
  {
    name: 'both an expression and a file',
    argv: ['x', '-f', exprFile],
    code: 2,
    err: [/either as an argument or with --file/],
  },
  {
    name: 'a bad --precision',
    argv: ['x', '--x', '1', '--precision', '40'],
    code: 2,
    err: [/--precision takes a whole number from 1 to 17/],
  },
];

describe('CLI table', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const r = await runCli(c.argv, c.io);
      assert.equal(r.code, c.code, `exit code; stderr: ${r.err}`);
      if (typeof c.out === 'string') assert.equal(r.out, c.out);
      else for (const re of c.out ?? []) assert.match(r.out, re);
      for (const re of c.err ?? []) assert.match(r.err, re);
      if (c.quietErr) assert.equal(r.err, '');
      assert.doesNotMatch(r.err, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
      if (c.code === 2) assert.equal((r.err.match(/dezero-grad: /g) ?? []).length, 1, 'one message');
    });
  }
});

describe('--json', () => {
  test('the schema of the issue, for the seed example', async () => {
    const r = await runCli(['square(exp(square(x)))', '--x', '0.5', '--json']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out), {
      expression: 'square(exp(square(x)))',
      variables: { x: 0.5 },
      value: 1.648721270700128,
      gradient: { x: 3.297442541400256 },
      forward: [
        { name: 'a', op: 'square', inputs: ['x'], value: 0.25 },
        { name: 'b', op: 'exp', inputs: ['a'], value: 1.2840254166877414 },
        { name: 'y', op: 'square', inputs: ['b'], value: 1.648721270700128 },
      ],
      backward: [
        { name: 'y', grad: 1 },
        { name: 'b', grad: 2.568050833375483 },
        { name: 'a', grad: 3.297442541400256 },
        { name: 'x', grad: 3.297442541400256 },
      ],
    });
  });
  test('--quiet drops forward and backward; non-finite numbers are strings', async () => {
    const r = await runCli(['log(x) + y', '--x', '0', '--y', '1', '--json', '-q']);
    assert.deepEqual(JSON.parse(r.out), {
      expression: 'log(x) + y',
      variables: { x: 0, y: 1 },
      value: '-Infinity',
      gradient: { x: 'Infinity', y: 1 },
    });
  });
  test('a variable named __proto__ is an ordinary key', async () => {
    const r = await runCli(['__proto__ * 2', '--__proto__', '3', '--json', '-q']);
    assert.equal(
      r.out,
      '{"expression":"__proto__ * 2","variables":{"__proto__":3},"value":6,"gradient":{"__proto__":2}}\n',
    );
  });
});

describe('colour', () => {
  const argv = ['square(x)', '--x', '2'];
  const esc = /\u001b\[/;
  const cases: { name: string; io: FakeIO; extra?: string[]; coloured: boolean }[] = [
    { name: 'a terminal gets colour', io: { stdoutIsTTY: true }, coloured: true },
    { name: 'a pipe gets none', io: { stdoutIsTTY: false }, coloured: false },
    { name: 'NO_COLOR turns it off', io: { stdoutIsTTY: true, env: { NO_COLOR: '1' } }, coloured: false },
    { name: 'TERM=dumb turns it off', io: { stdoutIsTTY: true, env: { TERM: 'dumb' } }, coloured: false },
    { name: '--no-color turns it off', io: { stdoutIsTTY: true }, extra: ['--no-color'], coloured: false },
    { name: 'FORCE_COLOR forces it into a pipe', io: { env: { FORCE_COLOR: '1' } }, coloured: true },
    { name: '--no-color beats FORCE_COLOR', io: { env: { FORCE_COLOR: '1' } }, extra: ['--no-color'], coloured: false },
    { name: '--json is never coloured', io: { stdoutIsTTY: true }, extra: ['--json'], coloured: false },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await runCli([...argv, ...(c.extra ?? [])], c.io);
      assert.equal(r.code, 0);
      assert.equal(esc.test(r.out), c.coloured);
    });
  }
});

describe('a missing value on a terminal', () => {
  test('is asked for, validated by the same rules', async () => {
    const asked: string[] = [];
    const r = await runCli(['x^2', '-q', '--no-color'], {
      stdinIsTTY: true,
      stdoutIsTTY: true,
      ask: async (name, validate) => {
        asked.push(name);
        assert.notEqual(validate('1abc'), true);
        assert.equal(validate('3'), true);
        return '3';
      },
    });
    assert.deepEqual(asked, ['x']);
    assert.equal(r.out, 'y = 9\ndy/dx = 6\n');
  });
  test('is never asked for when not on a terminal', async () => {
    const r = await runCli(['x^2'], { stdinIsTTY: false, stdoutIsTTY: true, ask: async () => assert.fail('asked') });
    assert.equal(r.code, 2);
  });
});

test('the version matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
});
