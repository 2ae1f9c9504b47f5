// --plot through the built binary: the terminal drawing (cells read back through its own tick
// labels), the SVG (parsed by python3's XML parser) and the PNG (its header and its pixels inflated
// with node:zlib, not by the renderer that wrote it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { ROOT } from './helpers/process.js';
import './helpers/cache-home.js';

const dir = mkdtempSync(join(tmpdir(), 'dezero-plot-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The built program with a clean environment: no terminal, so 80 x 24 unless COLUMNS/LINES say otherwise. */
function plot(args: string[], env: Record<string, string> = { NO_COLOR: '1' }) {
  const r = spawnSync(process.execPath, ['bin/dezero-grad.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The terminal plot's grid: the line of each y tick label and the column of each x tick. */
function readPlot(text: string) {
  const lines = text.split('\n').slice(0, -1);
  const axisRow = lines.findIndex((l) => l.includes('└'));
  const axis = lines[axisRow];
  const labels = lines[axisRow + 1];
  const xTick = (label: string): number => {
    for (let c = 0; c < axis.length; c++) {
      if (axis[c] !== '┬') continue;
      const start = c - Math.floor((label.length - 1) / 2);
      if (
        labels.slice(start, start + label.length) === label &&
        labels[start - 1] !== '-' &&
        labels[start + label.length] === ' '
      )
        return c;
    }
    throw new Error(`no x tick labelled ${label} in\n${axis}\n${labels}`);
  };
  const yTick = (label: string): number => {
    const r = lines.findIndex((l, i) => i < axisRow && l.split('┤')[0].trim() === label);
    if (r < 0) throw new Error(`no y tick labelled ${label}`);
    return r;
  };
  return { lines, axisRow, xTick, yTick, at: (r: number, c: number): string => lines[r][c] ?? ' ' };
}

test('the terminal plot at 80x24: tanh crosses zero in the cell of x = 0, y = 0; its derivative peaks at (0, 1)', () => {
  const r = plot(['tanh(x)', '--x', '-5:5:0.01', '--plot']);
  assert.equal(r.status, 0, r.stderr);
  const p = readPlot(r.stdout);
  assert.equal(p.lines.length, 23, 'the height of the terminal but one line (for the prompt)');
  for (const l of p.lines) assert.ok([...l].length <= 80, `wider than 80: ${l}`);
  assert.equal(p.lines[0], 'tanh(x)', 'titled with the expression');
  const x0 = p.xTick('0');
  const y0 = p.yTick('0');
  const y1 = p.yTick('1');
  assert.equal(p.at(y0, x0), '*', 'tanh (the first curve, *) passes through (0, 0)');
  // tanh(±0.3) = ±0.29, more than two rows (0.11 each) from 0: the crossing is in this cell alone.
  assert.notEqual(p.at(y0, x0 - 2), '*');
  assert.notEqual(p.at(y0, x0 + 2), '*');
  assert.equal(p.at(y1, x0), '+', 'its derivative (+) reaches 1 at x = 0');
  // sech^2 <= 1 with the maximum at 0 alone: no + above the row of 1; on that row, only near x = 0.
  for (let row = 0; row < y1; row++) assert.ok(!p.lines[row].includes('+'), `a + above 1: ${p.lines[row]}`);
  const plusAt = [...p.lines[y1]].flatMap((ch, c) => (ch === '+' ? [c] : []));
  // The top row holds sech^2 > 1 - half a row (about 0.94), so |x| < 0.25 there.
  const perUnit = (p.xTick('2') - x0) / 2;
  assert.ok(plusAt.length > 0 && plusAt.every((c) => Math.abs(c - x0) <= 0.3 * perUnit), `top away from 0: ${plusAt}`);
  // tanh approaches -1 and 1: the ends of its curve are on those rows.
  assert.equal(p.at(p.yTick('-1'), p.xTick('-4')), '*');
  assert.match(p.lines[p.lines.length - 1], /\*\* y {3}\+\+ dy\/dx/, 'the legend names each curve with its character');
});

test('the terminal plot follows COLUMNS and LINES when not on a terminal', () => {
  const r = plot(['sin(x)', '--x', '0:6:0.1', '--plot'], { NO_COLOR: '1', COLUMNS: '50', LINES: '15' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').slice(0, -1);
  assert.equal(lines.length, 14);
  assert.ok(lines.every((l) => [...l].length <= 50));
  // A short plot keeps a row between its y tick labels (0.4 would share a row with 0.2 here).
  const short = plot(['x*0+1', '--x', '0:1:0.1', '--plot'], { NO_COLOR: '1', COLUMNS: '30', LINES: '8' });
  const rows = short.stdout.split('\n').flatMap((l, i) => (l.includes('┤') ? [i] : []));
  assert.ok(rows.length >= 2, short.stdout);
  for (let i = 1; i < rows.length; i++)
    assert.ok(rows[i] - rows[i - 1] >= 2, `ticks on touching rows:\n${short.stdout}`);
});

test('non-finite points are gaps: sqrt(x) and its derivative draw nothing left of 0', () => {
  const r = plot(['sqrt(x)', '--x', '-1:1:0.01', '--plot']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: 101 of 201 points give a value or gradient that is not finite/);
  const p = readPlot(r.stdout);
  const x0 = p.xTick('0');
  for (let row = 1; row < p.axisRow; row++) {
    const left = p.lines[row].slice(p.lines[row].indexOf(p.lines[row].includes('┤') ? '┤' : '│') + 1, x0);
    assert.doesNotMatch(left, /[*+]/, `a point left of x = 0 on row ${row}: ${p.lines[row]}`);
  }
  assert.ok(
    p.lines.slice(1, p.axisRow).some((l) => l.slice(x0 + 1).includes('*')),
    'log(x) is drawn right of 0',
  );
});

test('with colour: one colour per curve, braille dots, and the legend in the same colours', () => {
  const r = plot(['tanh(x)', '--x', '-5:5:0.01', '--order', '2', '--plot'], { FORCE_COLOR: '1' });
  assert.equal(r.status, 0, r.stderr);
  const colours = new Set([...r.stdout.matchAll(/\x1b\[(3\d)m/g)].map((m) => m[1]));
  assert.ok(colours.size >= 3, `three curves, three colours: ${[...colours]}`);
  assert.match(r.stdout, /[\u2801-\u28ff]/, 'braille dots');
  const legend = r.stdout.trim().split('\n').at(-1)!;
  assert.equal(legend.replace(/\x1b\[\d+m/g, ''), '── y   ── dy/dx   ── d2y/dx2');
});

test('--plot FILE.svg: it parses, is titled with the expression and holds one path per curve', () => {
  const file = join(dir, 'tanh.svg');
  const r = plot(['tanh(x)', '--x', '-5:5:0.01', '--order', '4', '--plot', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  const py = spawnSync(
    'python3',
    [
      '-c',
      `import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
ns = '{http://www.w3.org/2000/svg}'
print(t.get('width'), t.get('height'))
print(t.find(ns + "text[@class='title']").text)
for p in t.iter(ns + 'path'):
    if p.get('class') == 'curve': print(p.get('data-label'), p.get('d').count('M'), p.get('d').count('L') + 1)`,
      file,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(py.status, 0, py.stderr);
  const [size, title, ...curves] = py.stdout.trim().split('\n');
  assert.equal(size, '800 500');
  assert.equal(title, 'tanh(x)');
  // Five curves, each one unbroken run of the 1001 points.
  assert.deepEqual(curves, ['y 1 1001', 'dy/dx 1 1001', 'd2y/dx2 1 1001', 'd3y/dx3 1 1001', 'd4y/dx4 1 1001']);
});

test('--plot FILE.svg: a gap in the data is a new subpath', () => {
  const file = join(dir, 'recip.svg');
  const r = plot(['1/x', '--x', '-1:1:0.5', '--plot', file]);
  assert.equal(r.status, 0, r.stderr);
  const svg = readFileSync(file, 'utf8');
  const d = /class="curve" data-label="y" d="([^"]*)"/.exec(svg)![1];
  assert.equal(d.split('M').length - 1, 2, `1/x at 0 is Infinity: two pieces, got ${d}`);
});

test('--plot FILE.png: a PNG of 800 x 500 whose pixels inflate to the size the header says', () => {
  const file = join(dir, 'sin.png');
  const r = plot(['sin(x)', '--x', '-7:7:0.01', '--order', '2', '--plot', file]);
  assert.equal(r.status, 0, r.stderr);
  const png = readFileSync(file);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const [bitDepth, colourType] = [png[24], png[25]];
  assert.deepEqual([width, height], [800, 500]);
  // The image data: every IDAT chunk, inflated: a filter byte and width pixels a row.
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const channels = { 2: 3, 6: 4 }[colourType as 2 | 6];
  assert.equal(bitDepth, 8);
  assert.ok(channels !== undefined, `colour type ${colourType}`);
  const pixels = inflateSync(Buffer.concat(idat));
  assert.equal(pixels.length, height * (1 + width * channels));
});

test('--plot errors: one message, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['tanh(x)', '--x', '1', '--plot'], /--plot draws over many points: give x a range/],
    [
      ['x*y', '--x', '0:1:0.5', '--y', '0:1:0.5', '--plot'],
      /--plot draws along one variable, but --x and --y each have many values/,
    ],
    [['tanh(x)', '--x', '0:1:0.5', '--plot', 'out.pdf'], /--plot writes .svg or .png files, got 'out.pdf'/],
    [
      ['tanh(x)', '--x', '0:1:0.5', '--plot', '--json'],
      /--plot alone draws in the terminal, which would mix the figure into --json's output/,
    ],
    [['tanh(x)', '--x', '0:1:0.5', '--plot', join(dir, 'no', 'such', 'dir.svg')], /cannot write .*dir\.svg/],
  ];
  for (const [argv, message] of cases) {
    const r = plot(argv);
    assert.equal(r.status, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
