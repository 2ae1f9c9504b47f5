/**
 * The layout scripts/build.mjs gives the CLI: the chunks a one-point run needs bundled into one
 * scope in the start file (dist/cli-chunks/start-HASH.cjs), each chunk's name defined there as
 * one of its namespaces, and the chunks loaded on demand as files of their own that find every
 * chunk they require. Then the paths those chunks serve, through the binary.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import './helpers/cache-home.js';

const bin = fileURLToPath(new URL('../../bin/dezero-grad.js', import.meta.url));
const chunksDir = fileURLToPath(new URL('../../dist/cli-chunks/', import.meta.url));
const files = readdirSync(chunksDir);
const startName = files.find((f) => /^start-\w+\.cjs$/.test(f));
const text = (name: string): string => readFileSync(join(chunksDir, name), 'utf8');
/** The chunk names a file defines, and the chunk names its code requires. */
const defined = (source: string): string[] => [...source.matchAll(/\bdefine\("([\w.-]+)"/g)].map((m) => m[1]);
const required = (source: string): string[] =>
  [...source.matchAll(/\brequire\("\.\/([\w.-]+\.cjs)"\)/g)].map((m) => m[1]);

describe('the start file', () => {
  test('is one scope: the CommonJS interop once, not once a chunk', () => {
    assert.ok(startName, files.join(' '));
    const start = text(startName);
    // esbuild's __copyProps (each CommonJS module copies its exports into getters with it): the
    // bundle's own, and the split's runtime helpers (commander is CommonJS). 20 separate chunks
    // carried 20.
    const interop = start.match(/Object\.getOwnPropertyDescriptor\b/g) ?? [];
    assert.ok(interop.length <= 2, `${interop.length} copies of the interop`);
    // The bundle, then an alias per chunk it exports (the entry first, for the loader).
    const names = defined(start);
    assert.equal(names[0], 'start-bundle.cjs');
    assert.match(names[1], /^main-\w+\.cjs$/);
    for (const name of names.slice(1)) {
      assert.match(
        start,
        new RegExp(
          `define\\("${name.replace('.', '\\.')}"[^\\n]*\\n?module\\.exports = require\\("\\./start-bundle\\.cjs"\\)\\.c\\d+;`,
        ),
      );
    }
  });

  test('every chunk a chunk requires is defined in the start file or is a file of its own', () => {
    const inStart = new Set(defined(text(startName!)));
    for (const file of files) {
      for (const name of required(text(file))) {
        assert.ok(inStart.has(name) || files.includes(name), `${file} requires ${name}, which nothing defines`);
      }
    }
  });
});

describe('the paths loaded on demand find the code they share with the start', () => {
  const run = (args: string[], input?: string) =>
    spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' }, input, encoding: 'utf8' });

  test('many points (tsv), --check, --order, the session, minimize, --help', () => {
    // d/dx x^3 = 3x^2 at 1 and 2; the second derivative 6x.
    const tsv = run(['x^3', '--x', '1,2', '--format', 'tsv']);
    assert.equal(tsv.status, 0, tsv.stderr);
    assert.equal(tsv.stdout, `x\ty\tdy/dx\n1\t${1 ** 3}\t${3 * 1 ** 2}\n2\t${2 ** 3}\t${3 * 2 ** 2}\n`);
    const check = run(['x^3', '--x', '2', '--check', '-q']);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /^ok: the gradient agrees$/m);
    const order = run(['x^3', '--x', '2', '--order', '2', '-q']);
    assert.equal(order.status, 0, order.stderr);
    assert.match(order.stdout, new RegExp(`^d2y/dx2 = ${6 * 2}$`, 'm'));
    const session = run(['repl'], 'x = 2\nx^3\n');
    assert.equal(session.status, 0, session.stderr);
    assert.match(session.stdout, new RegExp(`dy/dx = ${3 * 2 ** 2}\\b`));
    // The minimum of (x-3)^2 is at x = 3.
    const min = run(['minimize', '(x-3)^2', '--x', '0']);
    assert.equal(min.status, 0, min.stderr);
    assert.match(min.stdout, /^ {2}point +x = 3$/m);
    const help = run(['--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage: dezero-grad/);
  });
});
