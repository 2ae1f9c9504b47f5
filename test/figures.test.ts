// The figure kinds `minimize --plot` draws, from plain data: a value against the iteration on
// a log scale, and a 2-D path over the contour bands of f (book step 28's picture). Rendered by the
// same functions --plot uses; read back through their own tick labels (terminal) and python3's XML
// parser (SVG).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { axisFor, renderTerminalPlot, type ContourFigure, type LineFigure } from '../src/report/plot.js';
import { renderSvg } from '../src/report/svg.js';
import { PLAIN } from '../src/report/style.js';

/** Rosenbrock's function, the book's step 28. */
const rosenbrock = (x: number, y: number): number => 100 * (y - x * x) ** 2 + (1 - x) ** 2;

function grid(nx: number, ny: number): ContourFigure['grid'] {
  const x = Float64Array.from({ length: nx }, (_, i) => -2 + (4 * i) / (nx - 1));
  const y = Float64Array.from({ length: ny }, (_, j) => -1 + (4 * j) / (ny - 1));
  const z = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) z[j * nx + i] = rosenbrock(x[i], y[j]);
  return { x, y, z };
}

const lines = (text: string): string[] => text.split('\n').slice(0, -1);
const yRow = (ls: string[], label: string): number => ls.findIndex((l) => l.split(/[┤│]/)[0].trim() === label);

test('a log axis: ticks at the powers of ten around the values; 0 and below are gaps', () => {
  const axis = axisFor([[1000, 3, 0.02, 1e-7, 0, -1]], { log: true });
  assert.equal(axis.min, 1e-7);
  assert.equal(axis.max, 1000);
  assert.ok(axis.ticks.every((t) => Number.isInteger(Math.log10(t))));
  assert.ok(axis.ticks.includes(1));
});

test('value against iteration on a log scale: 10^-k lands on the row of its tick', async () => {
  // f = 10^(4 - k) at iteration k: from 1e4 down to 1e-4.
  const k = Float64Array.from({ length: 9 }, (_, i) => i);
  const f = Float64Array.from(k, (i) => 10 ** (4 - i));
  const figure: LineFigure = {
    kind: 'lines',
    title: 'rosenbrock: value',
    xLabel: 'iteration',
    series: [{ label: 'f', x: k, y: f }],
    yScale: 'log',
  };
  const ls = lines(renderTerminalPlot(figure, { width: 60, height: 20 }));
  assert.equal(ls.length, 19);
  const row1 = yRow(ls, '1');
  assert.ok(row1 > 0, `a tick labelled 1:\n${ls.join('\n')}`);
  // Iteration 4 has f = 1: on that row, at the column of the x tick 4.
  const axis = ls.findIndex((l) => l.includes('└'));
  const labels = ls[axis + 1];
  const col4 = [...ls[axis]].findIndex((ch, c) => ch === '┬' && labels[c] === '4');
  assert.ok(col4 > 0, `an x tick labelled 4:\n${ls[axis]}\n${labels}`);
  assert.equal(ls[row1][col4], '*');
  // Equal steps in log10 f: a straight line, so 1e2 (iteration 2) is halfway between 1e4 and 1.
  const row100 = yRow(ls, '100');
  {
    const col2 = [...ls[axis]].findIndex((ch, c) => ch === '┬' && labels[c] === '2');
    assert.equal(ls[row100][col2], '*');
  }
  const svg = await renderSvg(figure);
  assert.match(svg, /<path class="curve" data-label="f" d="M[^"]*"/);
  assert.match(svg, />1e-4</);
});

test('the contour figure in the terminal: bands from low to high, the path from o to X', () => {
  const figure: ContourFigure = {
    kind: 'contour',
    title: 'rosenbrock',
    xLabel: 'x',
    yLabel: 'y',
    grid: grid(81, 81),
    // Start at (0, 2), end at the minimum (1, 1).
    path: { x: [0, 0.5, 0.9, 1], y: [2, 0.5, 0.8, 1] },
  };
  const ls = lines(renderTerminalPlot(figure, { width: 70, height: 24 }));
  const axis = ls.findIndex((l) => l.includes('└'));
  const labels = ls[axis + 1];
  const colOf = (label: string): number =>
    [...ls[axis]].findIndex(
      (ch, c) => ch === '┬' && labels.slice(c, c + label.length) === label && labels[c - 1] !== '-',
    );
  assert.equal(ls[yRow(ls, '2')][colOf('0')], 'o', 'the start (0, 2)');
  assert.equal(ls[yRow(ls, '1')][colOf('1')], 'X', 'the end (1, 1)');
  // The valley y = x^2 is the lowest band (blank), the corners the highest ('@').
  assert.equal(ls[yRow(ls, '0')][colOf('0')], ' ', 'f(0, 0) = 1 is in the lowest band');
  assert.equal(ls[yRow(ls, '-1')][colOf('-2')], '@', 'f(-2, -1) = 2509 is in the highest');
  assert.match(ls.at(-1)!, /o start {3}• path {3}X end \(4 points\)/);
});

