/**
 * The V8 code cache (src/cli/code-cache.ts), through the built binary: written by a first run,
 * used by the next, ignored (and written again) when corrupt, truncated, made for other source or
 * not a file (a device), skipped when it cannot be written (read-only HOME, a full disk, a file
 * size limit), and the output is byte for byte the same in every case.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CACHE_HOME } from './helpers/cache-home.js';

const bin = fileURLToPath(new URL('../../bin/dezero-grad.js', import.meta.url));
const SEED = ['square(exp(square(x)))', '--x', '0.5'];
// The seed example's derivative, the reference value (DeZero's book, step 10).
const EXPECTED_LAST = 'dy/dx = 3.297442541400256\n';
const scratch = mkdtempSync(join(tmpdir(), 'dezero-code-cache-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function run(
  args: string[],
  env: Record<string, string | undefined>,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What the loader said about the start file (`start-HASH.cjs`, the chunks a start loads), verbose. */
function entryStatus(stderr: string): string {
  const line = stderr.split('\n').find((l) => /^code cache: start-\w+\.cjs /.test(l));
  assert.ok(line, `no line about the start file in:\n${stderr}`);
  return line.replace(/^code cache: start-\w+\.cjs /, '');
}

const plain = run(SEED, { DEZERO_GRAD_CODE_CACHE: 'off' });

