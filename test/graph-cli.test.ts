// The CLI's higher-order and graph options, run in-process: argv in, exit code and output out.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../src/cli/program.js';
import type { IO } from '../src/cli/io.js';

interface Ran {
  code: number;
  out: string;
  err: string;
  files: Map<string, string>;
  drawn: { dot: string; format: string; file: string }[];
}

async function cli(argv: string[], graphviz: 'ok' | 'missing' | 'real' = 'ok'): Promise<Ran> {
  const ran: Ran = { code: -1, out: '', err: '', files: new Map(), drawn: [] };
  const io: IO = {
    out: (s) => (ran.out += s),
    err: (s) => (ran.err += s),
    env: { NO_COLOR: '1' },
    stdinIsTTY: false,
    stdoutIsTTY: false,
    readStdin: async () => '',
    readFile: async () => '',
    writeFile: async (path, text) => void ran.files.set(path, String(text)),
    runGraphviz: async (dot, format, file) => {
      ran.drawn.push({ dot, format, file });
      if (graphviz !== 'real') return graphviz;
      const r = spawnSync('dot', [`-T${format}`, '-o', file], { input: dot });
      return r.status === 0 ? 'ok' : { error: String(r.stderr) };
    },
  };
  ran.code = await run(argv, io);
  return ran;
}

const hasDot = spawnSync('dot', ['-V']).status === 0;

test('--order prints d^k y/dx^k; --json gives "derivatives"', async () => {
  const text = await cli(['x^4 - 2*x^2', '--x', '2', '--order', '3', '-q']);
  assert.equal(text.code, 0, text.err);
  assert.equal(
    text.out,
    [
      `y = ${2 ** 4 - 2 * 2 ** 2}`,
      `dy/dx = ${4 * 2 ** 3 - 4 * 2}`,
      `d2y/dx2 = ${12 * 2 ** 2 - 4}`,
      `d3y/dx3 = ${24 * 2}`,
      '',
    ].join('\n'),
  );
  const json = JSON.parse((await cli(['tanh(x)', '--x', '1', '--order', '2', '--json', '-q'])).out);
  const t = Math.tanh(1);
  assert.equal(json.wrt, 'x');
  assert.equal(json.derivatives.length, 2);
  assert.ok(Math.abs(json.derivatives[1] - -2 * t * (1 - t * t)) < 1e-15);
});

test('--order --wrt picks the variable; --hessian prints the matrix', async () => {
  const r = await cli(['x^2 * y^3', '--x', '2', '--y', '3', '--order', '2', '--wrt', 'y', '--json', '-q']);
  assert.deepEqual(JSON.parse(r.out).derivatives, [2 ** 2 * 3 * 3 ** 2, 2 ** 2 * 6 * 3]);
  const h = JSON.parse((await cli(['x^2 * y^3', '--x', '2', '--y', '3', '--hessian', '--json', '-q'])).out);
  assert.deepEqual(h.hessian, {
    x: { x: 2 * 3 ** 3, y: 2 * 2 * 3 * 3 ** 2 },
    y: { x: 2 * 2 * 3 * 3 ** 2, y: 2 ** 2 * 6 * 3 },
  });
  const text = await cli(['x*y', '--x', '3', '--y', '2', '--hessian', '-q']);
  assert.match(text.out, /hessian \(d2z\/dxi dxj\)\n {5}x {2}y\n {2}x {2}0 {2}1\n {2}y {2}1 {2}0\n$/);
});

test('--trace-grad shows the backward pass through the gradient graph', async () => {
  const r = await cli(['sin(x)', '--x', '1', '--order', '2', '--trace-grad']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /forward \(dy\/dx\)\n {2}a = cos\(x\) += [-0-9.e]+\n {2}b = 1 \* a/);
  assert.match(r.out, /x\.grad = Cos\.backward\(a\.grad\) = -sin\(x\)·gy = -0\.84147/);
  assert.ok(r.out.endsWith(`d2y/dx2 = ${-Math.sin(1)}\n`));
  const json = JSON.parse((await cli(['sin(x)', '--x', '1', '--order', '2', '--trace-grad', '--json'])).out);
  assert.equal(json.gradientPasses.length, 1);
  assert.equal(json.gradientPasses[0].of, 'dy/dx');
  assert.deepEqual(
    json.gradientPasses[0].backward.map((s: { name: string }) => s.name),
    ['a', 'x'],
  );
});

