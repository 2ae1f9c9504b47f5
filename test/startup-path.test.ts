/**
 * What a one-point run loads, through the built binary: none of Node's stream machinery (net,
 * stream, tty) and no ES module loader, whether standard output is a pipe or /dev/null (a
 * character device, which isatty would ask node:tty about). Node's own list of the modules it
 * loaded (process.moduleLoadList, read at exit by a preloaded script) is the witness; a session,
 * which reads its lines through node:readline, shows that the witness sees them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import './helpers/cache-home.js';

const bin = fileURLToPath(new URL('../../bin/dezero-grad.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dezero-startup-path-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const witness = join(dir, 'witness.cjs');
writeFileSync(
  witness,
  `process.on('exit', () => require('node:fs').writeSync(2, 'LOADED ' + process.moduleLoadList
    .filter((m) => /^NativeModule (tty|net|stream|internal\\/modules\\/esm\\/loader)$/.test(m))
    .map((m) => m.replace('NativeModule ', '')).join(' ') + '\\n'));\n`,
);

/** The watched modules a run of the binary loaded, and its output. */
function loaded(args: string[], stdout: 'pipe' | number, input?: string): { modules: string[]; stdout: string } {
  const r = spawnSync(process.execPath, ['-r', witness, bin, ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['pipe', stdout, 'pipe'],
    input,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED'));
  assert.ok(line !== undefined, r.stderr);
  return { modules: line.slice('LOADED'.length).trim().split(' ').filter(Boolean), stdout: r.stdout ?? '' };
}

describe('what a one-point run loads', () => {
  const SEED = ['square(exp(square(x)))', '--x', '0.5'];

  test('output to a pipe: no net, stream or tty, no ES module loader', () => {
    for (const args of [SEED, [...SEED, '-q'], [...SEED, '--json']]) {
      const r = loaded(args, 'pipe');
      assert.deepEqual(r.modules, [], args.join(' '));
      assert.match(r.stdout, /dy\/dx|"gradient"/);
    }
  });

  test('output to /dev/null (a character device, never a terminal): the same', () => {
    const devNull = openSync('/dev/null', 'w');
    try {
      assert.deepEqual(loaded([...SEED, '-q'], devNull).modules, []);
      assert.deepEqual(loaded(SEED, devNull).modules, []);
    } finally {
      closeSync(devNull);
    }
  });

  test('the witness sees them when they load: a session reads its lines with node:readline', () => {
    const r = loaded(['repl'], 'pipe', 'x = 0.5\nsquare(exp(square(x)))\n');
    assert.ok(r.modules.includes('stream'), r.modules.join(' '));
    assert.match(r.stdout, /dy\/dx = 3\.297442541400256/); // the seed's derivative (DeZero's step 10)
  });
});
