// minimize --plot and root --plot through the built binary: the terminal drawing at 80x24 read
// back through its own tick labels, the SVG parsed by python3's XML parser, the PNG's header; and
// how --plot goes with --json, --format and --check (here and in the one-shot command). Expected
// points are the book's (step 28 by scripts/optim-fixture.py, the README's table) or closed forms.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from './helpers/process.js';
import './helpers/cache-home.js';

const dir = mkdtempSync(join(tmpdir(), 'dezero-mplot-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ROSENBROCK = '(x - 1)^2 + 100*(y - x^2)^2';
/** Book step 28: gradient descent from (0, 2) with lr 0.001 (the default), 1000 updates. */
const STEP28 = ['minimize', ROSENBROCK, '--x', '0', '--y', '2', '--method', 'gd', '--iters', '1000'];
/** The point after 1000 updates (steps/step28.py, transcribed in scripts/optim-fixture.py). */
const END28 = [0.68371186, 0.46595268];

function run(args: string[], env: Record<string, string> = { NO_COLOR: '1' }) {
  const r = spawnSync(process.execPath, ['bin/dezero-grad.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One terminal figure: where a data value lands, from two of its labelled ticks on each axis. */
function readFigure(lines: string[]) {
  const axisRow = lines.findIndex((l) => l.includes('└'));
  const axis = lines[axisRow];
  const labels = lines[axisRow + 1];
  const xTicks: [number, number][] = [];
  for (let c = 0; c < axis.length; c++) {
    if (axis[c] !== '┬') continue;
    // The label centred on the tick: the word covering column c.
    for (const w of labels.matchAll(/\S+/g))
      if (w.index <= c && c < w.index + w[0].length && Number.isFinite(Number(w[0]))) xTicks.push([Number(w[0]), c]);
  }
  const yTicks: [number, number][] = [];
  lines.slice(0, axisRow).forEach((l, r) => {
    if (l.includes('┤')) yTicks.push([Number(l.split('┤')[0].trim()), r]);
  });
  const interpolate = (ticks: [number, number][], v: number, log = false): number => {
    const [[a, ca], [b, cb]] = [ticks[0], ticks[ticks.length - 1]];
    const t = log ? Math.log10(v / a) / Math.log10(b / a) : (v - a) / (b - a);
    return Math.round(ca + t * (cb - ca));
  };
  return {
    lines,
    axisRow,
    col: (x: number) => interpolate(xTicks, x),
    row: (y: number, log = false) => interpolate(yTicks, y, log),
    at: (r: number, c: number): string => [...lines[r]][c] ?? ' ',
    xTicks,
    yTicks,
  };
}

/** The figures of a terminal drawing: split at each title line (the line after a legend). */
function figures(stdout: string): string[][] {
  const lines = stdout.split('\n').slice(0, -1);
  const out: string[][] = [];
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].includes('└')) {
      // The tick labels, then the legend lines (up to the next title or the summary).
      let end = i + 2;
      while (end < lines.length && !lines[end + 1]?.match(/[│┤]/) && !lines[end].startsWith('stopped')) end++;
      out.push(lines.slice(start, end));
      start = end;
      i = end - 1;
    }
  }
  out.push(lines.slice(start));
  return out;
}

test('minimize --plot at 80x24: the path from o at (0, 2) to X at the book point, f and |grad| on a log scale', () => {
  const r = run([...STEP28, '--plot']);
  assert.equal(r.status, 0, r.stderr);
  const [contour, byIteration, summary] = figures(r.stdout);
  assert.equal(contour[0], ROSENBROCK, 'titled with the expression');
  for (const l of r.stdout.split('\n')) assert.ok([...l].length <= 80, `wider than 80: ${l}`);
  assert.equal(contour.length, 23, 'the first figure: the terminal but one line');
  const c = readFigure(contour);
  assert.equal(c.at(c.row(2), c.col(0)), 'o', `the start (0, 2):\n${contour.join('\n')}`);
  // The end, within a cell of the book's point (the cell's rounding against the ticks').
  const near = (x: number, y: number, ch: string): boolean =>
    [-1, 0, 1].some((dr) => [-1, 0, 1].some((dc) => c.at(c.row(y) + dr, c.col(x) + dc) === ch));
  assert.ok(near(END28[0], END28[1], 'X'), `the end near (${END28}):\n${contour.join('\n')}`);
  // The path leaves the start downwards: the cell below o is on it.
  assert.equal(c.at(c.row(2) + 1, c.col(0)), '•');
  assert.match(contour.join('\n'), /o start {3}• path/);

  // The second figure: f(0, 2) = 1 + 100 * 2^2 = 401 at iteration 0, between the ticks 100 and 1e3.
  assert.match(byIteration[0], /by iteration \(log scale\)/);
  const v = readFigure(byIteration);
  const row401 = v.row(1 + 100 * 2 ** 2, true);
  assert.ok(
    [row401 - 1, row401, row401 + 1].some((row) => v.at(row, v.col(0)) === '*'),
    `f = 401 at k = 0:\n${byIteration.join('\n')}`,
  );
  assert.match(byIteration.at(-1)!, /\*\* f {3}\+\+ \|grad\|/);
  // Then the stop and the end point (no table).
  assert.match(summary.join('\n'), /^stopped after 1000 iterations: iteration limit/);
  assert.match(summary.join('\n'), /point {3}x = 0\.683711\d*, y = 0\.465952\d*/);
  assert.doesNotMatch(r.stdout, /\n\s+k\s+x\s+y\s+value/, 'no table');
});

test('minimize --plot FILE.svg: the bands, the path of every iterate from (0, 2) to the book point, two curves', () => {
  const file = join(dir, 'step28.svg');
  const r = run([...STEP28, '--plot', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^gradient descent \(lr 0\.001\) on/, 'the text as without --plot');
  const py = spawnSync(
    'python3',
    [
      '-c',
      `import sys, re, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
ns = '{http://www.w3.org/2000/svg}'
print(t.get('width'), t.get('height'))
left, right = t.findall(ns + 'svg')
print(sum(1 for p in left.iter(ns + 'path') if p.get('class') == 'band'))
d = [p.get('d') for p in left.iter(ns + 'path') if p.get('class') == 'path'][0]
print(d.count('M'), d.count('L') + 1)
# x ticks: the texts below the plot; y ticks: those right-aligned at its left
xs = {float(e.text): float(e.get('x')) for e in left.iter(ns + 'text') if e.get('text-anchor') == 'middle' and e.get('fill') == '#333'}
ys = {float(e.text): float(e.get('y')) - 4.5 for e in left.iter(ns + 'text') if e.get('text-anchor') == 'end'}
def at(ticks, v):
    (a, pa), (b, pb) = sorted(ticks.items())[0], sorted(ticks.items())[-1]
    return pa + (v - a) / (b - a) * (pb - pa)
for c in left.iter(ns + 'circle'):
    print(c.get('class'), float(c.get('cx')) - at(xs, float(sys.argv[2])) if c.get('class') == 'start' else float(c.get('cx')) - at(xs, float(sys.argv[4])),
          float(c.get('cy')) - at(ys, float(sys.argv[3])) if c.get('class') == 'start' else float(c.get('cy')) - at(ys, float(sys.argv[5])))
print(' '.join(p.get('data-label') for p in right.iter(ns + 'path') if p.get('class') == 'curve'))
print(right.find(ns + "text[@class='title']").text)`,
      file,
      '0',
      '2',
      String(END28[0]),
      String(END28[1]),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(py.status, 0, py.stderr);
  const [size, bands, path, start, end, curves, title] = py.stdout.trim().split('\n');
  assert.equal(size, '1400 500', 'two figures of 700 x 500 side by side');
  assert.ok(Number(bands) >= 5, `bands: ${bands}`);
  assert.equal(path, '1 1001', 'one unbroken path through the start and the 1000 iterates');
  for (const [name, line] of [
    ['start', start],
    ['end', end],
  ]) {
    const [cls, dx, dy] = line.split(' ');
    assert.equal(cls, name);
    assert.ok(Math.abs(Number(dx)) < 0.5 && Math.abs(Number(dy)) < 0.5, `${name} off by (${dx}, ${dy}) px`);
  }
  assert.equal(curves, 'f |grad|');
  assert.equal(title, `${ROSENBROCK}: by iteration (log scale)`);
});

test('minimize --plot FILE.png: a PNG whose header says 1400 x 500', () => {
  const file = join(dir, 'step28.png');
  const r = run([...STEP28, '--plot', file, '-q']);
  assert.equal(r.status, 0, r.stderr);
  const png = readFileSync(file);
  assert.equal(png.toString('latin1', 1, 4), 'PNG');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1400, 500]);
});

test('minimize --plot: non-finite values of f are gaps in the bands, not the top band', () => {
  // sqrt(x + 1) is NaN left of x = -1; the minimum of x^2 + y^2 + sqrt(x + 1) is at x > -1.
  const file = join(dir, 'gap.svg');
  const r = run(['minimize', 'x^2 + y^2 + sqrt(x + 1)', '--x', '3', '--y', '3', '--plot', file, '-q']);
  assert.equal(r.status, 0, r.stderr);
  const py = spawnSync(
    'python3',
    [
      '-c',
      `import sys, re, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
ns = '{http://www.w3.org/2000/svg}'
left = t.findall(ns + 'svg')[0]
xs = sorted((float(e.text), float(e.get('x'))) for e in left.iter(ns + 'text') if e.get('text-anchor') == 'middle' and e.get('fill') == '#333')
(a, pa), (b, pb) = xs[0], xs[-1]
px = lambda v: pa + (v - a) / (b - a) * (pb - pa)
lo = min(float(m) for p in left.iter(ns + 'path') if p.get('class') == 'band' for m in re.findall(r'[ML]([-\\d.]+) ', p.get('d')))
box = float([r for r in left.iter(ns + 'rect') if r.get('fill') == 'none'][0].get('x'))
print(box, px(-1), lo)`,
      file,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(py.status, 0, py.stderr);
  const [box, minusOne, lowest] = py.stdout.trim().split(' ').map(Number);
  assert.ok(minusOne > box + 20, `x = -1 is inside the plot (${minusOne} > ${box})`);
  // The bands start at x = -1 (within a grid cell of 1/120 of the width), the left of it is empty.
  assert.ok(lowest > minusOne - 8, `a band reaches x = ${lowest} px, left of x = -1 at ${minusOne} px`);
});

test('minimize --plot, one variable: f over the iterates with each marked; Newton on x^4 - 2x^2 (step 29)', () => {
  const r = run(['minimize', 'x^4 - 2*x^2', '--x', '2', '--method', 'newton', '--plot']);
  assert.equal(r.status, 0, r.stderr);
  const [curve] = figures(r.stdout);
  const c = readFigure(curve);
  // The book's iterates 2, 1.4545..., 1.1510..., and f at each (closed form).
  for (const x of [2, 1.4545454545454546, 1.1510467893775467]) {
    const y = x ** 4 - 2 * x ** 2;
    assert.equal(c.at(c.row(y), c.col(x)), 'o', `an o at (${x}, ${y}):\n${curve.join('\n')}`);
  }
  assert.match(curve.join('\n'), /\*\* f {3}o iterates/);
  assert.match(r.stdout, /point {3}x = 1\n/);
});

test('root --plot: f around the iterates, each marked; a file holds one figure of 800 x 500', () => {
  // Newton on x^2 - 2 from 1: 1, 1.5, 17/12 (closed form), f = x^2 - 2 at each.
  const r = run(['root', 'x^2 - 2', '--x', '1', '--plot']);
  assert.equal(r.status, 0, r.stderr);
  const [curve, summary] = figures(r.stdout);
  assert.equal(curve[0], 'x^2 - 2 = 0');
  const c = readFigure(curve);
  for (const x of [1, 1.5, 17 / 12])
    assert.equal(c.at(c.row(x * x - 2), c.col(x)), 'o', `(${x}):\n${curve.join('\n')}`);
  assert.match(summary.join('\n'), /root {4}x = 1\.414213562373095/);
  const file = join(dir, 'root.png');
  const f = run(['root', 'cos(x) - x', '--method', 'bisect', '--bracket', '0:1', '--plot', file]);
  assert.equal(f.status, 0, f.stderr);
  const png = readFileSync(file);
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [800, 500]);
  assert.match(f.stdout, /^bisection on cos\(x\) - x = 0 in \[0, 1\]/);
  // Several equations: |f| by iteration.
  const svg = join(dir, 'system.svg');
  const s = run(['root', '[x^2 + y^2 - 4, x - y]', '--x', '1', '--y', '2', '--plot', svg, '-q']);
  assert.equal(s.status, 0, s.stderr);
  assert.match(readFileSync(svg, 'utf8'), /<path class="curve" data-label="\|f\|"/);
});

test('--plot with --json, --format and --check: a file draws and prints too; the terminal refuses --json and --format', () => {
  const refused: string[][] = [
    [...STEP28, '--plot', '--json'],
    [...STEP28, '--plot', '--format', 'csv'],
    ['root', 'x^2 - 2', '--x', '1', '--plot', '--json'],
    ['tanh(x)', '--x', '-1:1:0.5', '--plot', '--json'],
    ['tanh(x)', '--x', '-1:1:0.5', '--plot', '--format', 'tsv'],
  ];
  for (const argv of refused) {
    const r = run(argv);
    assert.equal(r.status, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /--plot alone draws in the terminal/);
    assert.match(r.stderr, /--plot plot\.svg --(json|format)/, 'says what to write instead');
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  // minimize: the file and the JSON, whose end point is the book's.
  const file = join(dir, 'json.svg');
  const m = run([...STEP28, '--plot', file, '--json']);
  assert.equal(m.status, 0, m.stderr);
  const record = JSON.parse(m.stdout);
  assert.ok(Math.abs(record.point.x - END28[0]) < 1e-8 && Math.abs(record.point.y - END28[1]) < 1e-8);
  assert.ok(existsSync(file));
  // The one-shot command: the file and the JSON (tanh' = 1 - tanh^2), or the rows.
  const one = join(dir, 'one.svg');
  const j = run(['tanh(x)', '--x', '-1:1:0.5', '--plot', one, '--json']);
  assert.equal(j.status, 0, j.stderr);
  const obj = JSON.parse(j.stdout);
  assert.ok(Math.abs(obj.gradient.x[0] - (1 - Math.tanh(-1) ** 2)) < 1e-15);
  assert.match(readFileSync(one, 'utf8'), /<path class="curve" data-label="dy\/dx"/);
  const rows = run(['tanh(x)', '--x', '-1:1:0.5', '--plot', join(dir, 'rows.svg'), '--format', 'csv']);
  assert.equal(rows.status, 0, rows.stderr);
  assert.equal(rows.stdout.trim().split('\n').length, 1 + 5, 'the header and five rows');
  // --check: the figure, then the verdict (exit 0: tanh's gradient agrees).
  const checked = run(['tanh(x)', '--x', '-1:1:0.01', '--plot', '--check']);
  assert.equal(checked.status, 0, checked.stderr);
  assert.match(checked.stdout, /^tanh\(x\)\n/);
  assert.match(checked.stdout, /\nok: the gradient agrees at all 201 points/);
  // A mismatch after the figure is still exit 3: relu at its kink x = 0 (one-sided derivatives 0 and 1).
  const kink = run(['relu(x)', '--x', '-1:1:0.5', '--plot', '--check']);
  assert.equal(kink.status, 3, kink.stderr);
  assert.match(kink.stdout, /└[^]*\ncheck failed at 1 of 5 points \(exit 3\)\n {2}the first is row 3 \(x = 0\)/);
  // --symbolic: the formula after the figure in the file's case too.
  const sym = run(['tanh(x)', '--x', '-1:1:0.5', '--plot', join(dir, 'sym.svg'), '--symbolic']);
  assert.equal(sym.status, 0, sym.stderr);
  assert.match(sym.stdout, /dy\/dx = /);
});

test('the session: :plot on the last expression over a range, in the terminal or into a file; errors name the fix', () => {
  const file = join(dir, 'session.svg');
  const lines = [
    'x = 0.3',
    'tanh(x)',
    ':plot x -5:5',
    `:plot -1:1 order 2 ${file}`,
    ':plot t 0:1',
    ':plot x 0:1 order 0',
    '',
  ];
  const r = spawnSync(process.execPath, ['bin/dezero-grad.js', 'repl'], {
    cwd: ROOT,
    encoding: 'utf8',
    input: lines.join('\n'),
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
  });
  assert.equal(r.status, 2, 'two lines failed');
  const out = r.stdout.split('\n');
  const title = out.indexOf('tanh(x)');
  assert.ok(title > 0, r.stdout);
  const figure = out.slice(title, title + 23);
  const p = readFigure(figure);
  // tanh(0) = 0 and tanh'(0) = 1 (closed forms), at 80 x 24 when not on a terminal.
  assert.equal(p.at(p.row(0), p.col(0)), '*', figure.join('\n'));
  assert.equal(p.at(p.row(1), p.col(0)), '+', figure.join('\n'));
  assert.match(r.stdout, new RegExp(`wrote ${file.replace(/[.\\/]/g, '\\$&')}`));
  const labels = [...readFileSync(file, 'utf8').matchAll(/class="curve" data-label="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(labels, ['y', 'dy/dx', 'd2y/dx2']);
  assert.match(r.stderr, /line 5: :plot: the last expression has no variable t/);
  assert.match(r.stderr, /line 6: :plot's order takes a whole number from 1 to 30, got '0'/);
});
