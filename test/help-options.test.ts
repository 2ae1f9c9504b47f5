/**
 * Every option that `--help` lists (the program's, minimize's, root's), run through the built
 * binary: each one works with a good value and is refused with a bad one, with a documented exit
 * code and never a stack trace. A new option in --help with no row here fails the test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import './helpers/cache-home.js';

const bin = fileURLToPath(new URL('../../bin/dezero-grad.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dezero-help-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const program = join(dir, 'f.dz');
writeFileSync(program, 'x^2\n');
const hasDot = spawnSync('dot', ['-V']).status === 0;
const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

const run = (args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    input: '',
    env: { ...process.env, NO_COLOR: '1', COLUMNS: '80', LINES: '24' },
    timeout: 30_000,
  });

/** The long names --help lists under Options. */
function optionsOf(help: string): string[] {
  const section = help.split('\nOptions:\n')[1].split('\n\n')[0];
  return [...section.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]);
}

/** Exit codes the README documents: 0 ok, 2 bad input, 3 --check mismatch. */
type Row = { args: string[]; code: number };
const ONE = ['x^2 + y', '--x', '1', '--y', '2'];
const MAIN: Record<string, Row[]> = {
  '--file': [
    { args: ['-f', program, '--x', '1'], code: 0 },
    { args: ['-f', join(dir, 'none.dz'), '--x', '1'], code: 2 },
  ],
  '--var': [
    { args: ['x^2', '-v', 'x=1'], code: 0 },
    { args: ['x^2', '-v', 'x'], code: 2 },
  ],
  '--json': [{ args: [...ONE, '--json'], code: 0 }],
  '--format': [
    { args: ['x^2', '--x', '0:1:0.5', '--format', 'csv'], code: 0 },
    { args: ['x^2', '--x', '0:1:0.5', '--format', 'xml'], code: 2 },
  ],
  '--quiet': [{ args: [...ONE, '-q'], code: 0 }],
  '--precision': [
    { args: [...ONE, '--precision', '3'], code: 0 },
    { args: [...ONE, '--precision', '0'], code: 2 },
  ],
  '--check': [
    { args: [...ONE, '--check'], code: 0 },
    { args: ['relu(x)', '--x', '0', '--check'], code: 3 },
  ],
  '--symbolic': [{ args: [...ONE, '--symbolic'], code: 0 }],
  '--jacobian': [
    { args: ['x .* x', '--x', '[1, 2]', '--jacobian'], code: 0 },
    { args: ['x .* x', '--x', '0,1', '--jacobian'], code: 2 },
  ],
  '--vjp': [
    { args: ['x .* x', '--x', '[1, 2]', '--vjp', '[1, 0]'], code: 0 },
    { args: ['x .* x', '--x', '[1, 2]', '--vjp', '[1, 0, 0]'], code: 2 },
  ],
  '--jvp': [
    { args: ['x .* x', '--x', '[1, 2]', '--jvp', 'x=[1, 0]'], code: 0 },
    { args: ['x .* x', '--x', '[1, 2]', '--jvp', 'x=[1, 0, 0]'], code: 2 },
  ],
  '--simd': [
    { args: ['tanh(x*y)', '--x', '0:1:0.25', '--y', '2', '--simd'], code: 0 },
    { args: [...ONE, '--simd'], code: 2 },
  ],
  '--order': [
    { args: ['tanh(x)', '--x', '1', '--order', '3'], code: 0 },
    { args: ['tanh(x)', '--x', '1', '--order', '0'], code: 2 },
  ],
  '--wrt': [
    { args: [...ONE, '--order', '2', '--wrt', 'x'], code: 0 },
    { args: [...ONE, '--order', '2', '--wrt', 'z'], code: 2 },
  ],
  '--hessian': [{ args: [...ONE, '--hessian'], code: 0 }],
  '--trace-grad': [{ args: ['tanh(x)', '--x', '1', '--order', '2', '--trace-grad'], code: 0 }],
  '--dot': [{ args: [...ONE, '--dot'], code: 0 }],
  '--graph': [
    { args: [...ONE, '--graph', join(dir, 'g.svg')], code: hasDot ? 0 : 2 },
    { args: [...ONE, '--graph', join(dir, 'g.doc')], code: 2 },
  ],
  '--tree': [{ args: [...ONE, '--tree'], code: 0 }],
  '--plot': [
    { args: ['tanh(x)', '--x', '-2:2:0.1', '--plot'], code: 0 },
    { args: ['tanh(x)', '--x', '-2:2:0.1', '--plot', join(dir, 'p.svg')], code: 0 },
    { args: ['tanh(x)', '--x', '1', '--plot'], code: 2 },
  ],
  '--color': [{ args: [...ONE, '--color'], code: 0 }],
  '--no-color': [{ args: [...ONE, '--no-color'], code: 0 }],
  '--version': [{ args: ['-V'], code: 0 }],
  '--help': [{ args: ['-h'], code: 0 }],
};
const F = ['(x - 1)^2 + y^2', '--x', '0', '--y', '1'];
const SEARCH: Record<string, Row[]> = {
  '--method': [
    { args: [...F, '--method', 'gd'], code: 0 },
    { args: [...F, '--method', 'sgd'], code: 2 },
  ],
  '--lr': [
    { args: [...F, '--method', 'gd', '--lr', '0.1'], code: 0 },
    { args: [...F, '--method', 'gd', '--lr', '-1'], code: 2 },
  ],
  '--iters': [
    { args: [...F, '--iters', '5'], code: 0 },
    { args: [...F, '--iters', '1.5'], code: 2 },
  ],
  '--tol': [
    { args: [...F, '--tol', '1e-6'], code: 0 },
    { args: [...F, '--tol', 'abc'], code: 2 },
  ],
  '--every': [
    { args: [...F, '--every', '2'], code: 0 },
    { args: [...F, '--every', '0'], code: 2 },
  ],
  '--var': [{ args: ['(x - 1)^2', '-v', 'x=0'], code: 0 }],
  '--wrt': [
    { args: ['sum((w - c).^2)', '--w', '[0, 0]', '--c', '[1, 2]', '--wrt', 'w'], code: 0 },
    { args: [...F, '--wrt', 'q'], code: 2 },
  ],
  '--json': [{ args: [...F, '--json'], code: 0 }],
  '--quiet': [{ args: [...F, '-q'], code: 0 }],
  '--format': [
    { args: [...F, '--format', 'tsv'], code: 0 },
    { args: [...F, '--format', 'xml'], code: 2 },
  ],
  '--precision': [
    { args: [...F, '--precision', '4'], code: 0 },
    { args: [...F, '--precision', '99'], code: 2 },
  ],
  '--plot': [
    { args: [...F, '--plot'], code: 0 },
    { args: [...F, '--plot', join(dir, 'm.svg')], code: 0 },
    { args: [...F, '--plot', join(dir, 'm.doc')], code: 2 },
  ],
  '--color': [{ args: [...F, '--color'], code: 0 }],
  '--no-color': [{ args: [...F, '--no-color'], code: 0 }],
  '--help': [{ args: ['--help'], code: 0 }],
};
const R = ['x^2 - 2', '--x', '1'];
const ROOT: Record<string, Row[]> = {
  ...Object.fromEntries(
    Object.entries(SEARCH)
      .filter(([k]) => k !== '--lr' && k !== '--method' && k !== '--var' && k !== '--wrt')
      .map(([k, rows]) => [
        k,
        rows.map((r) => ({ ...r, args: r.args[0] === '--help' ? r.args : [...R, ...r.args.slice(5)] })),
      ]),
  ),
  '--method': [
    { args: [...R, '--method', 'secant'], code: 0 },
    { args: [...R, '--method', 'regula'], code: 2 },
  ],
  '--bracket': [
    { args: ['x^2 - 2', '--method', 'bisect', '--bracket', '0:2'], code: 0 },
    { args: ['x^2 - 2', '--method', 'bisect', '--bracket', '2:3'], code: 2 },
  ],
  '--var': [{ args: ['x^2 - 2', '-v', 'x=1'], code: 0 }],
};

for (const [command, rows] of [
  ['', MAIN],
  ['minimize', SEARCH],
  ['root', ROOT],
] as const) {
  describe(`every option of dezero-grad ${command === '' ? '' : `${command} `}--help`, () => {
    const prefix = command === '' ? [] : [command];
    const help = run([...prefix, '--help']).stdout;
    test('has a row here, and the README names it', () => {
      assert.deepEqual(optionsOf(help).sort(), Object.keys(rows).sort());
      for (const option of optionsOf(help)) assert.ok(README.includes(option), `${option} is not in the README`);
    });
    for (const [option, cases] of Object.entries(rows)) {
      for (const { args, code } of cases) {
        test(`${[...prefix, ...args].join(' ')}: exit ${code}`, () => {
          const r = run([...prefix, ...args]);
          assert.equal(r.status, code, `${option}: ${r.stdout}${r.stderr}`);
          assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, r.stderr);
          if (code === 2) assert.match(r.stderr, /^dezero-grad: /);
        });
      }
    }
  });
}