describe('the code cache', () => {
  const xdg = join(scratch, 'xdg');
  const verbose = { XDG_CACHE_HOME: xdg, DEZERO_GRAD_CODE_CACHE: 'verbose' };
  const entryCache = (): string => {
    const name = readdirSync(join(xdg, 'dezero-grad')).find((f) => f.startsWith('start-'));
    assert.ok(name, 'the start file has a cache file');
    return join(xdg, 'dezero-grad', name);
  };

  test('without it the program prints the seed example', () => {
    assert.equal(plain.status, 0);
    assert.ok(plain.stdout.endsWith(EXPECTED_LAST), plain.stdout);
    assert.equal(plain.stderr, '');
  });

  test('a first run writes it, the next uses it, with the same output', () => {
    const first = run(SEED, verbose);
    assert.equal(entryStatus(first.stderr), 'missing, written');
    const second = run(SEED, verbose);
    assert.equal(entryStatus(second.stderr), 'used');
    assert.equal(first.stdout, plain.stdout);
    assert.equal(second.stdout, plain.stdout);
    assert.equal(second.status, 0);
    // Quiet by default: nothing on stderr.
    assert.equal(run(SEED, { XDG_CACHE_HOME: xdg }).stderr, '');
  });

  test('with a cache, the paths loaded on demand still load (mathjs for --symbolic, the REPL)', () => {
    run(SEED, verbose);
    const symbolic = run([...SEED, '--symbolic', '--quiet'], verbose);
    assert.equal(entryStatus(symbolic.stderr), 'used');
    assert.equal(symbolic.status, 0, symbolic.stderr);
    assert.match(symbolic.stdout, /symbolic/);
    const r = spawnSync(process.execPath, [bin, 'repl'], {
      env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: xdg },
      input: 'x = 0.5\nsquare(exp(square(x)))\n',
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(EXPECTED_LAST.trim()), r.stdout);
  });

  test('a cache written by --version is written again by the next runs, with what they compiled', () => {
    const dir = join(scratch, 'generations');
    const env = { XDG_CACHE_HOME: dir, DEZERO_GRAD_CODE_CACHE: 'verbose' };
    const size = (): number => {
      const name = readdirSync(join(dir, 'dezero-grad')).find((f) => f.startsWith('start-'))!;
      return statSync(join(dir, 'dezero-grad', name)).size;
    };
    assert.equal(entryStatus(run(['--version'], env).stderr), 'missing, written');
    const before = size();
    const next = run(SEED, env);
    assert.match(next.stderr, /^code cache: start-\w+\.cjs used, written$/m);
    assert.equal(next.stdout, plain.stdout);
    assert.ok(size() > before, `the cache grew with the evaluation's functions (${before} -> ${size()} bytes)`);
    // A few runs refresh it, then it is only read.
    const writes = [1, 2, 3, 4].map(() => /used, written/.test(run(SEED, env).stderr));
    assert.deepEqual(writes, [true, true, false, false]);
  });

  test('a cache written only by -q runs is written again by the first trace run, then only read', () => {
    const env = { XDG_CACHE_HOME: join(scratch, 'kinds'), DEZERO_GRAD_CODE_CACHE: 'verbose' };
    const quiet = [1, 2, 3, 4, 5].map(() => /used, written|missing, written/.test(run([...SEED, '-q'], env).stderr));
    assert.deepEqual(quiet, [true, true, true, true, false]);
    const traces = [1, 2].map(() => run(SEED, env));
    assert.deepEqual(
      traces.map((r) => /^code cache: start-\w+\.cjs used, written$/m.test(r.stderr)),
      [true, false],
    );
    for (const r of traces) assert.equal(r.stdout, plain.stdout);
    // Another -q run: its kind is in the cache already.
    assert.doesNotMatch(run([...SEED, '-q'], env).stderr, /written/);
  });

  test('a corrupt cache (one byte changed inside) is ignored and written again', () => {
    run(SEED, verbose);
    const file = entryCache();
    const bytes = readFileSync(file);
    bytes[bytes.length >> 2] ^= 0x55; // inside the first copy
    writeFileSync(file, bytes);
    const r = run(SEED, verbose);
    assert.equal(entryStatus(r.stderr), 'corrupt, written');
    assert.equal(r.stdout, plain.stdout);
    assert.equal(entryStatus(run(SEED, verbose).stderr), 'used');
  });

  test('a truncated cache is ignored and written again', () => {
    run(SEED, verbose);
    const file = entryCache();
    truncateSync(file, 1000);
    const r = run(SEED, verbose);
    assert.equal(entryStatus(r.stderr), 'corrupt, written');
    assert.equal(r.stdout, plain.stdout);
  });

  test('a cache made for other source text (a stale one) is rejected by V8 and written again', () => {
    // --symbolic loads a chunk on demand (the mathjs bridge): its cache is well formed, for other text.
    run([...SEED, '--symbolic'], verbose);
    const dir = join(xdg, 'dezero-grad');
    const other = readdirSync(dir).find((f) => !f.startsWith('start-'));
    assert.ok(other, 'a chunk loaded on demand has a cache file');
    copyFileSync(join(dir, other), entryCache());
    const r = run(SEED, verbose);
    assert.equal(entryStatus(r.stderr), 'rejected, written');
    assert.equal(r.stdout, plain.stdout);
    assert.equal(entryStatus(run(SEED, verbose).stderr), 'used');
  });

  test("another build's caches in the same directory are kept while recent, removed after 30 days", () => {
    // Two installs (npx's and a project's) share ~/.cache/dezero-grad: removing each other's caches
    // at once, each would compile and write its own again at every run.
    const dir = join(scratch, 'shared');
    const caches = join(dir, 'dezero-grad');
    const env = { XDG_CACHE_HOME: dir, DEZERO_GRAD_CODE_CACHE: 'verbose' };
    run(SEED, env);
    const ours = readdirSync(caches).find((f) => f.startsWith('start-'))!;
    const recent = join(caches, ours.replace(/^start-\w+/, 'start-0ther000'));
    const old = join(caches, ours.replace(/^start-\w+/, 'start-01d00000'));
    copyFileSync(join(caches, ours), recent);
    copyFileSync(join(caches, ours), old);
    const days = (n: number): Date => new Date(Date.now() - n * 86_400_000);
    utimesSync(recent, days(29), days(29));
    utimesSync(old, days(31), days(31));
    const r = run(SEED, env); // the second run writes its cache again (a generation more)
    assert.match(r.stderr, /code cache: start-\w+\.cjs used, written/);
    assert.equal(r.stdout, plain.stdout);
    const left = readdirSync(caches);
    assert.ok(left.includes(ours), `ours is kept: ${left}`);
    assert.ok(left.includes(recent.split('/').pop()!), `another build's recent cache is kept: ${left}`);
    assert.ok(!left.includes(old.split('/').pop()!), `another build's 31-day-old cache is removed: ${left}`);
  });

  test('a cache directory that cannot be made is skipped: same output, nothing on stderr', () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    const r = run(SEED, { XDG_CACHE_HOME: file });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, plain.stdout);
    assert.equal(r.stderr, '');
    const noHome = run(SEED, { HOME: undefined, XDG_CACHE_HOME: undefined });
    assert.equal(noHome.stdout, plain.stdout);
    assert.equal(noHome.stderr, '');
  });

  test('a cache file that is a device (a symlink to /dev/full) is not read: same output, written again', () => {
    const dir = join(scratch, 'device');
    const env = { XDG_CACHE_HOME: dir, DEZERO_GRAD_CODE_CACHE: 'verbose' };
    run(SEED, env);
    const name = readdirSync(join(dir, 'dezero-grad')).find((f) => f.startsWith('start-'))!;
    const file = join(dir, 'dezero-grad', name);
    for (const device of ['/dev/full', '/dev/zero']) {
      rmSync(file);
      symlinkSync(device, file);
      // Read to its end, either device would never end: the timeout turns a hang into a failure.
      const r = spawnSync(process.execPath, [bin, ...SEED], {
        env: { ...process.env, NO_COLOR: '1', ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(r.status, 0, `${device}: ${r.stderr}`);
      assert.equal(entryStatus(r.stderr), 'corrupt, written', device);
      assert.equal(r.stdout, plain.stdout);
      assert.ok(lstatSync(file).isFile(), `${device}: replaced by a cache file`);
    }
  });

  test('a cache that cannot be written out (a file size limit, ulimit -f: EFBIG) is skipped, nothing left behind', () => {
    const dir = join(scratch, 'file-size-limit');
    const script = `ulimit -f 1; exec "$0" "$@"`; // 1 block: the cache, ~0.5 MB, fails part way
    const limited = (env: Record<string, string>) =>
      spawnSync('bash', ['-c', script, process.execPath, bin, ...SEED], {
        env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: dir, ...env },
        encoding: 'utf8',
      });
    const quiet = limited({});
    assert.equal(quiet.status, 0);
    assert.equal(quiet.stdout, plain.stdout);
    assert.equal(quiet.stderr, '');
    const verbose = limited({ DEZERO_GRAD_CODE_CACHE: 'verbose' });
    assert.match(entryStatus(verbose.stderr), /^missing, not written \(EFBIG/);
    assert.equal(verbose.stdout, plain.stdout);
    assert.deepEqual(readdirSync(join(dir, 'dezero-grad')), [], 'no cache and no temporary file');
  });

  test("the tests' own runs of the binary keep their cache in a temporary directory, not in ~/.cache", () => {
    assert.ok(CACHE_HOME.startsWith(tmpdir()), CACHE_HOME);
    assert.equal(process.env.XDG_CACHE_HOME, CACHE_HOME);
    const r = spawnSync(process.execPath, [bin, ...SEED], { env: process.env, encoding: 'utf8' });
    assert.equal(r.stdout, plain.stdout);
    assert.ok(
      readdirSync(join(CACHE_HOME, 'dezero-grad')).some((f) => f.startsWith('start-')),
      'the start file has its cache there',
    );
  });

  // A read-only file system and a full one, as a user without root meets them: a tmpfs mounted in
  // a user namespace (unshare), read-only, or too small for the cache.
  const canMount = spawnSync('unshare', ['-rm', 'true']).status === 0;
  for (const [what, options] of [
    ['a read-only HOME', 'ro'],
    ['a full disk', 'size=4k'],
  ] as const) {
    test(`${what}: the program runs as without a cache`, {
      skip: !canMount && 'unshare -rm is not allowed here',
    }, () => {
      const home = join(scratch, `home-${options}`);
      const script = [
        `mkdir -p '${home}'`,
        `mount -t tmpfs -o ${options} tmpfs '${home}'`,
        `HOME='${home}' XDG_CACHE_HOME= NO_COLOR=1 "$0" "$@"`,
        'echo "exit $?"',
        `ls -A '${home}/.cache/dezero-grad' 2>/dev/null | grep -c . || true`,
      ].join('; ');
      const r = spawnSync('unshare', ['-rm', 'bash', '-c', script, process.execPath, bin, ...SEED], {
        env: { ...process.env, DEZERO_GRAD_CODE_CACHE: undefined },
        encoding: 'utf8',
      });
      assert.equal(r.stderr, '');
      // The output, the exit code, and no file left behind (no half-written cache).
      assert.equal(r.stdout, `${plain.stdout}exit 0\n0\n`);
    });
  }
});