test('the contour figure as SVG: bands, the path and its two ends where the data says', async () => {
  const figure: ContourFigure = {
    kind: 'contour',
    title: 'rosenbrock',
    xLabel: 'x',
    yLabel: 'y',
    grid: grid(41, 41),
    path: { x: [0, 0.5, 1], y: [2, 0.5, 1] },
  };
  const py = spawnSync(
    'python3',
    [
      '-c',
      `import sys, xml.etree.ElementTree as ET
t = ET.fromstring(sys.stdin.read())
ns = '{http://www.w3.org/2000/svg}'
print(sum(1 for p in t.iter(ns + 'path') if p.get('class') == 'band'))
print(sum(1 for p in t.iter(ns + 'path') if p.get('class') == 'path'))
ticks = {}
for e in t.iter(ns + 'text'):
    ticks.setdefault(e.text, []).append((float(e.get('x')), float(e.get('y'))))
for c in t.iter(ns + 'circle'):
    print(c.get('class'), c.get('cx'), c.get('cy'))
print(ticks['0'][0][0], ticks['1'][0][0], ticks['2'][1][1] - 4.5, ticks['1'][1][1] - 4.5)`,
    ],
    { input: await renderSvg(figure), encoding: 'utf8' },
  );
  assert.equal(py.status, 0, py.stderr);
  const [bands, paths, start, end, ticks] = py.stdout.trim().split('\n');
  assert.ok(Number(bands) >= 5, `bands: ${bands}`);
  assert.equal(paths, '1');
  // The x ticks 0 and 1 (first text of each) and the y ticks 2 and 1 (second: the y axis's).
  const [x0, x1, y2, y1] = ticks.split(' ').map(Number);
  const [, sx, sy] = start.split(' ');
  const [, ex, ey] = end.split(' ');
  assert.deepEqual([Number(sx), Number(sy)], [x0, y2], 'start at (0, 2)');
  assert.deepEqual([Number(ex), Number(ey)], [x1, y1], 'end at (1, 1)');
});

test('a series of marks: its character at each point, not joined, over the curves (braille with colour too)', async () => {
  // f = x^2 over -2..2 and three iterates on it, at x = -2, 0 and 1.
  const x = Float64Array.from({ length: 81 }, (_, i) => -2 + i / 20);
  const figure: LineFigure = {
    kind: 'lines',
    title: 'x^2',
    xLabel: 'x',
    series: [
      { label: 'f', x, y: x.map((v) => v * v) },
      { label: 'iterates', x: [-2, 0, 1], y: [4, 0, 1], marks: 'o' },
    ],
  };
  // A style whose series colour is a tag, so the cells can be read without ANSI codes.
  const tagged = { ...PLAIN, series: (k: number, s: string) => `<${k}>${s}</${k}>` };
  for (const style of [PLAIN, tagged]) {
    const text = renderTerminalPlot(figure, { width: 60, height: 20, style });
    const plain = text.replace(/<\/?\d>/g, '');
    const ls = lines(plain);
    assert.equal([...plain].filter((ch) => ch === 'o').length, 3 + 1, `three marks and the legend's:\n${plain}`);
    const axis = ls.findIndex((l) => l.includes('└'));
    const labels = ls[axis + 1];
    // The tick whose label is the whole word under it.
    const col = (label: string): number =>
      [...ls[axis]].findIndex(
        (ch, c) =>
          ch === '┬' &&
          [...labels.matchAll(/\S+/g)].some((w) => w[0] === label && w.index <= c && c < w.index + label.length),
      );
    assert.equal([...ls[yRow(ls, '0')]][col('0')], 'o', `the mark at (0, 0):\n${plain}`);
    assert.equal([...ls[yRow(ls, '4')]][col('-2')], 'o', `the mark at (-2, 4):\n${plain}`);
    assert.equal([...ls[yRow(ls, '1')]][col('1')], 'o', `the mark at (1, 1):\n${plain}`);
    assert.match(ls.at(-1)!, style === PLAIN ? /\*\* f {3}o iterates/ : /── f {3}o iterates/);
    if (style === tagged) assert.match(text, /<1>o<\/1>/, 'a mark in its series colour');
  }
  const svg = await renderSvg(figure);
  assert.equal([...svg.matchAll(/<circle class="mark" data-label="iterates"/g)].length, 3);
  assert.equal([...svg.matchAll(/<path class="curve"/g)].length, 1, 'marks draw no path');
});
