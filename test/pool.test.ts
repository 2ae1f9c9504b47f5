import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CompiledExpression,
  Pool,
  createPool,
  parse,
  sharedFloat64,
  type BatchResult,
  type PoolOptions,
} from '../src/index.js';
import { maxThreads } from '../src/batch/pool.js';
import { expression, random, values } from './helpers/random.js';

/** Every number of `a` is the same double as `b`'s (NaN included, -0 distinct from 0). */
function assertSame(a: BatchResult, b: BatchResult, where: string): void {
  assert.equal(a.length, b.length, where);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Object.is(a.value[i], b.value[i]), `${where}: value[${i}] ${a.value[i]} vs one thread ${b.value[i]}`);
    for (const name of Object.keys(b.gradient)) {
      assert.ok(
        Object.is(a.gradient[name][i], b.gradient[name][i]),
        `${where}: d/d${name}[${i}] ${a.gradient[name][i]} vs one thread ${b.gradient[name][i]}`,
      );
    }
  }
}

test('three threads give the one-thread result bit for bit on random expressions and arrays', async () => {
  // Every batch here is split into blocks of 16 points that the three threads claim.
  const pool = createPool({ threads: 3, minPoints: 2, block: 16 });
  try {
    const rnd = random(5_2026);
    for (let k = 0; k < 60; k++) {
      const source = expression(rnd, 1 + Math.floor(rnd() * 5));
      const n = 1 + Math.floor(rnd() * 4000);
      const x = values(rnd, n);
      const y = rnd() < 0.3 ? values(rnd, 1)[0] : values(rnd, n);
      // Half the time the inputs are already shared (no copy), else the pool copies them.
      const share = (a: Float64Array): Float64Array => {
        if (k % 2 === 0) return a;
        const s = sharedFloat64(a.length);
        s.set(a);
        return s;
      };
      const given = new Map<string, Float64Array | number>([
        ['x', share(x)],
        ['y', typeof y === 'number' ? y : share(y)],
      ]);
      const compiled = new CompiledExpression(parse(source), source);
      const one = compiled.run(given);
      const threaded = await pool.run(compiled, given);
      assertSame(threaded, one, `${source} (n=${n})`);
      // Run again into the threaded result's (shared) arrays, and into ordinary ones.
      assertSame(await pool.run(compiled, given, threaded), one, `${source} into shared arrays`);
      assert.equal(await pool.run(compiled, given, threaded), threaded);
      const plain = compiled.run(given);
      assert.equal(await pool.run(compiled, given, plain), plain);
      assertSame(plain, one, `${source} into ordinary arrays`);
    }
    assert.ok(pool.workerPoints > 0, 'the workers computed none of the points');
  } finally {
    await pool.close();
  }
});

test('small batches and expressions without a generated loop stay on this thread, with the same answers', async () => {
  const pool = createPool({ threads: 2 });
  try {
    const x = Float64Array.from({ length: 100 }, (_, i) => i / 10);
    const small = new CompiledExpression(parse('sin(x)^2'), 'sin(x)^2');
    assertSame(await pool.run(small, new Map([['x', x]])), small.run(new Map([['x', x]])), 'below minPoints');
    const d = new CompiledExpression(parse('diff(sin(x), x)'), 'diff(sin(x), x)');
    assertSame(await pool.run(d, new Map([['x', x]])), d.run(new Map([['x', x]])), 'diff (engine point by point)');
  } finally {
    await pool.close();
  }
});

test('bad values reject as in one thread, and a closed pool rejects', async () => {
  const pool = createPool({ threads: 2, minPoints: 2 });
  const c = new CompiledExpression(parse('x*y'), 'x*y');
  await assert.rejects(pool.run(c, new Map([['x', new Float64Array(3)]])), /no value for y/);
  await assert.rejects(
    pool.run(
      c,
      new Map([
        ['x', new Float64Array(3)],
        ['y', new Float64Array(4)],
      ]),
    ),
    /different lengths/,
  );
  await pool.close();
  await assert.rejects(
    pool.run(
      c,
      new Map([
        ['x', 1],
        ['y', 2],
      ]),
    ),
    /closed/,
  );
});