test('diff() in the CLI: the gradient graph is indented under the step it computes', async () => {
  const r = await cli(['diff(x^2, x)^3 + x^2', '--x', '2']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\n {2}a = x \^ 2 += 4\n {4}b = x \^ 1 +=/);
  assert.match(r.out, /\n {2}f = diff\(a, x\) = 4\n/);
  assert.ok(r.out.endsWith('y = 68\ndy/dx = 100\n'));
});

test('bad combinations are one clear message and exit 2', async () => {
  for (const [argv, message] of [
    [
      ['x*y', '--x', '1', '--y', '2', '--order', '2'],
      /--order needs --wrt NAME: the expression has 2 variables \(x, y\)/,
    ],
    [['x*y', '--x', '1', '--y', '2', '--order', '2', '--wrt', 'z'], /--wrt z: the expression has no variable z/],
    [['x', '--x', '1', '--wrt', 'x'], /--wrt goes with --order/],
    [['x', '--x', '1', '--order', '0'], /--order takes a whole number from 1 to 30, got '0'/],
    [['x', '--x', '1', '--order', 'two'], /--order takes a whole number/],
    [['2 + 3', '--order', '2'], /the expression has no variables/],
    [['x', '--x', '1', '--trace-grad'], /--trace-grad shows the passes of --order or --hessian/],
    [['x', '--x', '1', '--dot', '--json'], /--dot prints only the graph/],
    [['x', '--x', '1', '--tree', '--json'], /--tree is for the terminal/],
    [['x', '--x', '1', '--graph', 'g.jpg'], /--graph draws .svg, .png or .pdf files, got 'g.jpg'/],
  ] as const) {
    const r = await cli([...argv]);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.out}${r.err}`);
    assert.match(r.err, message);
    assert.equal(r.err.split('\n').filter((l) => l.startsWith('dezero-grad:')).length, 1, r.err);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  }
});

test('--dot for the seed example: three function nodes, four variable nodes', async () => {
  const r = await cli(['square(exp(square(x)))', '--x', '0.5', '--dot']);
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.startsWith('digraph g {'));
  assert.equal(r.out.match(/shape=box/g)?.length, 3);
  assert.equal(r.out.match(/shape=ellipse/g)?.length, 4);
  assert.match(r.out, /label="x \| 0\.5 \| grad 3\.297442541400256"/);
  assert.match(r.out, /label="Exp", shape=box, color=lightblue, style=filled/);
  assert.equal(r.out.match(/ -> /g)?.length, 6);
});

test('--dot with --order or diff(): the gradient graph sits in a cluster of its own', async () => {
  const r = await cli(['x^3', '--x', '2', '--order', '2', '--dot']);
  assert.match(r.out, /subgraph cluster_0 \{\n {4}label="gradient graph of dy\/dx"/);
  assert.match(r.out, /subgraph cluster_1 \{\n {4}label="gradient graph of d2y\/dx2"/);
  const d = await cli(['diff(x^2, x)', '--x', '2', '--dot']);
  assert.match(d.out, /label="gradient graph of diff\(a, x\)"/);
  assert.match(d.out, /\[style=dashed, label="d\/dx"\]/);
});

test('the DOT renders with Graphviz', {
  skip: hasDot ? false : 'Graphviz dot is not installed (apt-get install graphviz)',
}, async () => {
  for (const expression of ['square(exp(square(x)))', 'diff(x^2, x)^3 + x^2']) {
    const r = await cli([expression, '--x', '0.5', '--dot']);
    const svg = execFileSync('dot', ['-Tsvg'], { input: r.out }).toString();
    assert.match(svg, /<svg/);
    assert.equal(svg.match(/class="node"/g)?.length, r.out.match(/shape=(box|ellipse)/g)?.length);
  }
  const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-'));
  try {
    const file = join(dir, 'g.svg');
    const r = await cli(['tanh(x)', '--x', '1', '--order', '2', '--graph', file, '-q'], 'real');
    assert.equal(r.code, 0, r.err);
    assert.match(readFileSync(file, 'utf8'), /<svg/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--graph without Graphviz: writes the DOT and says how to install it', async () => {
  const r = await cli(['sin(x)', '--x', '1', '--graph', 'out/pic.png'], 'missing');
  assert.equal(r.code, 2);
  assert.deepEqual(
    r.drawn.map((d) => [d.format, d.file]),
    [['png', 'out/pic.png']],
  );
  assert.ok(r.files.get('out/pic.dot')?.startsWith('digraph g {'));
  assert.match(r.err, /Graphviz's dot program is not installed/);
  assert.match(r.err, /apt-get install graphviz/);
  assert.match(r.err, /dot -Tpng out\/pic\.dot -o out\/pic\.png/);
  const ok = await cli(['sin(x)', '--x', '1', '--graph', 'pic.svg', '-q'], 'ok');
  assert.equal(ok.code, 0);
  assert.equal(ok.out, `y = ${Math.sin(1)}\ndy/dx = ${Math.cos(1)}\n`);
});

test("--order too high for the graph: the library's GraphTooLargeError in the CLI's words, exit 2", async () => {
  const r = await cli(['tanh(x)', '--x', '1', '--order', '30']);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.match(
    r.err,
    new RegExp(
      '^dezero-grad: --order 30 is too high for this expression: ' +
        'the gradient graph of d(\\d+)y/dx\\1 already has \\d+ functions and the next would have about \\d+ ' +
        '\\(the limit for all is 100000\\)\n  hint: ask for a lower order; each order can triple the graph\n$',
    ),
  );
});

test('--tree draws the seed example with values and gradients', async () => {
  const r = await cli(['square(exp(square(x)))', '--x', '0.5', '--tree']);
  assert.equal(
    r.out,
    [
      'y = square(b) = 1.648721270700128   grad 1',
      '└─ b = exp(a) = 1.2840254166877414   grad 2.568050833375483',
      '   └─ a = square(x) = 0.25   grad 3.297442541400256',
      '      └─ x = 0.5   grad 3.297442541400256',
      'y = 1.648721270700128',
      'dy/dx = 3.297442541400256',
      '',
    ].join('\n'),
  );
});

test('orderText, dotText and treeText: what the REPL calls for :order, :dot and :tree', async () => {
  const { build, differentiate, parse } = await import('../src/index.js');
  const { orderText, dotText, treeText } = await import('../src/cli/graph-options.js');
  const fresh = (source: string, values: Record<string, number>) => {
    const graph = build(parse(source), new Map(Object.entries(values)), source);
    differentiate(graph);
    return graph;
  };
  assert.equal(
    orderText(fresh('x^3', { x: 2 }), 3, undefined),
    `dy/dx = ${3 * 2 ** 2}\nd2y/dx2 = ${6 * 2}\nd3y/dx3 = 6\n`,
  );
  assert.equal(orderText(fresh('x^2 * y', { x: 2, y: 5 }), 2, 'y'), `dz/dy = ${2 ** 2}\nd2z/dy2 = 0\n`);
  assert.throws(
    () => orderText(fresh('x * y', { x: 1, y: 2 }), 2, undefined),
    /:order needs :order 2 NAME: the expression has 2 variables/,
  );
  assert.throws(() => orderText(fresh('x', { x: 1 }), 0, undefined), /:order takes a whole number from 1 to 30, got 0/);
  const seed = fresh('square(exp(square(x)))', { x: 0.5 });
  assert.equal(dotText(seed).match(/shape=box/g)?.length, 3);
  assert.match(treeText(seed), /^y = square\(b\) = 1\.648721270700128 {3}grad 1\n/);
});
