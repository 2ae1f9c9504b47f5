/**
 * --graph through the built binary, for real (the other tests stub the spawn, which hid a bundle
 * that could not spawn at all): without Graphviz it writes the DOT file and says how to render
 * it; with Graphviz's dot on the PATH it writes the SVG.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import './helpers/cache-home.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'dezero-grad.js');
const run = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });

test('--graph without dot on the PATH: exit 2, the DOT file written, the command to render it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dezero-graph-'));
  const out = join(dir, 'g.svg');
  // an empty folder as the PATH: no dot (node itself is started by its full path)
  const r = run(['x*y + sin(x)', '--x', '1', '--y', '2', '--graph', out], {
    PATH: mkdtempSync(join(tmpdir(), 'no-dot-')),
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /Graphviz's dot program is not installed/);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.match(readFileSync(join(dir, 'g.dot'), 'utf8'), /^digraph/);
});

const dot = spawnSync('dot', ['-V'], { encoding: 'utf8' });
test('--graph with dot on the PATH writes the SVG', {
  skip: dot.status === 0 ? false : 'Graphviz is not installed (apt-get install graphviz)',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dezero-graph-'));
  const out = join(dir, 'g.svg');
  const r = run(['x*y + sin(x)', '--x', '1', '--y', '2', '--graph', out], process.env);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(out));
  assert.match(readFileSync(out, 'utf8'), /<svg/);
});