test('a worker that throws or exits rejects the run with its error instead of hanging', async () => {
  const x = new Float64Array(64).fill(0.5);
  const c = new CompiledExpression(parse('exp(x)'), 'exp(x)');
  const throwing = new Pool(
    { threads: 2, minPoints: 2 },
    `require('node:worker_threads').parentPort.on('message', (t) => require('node:worker_threads').parentPort.postMessage({ task: t.task, error: 'boom' }));`,
  );
  // (These scripts are the whole worker program: they fail without computing anything.)
  await assert.rejects(throwing.run(c, new Map([['x', x]])), /worker thread: boom/);
  await throwing.close();
  const exiting = new Pool(
    { threads: 2, minPoints: 2 },
    `require('node:worker_threads').parentPort.on('message', () => process.exit(7));`,
  );
  await assert.rejects(exiting.run(c, new Map([['x', x]])), /stopped \(exit code 7\)/);
  await exiting.close();
  const crashing = new Pool(
    { threads: 2, minPoints: 2 },
    `require('node:worker_threads').parentPort.on('message', () => { throw new TypeError('bad task'); });`,
  );
  await assert.rejects(crashing.run(c, new Map([['x', x]])), /bad task/);
  await crashing.close();
});

test('a pool that is never closed does not keep the process alive', () => {
  const index = fileURLToPath(new URL('../src/index.js', import.meta.url));
  const script = `
    import { CompiledExpression, createPool, parse } from ${JSON.stringify(index)};
    const pool = createPool({ threads: 2, minPoints: 2 });
    const c = new CompiledExpression(parse('tanh(x)'), 'tanh(x)');
    const r = await pool.run(c, new Map([['x', new Float64Array([1, 2, 3, 4])]]));
    console.log(r.value[3] === Math.tanh(4));`;
  // The timeout only turns a hang into a failure; the process should end as soon as main does.
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, null, 'the process was still running');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'true');
});

test('options are validated: threads, block, minPoints and timeout out of range are RangeErrors naming them', () => {
  const bad: [PoolOptions, RegExp][] = [
    [{ threads: 500 }, /threads must be a whole number from 1 to \d+, got 500/],
    [{ threads: 0 }, /threads .* got 0/],
    [{ threads: 1.5 }, /threads .* got 1\.5/],
    [{ threads: Number.NaN }, /threads .* got NaN/],
    [{ block: Infinity }, /block must be a whole number from 1 to 1073741824, got Infinity/],
    [{ block: Number.NaN }, /block .* got NaN/],
    [{ block: 0 }, /block .* got 0/],
    [{ minPoints: -1 }, /minPoints .* got -1/],
    [{ timeout: 0 }, /timeout .* got 0/],
    [{ threads: '2' as unknown as number }, /threads .* got "2"/],
  ];
  for (const [options, message] of bad) assert.throws(() => createPool(options), { name: 'RangeError', message });
  // At the bounds they are accepted (and Infinity where it means "never": no threads, no timeout).
  for (const options of [{ threads: 1 }, { threads: maxThreads() }, { minPoints: Infinity }, { timeout: Infinity }]) {
    void createPool(options).close();
  }
});

test('a worker that never answers: the run rejects after the timeout, saying so, and the pool goes on', async () => {
  const x = new Float64Array(64).fill(0.5);
  const c = new CompiledExpression(parse('exp(x)'), 'exp(x)');
  const silent = new Pool(
    { threads: 2, minPoints: 2, timeout: 300 },
    `require('node:worker_threads').parentPort.on('message', () => {});`,
  );
  const started = performance.now();
  await assert.rejects(
    silent.run(c, new Map([['x', x]])),
    /worker thread did not answer within 300 ms; 1 worker was stopped/,
  );
  assert.ok(performance.now() - started < 5000);
  await silent.close();
});

test('spare buffers do not pile up: only the last run’s copies are kept', async () => {
  const pool = createPool({ threads: 2, minPoints: 2 });
  try {
    const c = new CompiledExpression(parse('x*y'), 'x*y');
    for (const n of [100, 200, 300, 400, 500]) {
      const r = await pool.run(
        c,
        new Map([
          ['x', new Float64Array(n).fill(2)],
          ['y', new Float64Array(n).fill(3)],
        ]),
      );
      assert.equal(r.value[n - 1], 2 * 3);
    }
    const spare = (pool as unknown as { spare: Float64Array[] }).spare;
    assert.equal(spare.length, 2);
    assert.ok(spare.every((b) => b.length === 500));
  } finally {
    await pool.close();
  }
});

test('a kernel’s code travels to a worker once; past 64 kernels the worker forgets them and gets them again', async () => {
  const pool = createPool({ threads: 2, minPoints: 0, block: 8 });
  try {
    const x = values(random(20261211), 64);
    const compiled = Array.from({ length: 70 }, (_, k) => {
      const source = `tanh(x * ${k + 1}) + x^2`;
      return new CompiledExpression(parse(source), source, { simd: k % 2 === 0 });
    });
    // Twice round: the second time every kernel but the last few was forgotten by the worker.
    for (let round = 0; round < 2; round++) {
      for (const c of compiled) assertSame(await pool.run(c, { x }), c.run({ x }), `round ${round}`);
    }
    assert.ok(pool.workerPoints > 0);
  } finally {
    await pool.close();
  }
});
