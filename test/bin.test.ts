/**
 * The installed command as a user meets it: the bin shim and the bundle, in a real process.
 * (In-process tests cover behaviour; these cover what only a real process shows.)
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import './helpers/cache-home.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = `${root}bin/dezero-grad.js`;
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined };

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { env, input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bin/dezero-grad.js', () => {
  test('prints the seed example', () => {
    const r = cli(['square(exp(square(x)))', '--x', '0.5']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /\ndy\/dx = 3\.297442541400256\n$/);
    assert.equal(r.stderr, '');
  });

  test('bad input exits 2 with one message and no stack trace', () => {
    const r = cli(['sin(x', '--x', '1']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^dezero-grad: missing '\)'/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('reads the expression from standard input', () => {
    const r = cli(['-', '--x', '2', '-q'], 'x^3\n');
    assert.equal(r.stdout, 'y = 8\ndy/dx = 12\n');
  });

  test('a closed pipe ends quietly with exit 0', () => {
    // A trace long enough to fill the pipe after head has gone.
    const out = execFileSync(
      'bash',
      [
        '-c',
        `node "${bin}" "$(printf 'sin(%.0s' {1..3000})x$(printf ')%.0s' {1..3000})" --x 1 | head -1; echo "status=\${PIPESTATUS[0]}"`,
      ],
      {
        env,
        encoding: 'utf8',
      },
    );
    assert.match(out, /^forward\nstatus=0\n$/);
  });

  test('a write error (a full disk) is reported on stderr with exit 1', {
    skip: !existsDevFull() && 'no /dev/full here',
  }, () => {
    const r = spawnSync('bash', ['-c', `node "${bin}" "x^2" --x 1 > /dev/full`], { env, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot write to standard output/);
  });

  test('the bundle imports neither mathjs, @inquirer/prompts nor the plotting packages up front', () => {
    // The loader (dist/cli.cjs) and every chunk of the bundle it runs.
    const chunks = readdirSync(`${root}dist/cli-chunks`).map((f) => `${root}dist/cli-chunks/${f}`);
    const bundle = [`${root}dist/cli.cjs`, ...chunks].map((f) => readFileSync(f, 'utf8')).join('\n');
    const packages = /["'](mathjs|@inquirer\/prompts|d3-contour|@resvg\/resvg-js)["']/.source;
    assert.doesNotMatch(bundle, new RegExp(`^import\\b[^;]*${packages}`, 'm'));
    assert.doesNotMatch(bundle, new RegExp(`require\\(${packages}\\)`));
    assert.match(bundle, /import\(["']@resvg\/resvg-js["']\)/, 'resvg is loaded on demand, from outside the bundle');
    assert.match(bundle, /import\(["']d3-contour["']\)/, 'd3-contour too (an ES module: import(), never require())');
    assert.doesNotMatch(bundle, /function contours\(/, 'd3-contour is not bundled');
  });
});

function existsDevFull(): boolean {
  return existsSync('/dev/full');
}
