// `npm run bench`: ratios from one run, every comparison alternating its sides so that the load
// of a shared machine falls on both. Absolute times drift; the ratios are what to read.
//
//   throughput  the library's compiled kernel vs DeZero's algorithm on numpy (bench/dezero_numpy.py)
//               and a hand-fused C loop (bench/fused.c, gcc -O3 -march=native), 4M points; ours on
//               one thread and on two (createPool, warm, bench/js_side.mjs "pool" modes)
//   start-up    one point from a cold process vs a bare `node -e 0`, both without NODE_EXTRA_CA_CERTS
//   depth       a chain sin(sin(...sin(x)...)) 20,000 and 200,000 deep, -f FILE --quiet: time and memory
//   tensors     value and gradients on 1000x1000 elementwise and a 256x256 matmul vs DeZero on numpy
//   engine      per node on that chain: the tape against the Variables (bench/engine_side.mjs), and
//               through the binary with -q and --json -q
//   streaming   --x - with 1M lines from a pipe, us a line
//
// Options (environment): BENCH_N (points, default 4000000), BENCH_ROUNDS (default 3),
// BENCH_STARTUP (runs per side, default 30), BENCH_ONLY (some of
// throughput,simd,startup,depth,engine,streaming,tensors; default all), BENCH_NODE (the node binary
// start-up runs both sides with, to measure under another Node version; default this one).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { buildFloor } from './startup-floor.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const work = join(root, '.bench');
mkdirSync(work, { recursive: true });
const N = Number(process.env.BENCH_N ?? 4_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STARTUP = Number(process.env.BENCH_STARTUP ?? 30);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'throughput,simd,startup,depth,engine,streaming,tensors').split(','));
const cli = join(root, 'bin', 'dezero-grad.js');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, d = 1) => x.toFixed(d);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
};

// ---- throughput ----------------------------------------------------------------------------
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The hand-fused C loop (bench/fused.c), built once per bench run. */
let builtC = false;
function cSide() {
  if (!builtC)
    execFileSync('gcc', ['-O3', '-march=native', '-o', join(work, 'fused'), join(root, 'bench', 'fused.c'), '-lm']);
  builtC = true;
  return (id) => [join(work, 'fused'), [id, N, 5]];
}
const EXPRESSIONS = { 1: 'square(exp(square(x)))', 2: 'tanh(x*y) + sin(x) / (1 + y^2)' };

if (ONLY.has('throughput')) throughput();
if (ONLY.has('simd')) simdThroughput();
if (ONLY.has('startup')) await startup();
if (ONLY.has('depth')) depth();
if (ONLY.has('engine')) engine();
if (ONLY.has('streaming')) streaming();
if (ONLY.has('tensors')) tensorBench();

function throughput() {
  const SIDES = {
    numpy: (id) => ['python3', [join(root, 'bench', 'dezero_numpy.py'), id, N, 3]],
    C: cSide(),
    js: (id) => [process.execPath, [join(root, 'bench', 'js_side.mjs'), id, N, 5]],
    'js grad()': (id) => [process.execPath, [join(root, 'bench', 'js_side.mjs'), id, N, 3, 'fresh']],
    'js 2 threads': (id) => [process.execPath, [join(root, 'bench', 'js_side.mjs'), id, N, 5, 'pool']],
    'js 2 threads, copied': (id) => [process.execPath, [join(root, 'bench', 'js_side.mjs'), id, N, 5, 'pool-copy']],
  };
  console.log(
    `throughput: value and gradient at ${N} points, ns a point (median of each process's repetitions, then of ${ROUNDS} alternating rounds)`,
  );
  console.log(
    `  ${availableParallelism()} cores, load average ${load()} (threads gain only on idle cores); C and numpy run on one thread`,
  );
  for (const [id, expr] of Object.entries(EXPRESSIONS)) {
    const per = Object.fromEntries(Object.keys(SIDES).map((k) => [k, []]));
    const checks = new Set();
    const firsts = [];
    const shares = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, side] of Object.entries(SIDES)) {
        const out = JSON.parse(run(...side(id)));
        per[name].push(median(out.ns_per_point));
        if (name === 'js grad()') firsts.push(out.ns_per_point[0]);
        checks.add(out.check.toPrecision(12));
        if (name === 'js 2 threads') shares.push(out.cores);
      }
    }
    const m = Object.fromEntries(Object.entries(per).map(([k, v]) => [k, median(v)]));
    console.log(`  ${expr}`);
    console.log(
      `    numpy-DeZero ${fmt(m.numpy)}   C -O3 ${fmt(m.C)}   ours ${fmt(m.js)} (outputs reused)   ours via grad() ${fmt(m['js grad()'])} (new outputs)`,
    );
    console.log(
      `    ours / numpy-DeZero = ${fmt(m.js / m.numpy, 2)}x (goal <= 0.5)   ours / C = ${fmt(m.js / m.C, 2)}x (goal <= 1.3)   grad() / numpy-DeZero = ${fmt(m['js grad()'] / m.numpy, 2)}x`,
    );
    console.log(
      `    a single grad() call on fresh arrays (the first in its process) ${fmt(median(firsts))}: / numpy-DeZero = ${fmt(median(firsts) / m.numpy, 2)}x (goal <= 0.5)`,
    );
    const t2 = m['js 2 threads'];
    console.log(
      `    ours, 2 threads (warm pool, shared inputs, outputs reused) ${fmt(t2)}: / numpy-DeZero = ${fmt(t2 / m.numpy, 2)}x   / C = ${fmt(t2 / m.C, 2)}x   / ours 1 thread = ${fmt(t2 / m.js, 2)}x   (the threads got ${fmt(median(shares), 2)} cores)`,
    );
    console.log(
      `    ours, 2 threads, ordinary inputs (copied to shared memory each run) ${fmt(m['js 2 threads, copied'])}: / C = ${fmt(m['js 2 threads, copied'] / m.C, 2)}x`,
    );
    console.log(`    load average now ${load()}`);
    if (checks.size !== 1) console.log(`    WARNING: the sides disagree at the check point: ${[...checks].join(' ')}`);
  }
}

// ---- start-up ------------------------------------------------------------------------------
// Without NODE_EXTRA_CA_CERTS on both sides: these machines set it, and it makes every Node process
// parse a CA bundle before V8 starts (~55 ms), which a user's shell does not do. The code cache is
// in a scratch XDG_CACHE_HOME, written by untimed runs first (the first four runs write it).
async function startup() {
  const node = process.env.BENCH_NODE ?? process.execPath;
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const userEnv = { ...process.env, XDG_CACHE_HOME: join(work, 'cache') };
  delete userEnv.NODE_EXTRA_CA_CERTS;
  const wall = (args) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(node, args, { env: userEnv, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const SEED = ['square(exp(square(x)))', '--x', '0.5'];
  const QUIET = [...SEED, '-q'];
  // The floor under the goal (bench/startup-floor.mjs): the same loader and code cache around
  // minimal bundles, in the same alternating runs.
  const floor = await buildFloor(root, join(work, 'floor'));
  const loadBefore = load();
  for (let i = 0; i < 4; i++) wall([cli, ...(i % 2 ? QUIET : SEED)]);
  for (const stage of floor) for (let i = 0; i < 4; i++) wall([stage.script, ...QUIET]);
  const bare = [];
  const ours = [];
  const oursQuiet = [];
  const floorTimes = floor.map(() => []);
  for (let i = 0; i < STARTUP; i++) {
    bare.push(wall(['-e', '0']));
    ours.push(wall([cli, ...SEED]));
    oursQuiet.push(wall([cli, ...QUIET]));
    floor.forEach((stage, k) => floorTimes[k].push(wall([stage.script, ...QUIET])));
  }
  console.log(
    `start-up: one point from a cold process, median of ${STARTUP} alternating runs, NODE_EXTRA_CA_CERTS unset on both sides (as in a user's shell), code cache warm, Node ${version}`,
  );
  console.log(
    `  node -e 0 ${fmt(median(bare))} ms   dezero-grad "square(exp(square(x)))" --x 0.5 ${fmt(median(ours))} ms   ratio ${fmt(median(ours) / median(bare), 2)}x (goal <= 1.15)`,
  );
  console.log(
    `  node -e 0 ${fmt(median(bare))} ms   the same with -q ${fmt(median(oursQuiet))} ms   ratio ${fmt(median(oursQuiet) / median(bare), 2)}x (goal <= 1.15)   load average ${loadBefore} before, ${load()} after`,
  );
  console.log('  the floor under it, -q, the same runs: the loader and its code cache around minimal bundles');
  floor.forEach((stage, k) => {
    const ms = median(floorTimes[k]);
    console.log(
      `    ${stage.what.padEnd(48)} ${fmt(ms)} ms  ${fmt(ms / median(bare), 2)}x   (start file ${fmt(stage.bytes / 1024, 0)} KB)`,
    );
  });
  // CPU time as well where `perf stat` works: on a busy machine the wall clock waits for a core,
  // the CPU time much less. (perf's own start would dilute a wall-clock ratio: not used for that.)
  const cpu = (args) => {
    const r = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', node, ...args], {
      env: userEnv,
      encoding: 'utf8',
    });
    const ms = r.status === 0 ? Number(r.stderr.trim().split('\n').pop().split(',')[0]) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  };
  if (cpu(['-e', '0']) === undefined) return;
  const bareCpu = [];
  const oursCpu = [];
  const quietCpu = [];
  for (let i = 0; i < STARTUP; i++) {
    bareCpu.push(cpu(['-e', '0']));
    oursCpu.push(cpu([cli, ...SEED]));
    quietCpu.push(cpu([cli, ...SEED, '-q']));
  }
  console.log(
    `  CPU time (perf stat task-clock, all threads, median of ${STARTUP} alternating runs): node -e 0 ${fmt(median(bareCpu))} ms   one point ${fmt(median(oursCpu))} ms ${fmt(median(oursCpu) / median(bareCpu), 2)}x   with -q ${fmt(median(quietCpu))} ms ${fmt(median(quietCpu) / median(bareCpu), 2)}x   load average ${load()}`,
  );
}

// ---- depth ---------------------------------------------------------------------------------
function depth() {
  const chain = (n) => {
    const file = join(work, `chain-${n}.txt`);
    writeFileSync(file, 'sin('.repeat(n) + 'x' + ')'.repeat(n));
    return file;
  };
  const timeMem = (file) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, '-f', file, '--x', '0.5', '--quiet'], {
      encoding: 'utf8',
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`depth run failed: ${r.stderr.slice(0, 500)}`);
    return { ms, kb: Number(r.stderr.trim().split('\n').pop()) };
  };
  const small = chain(20_000);
  const big = chain(200_000);
  const s = [];
  const b = [];
  for (let i = 0; i < 3; i++) {
    s.push(timeMem(small));
    b.push(timeMem(big));
  }
  const sMs = median(s.map((r) => r.ms));
  const bMs = median(b.map((r) => r.ms));
  const sKb = median(s.map((r) => r.kb));
  const bKb = median(b.map((r) => r.kb));
  console.log('depth: sin(sin(...sin(x)...)) from a file, --quiet, median of 3 alternating runs');
  console.log(
    `  20,000 deep ${fmt(sMs, 0)} ms ${fmt(sKb / 1024, 0)} MB   200,000 deep ${fmt(bMs, 0)} ms ${fmt(bKb / 1024, 0)} MB   time ratio ${fmt(bMs / sMs, 2)}x (goal <= 15; linear is 10)   ${fmt(((bKb - sKb) * 1024) / 180_000, 0)} bytes a node`,
  );
}

// ---- the SIMD kernel against C -------------------------------------------------------------
// { simd: true } on ordinary Float64Array inputs (so each run includes copying every block of them
// into the WebAssembly memory, as a user's call does) and the outputs of its first run reused (the
// kernel allocated them in a memory of its own and writes them in place; grad() makes new ones
// every call), C and ours alternating in every round.
function simdThroughput() {
  const sides = {
    C: cSide(),
    simd: (id) => [process.execPath, [join(root, 'bench', 'js_side.mjs'), id, N, 5, 'simd']],
    'simd inside': (id) => [process.execPath, [join(root, 'bench', 'js_side.mjs'), id, N, 5, 'simd-inside']],
    'simd grad()': (id) => [process.execPath, [join(root, 'bench', 'js_side.mjs'), id, N, 3, 'simd-fresh']],
    'simd 2 threads': (id) => [process.execPath, [join(root, 'bench', 'js_side.mjs'), id, N, 5, 'simd-pool']],
    'simd allocated': (id) => [process.execPath, [join(root, 'bench', 'js_side.mjs'), id, N, 5, 'simd-allocated']],
    'simd 2 threads allocated': (id) => [
      process.execPath,
      [join(root, 'bench', 'js_side.mjs'), id, N, 5, 'simd-pool-allocated'],
    ],
  };
  console.log(
    `simd: the WebAssembly SIMD kernel (--simd, { simd: true }) against C -O3 on one thread, ${N} points, ns a point (median of ${ROUNDS} alternating rounds)`,
  );
  for (const [id, expr] of Object.entries(EXPRESSIONS)) {
    const per = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
    const firsts = [];
    const shares = [];
    const sharesAllocated = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, side] of Object.entries(sides)) {
        const out = JSON.parse(run(...side(id)));
        per[name].push(median(out.ns_per_point));
        if (name === 'simd grad()') firsts.push(out.ns_per_point[0]);
        if (name === 'simd 2 threads') shares.push(out.cores);
        if (name === 'simd 2 threads allocated') sharesAllocated.push(out.cores);
      }
    }
    const m = Object.fromEntries(Object.entries(per).map(([k, v]) => [k, median(v)]));
    console.log(`  ${expr}`);
    console.log(
      `    C -O3 ${fmt(m.C)}   ours simd ${fmt(m.simd)} (inputs copied in, outputs its own, reused)   ours / C = ${fmt(m.simd / m.C, 2)}x (goal <= 1.0)`,
    );
    console.log(
      `    the kernel alone, inputs and outputs in its WebAssembly memory (no copies; not a user's call) ${fmt(m['simd inside'])}: / C = ${fmt(m['simd inside'] / m.C, 2)}x`,
    );
    console.log(
      `    simd via grad() ${fmt(m['simd grad()'])} (new outputs; the first call ${fmt(median(firsts))})   / C = ${fmt(m['simd grad()'] / m.C, 2)}x`,
    );
    console.log(
      `    simd, 2 threads (warm pool, shared inputs, outputs in its shared memory, reused) ${fmt(m['simd 2 threads'])}: / C = ${fmt(m['simd 2 threads'] / m.C, 2)}x (goal <= 0.6)   (the threads got ${fmt(median(shares), 2)} cores)   load average ${load()}`,
    );
    const alloc = m['simd allocated'];
    const alloc2 = m['simd 2 threads allocated'];
    console.log(
      `    ours simd, inputs allocated in its memory (a user's call with allocate: read in place, no copy in; outputs its own, reused) ${fmt(alloc)}: / C = ${fmt(alloc / m.C, 2)}x (for the one-thread goal <= 1.0)`,
    );
    console.log(
      `    ours simd, 2 threads, inputs allocated in its memory (pool.run with allocate; warm pool, outputs reused) ${fmt(alloc2)}: / C = ${fmt(alloc2 / m.C, 2)}x (for the two-thread goal <= 0.6)   (the threads got ${fmt(median(sharesAllocated), 2)} cores)   load average ${load()}`,
    );
  }
}

// ---- tensors -------------------------------------------------------------------------------
/** Value and gradients on whole arrays (issue 16): ours (bench/tensor_js.mjs) vs DeZero's algorithm on numpy. */
function tensorBench() {
  const CASES = {
    1: 'sum(tanh(X*Y) + sin(X)/(1 + Y^2)), X, Y 1000x1000',
    2: 'sum(matmul(A, B)), A, B 256x256',
  };
  const sides = {
    ours: (id) => [process.execPath, [join(root, 'bench', 'tensor_js.mjs'), id, 5]],
    numpy: (id) => ['python3', [join(root, 'bench', 'tensor_numpy.py'), id, 5]],
  };
  console.log(`tensors: value and gradients, ms (median of 5 in a process, then of ${ROUNDS} alternating rounds)`);
  for (const [id, what] of Object.entries(CASES)) {
    const per = { ours: [], numpy: [] };
    const checks = {};
    for (let r = 0; r < ROUNDS; r++)
      for (const [name, side] of Object.entries(sides)) {
        const out = JSON.parse(run(...side(id)));
        per[name].push(median(out.ms));
        checks[name] = out.check;
      }
    const [o, n] = [median(per.ours), median(per.numpy)];
    const agree =
      Math.abs(checks.ours - checks.numpy) <= 1e-9 * Math.abs(checks.numpy) ? 'same check' : 'CHECK DIFFERS';
    console.log(
      `  ${what}: ours ${fmt(o)} ms   numpy-DeZero ${fmt(n)} ms   ratio ${fmt(o / n, 2)}x   ${agree}   load average ${load()}`,
    );
  }
}

// ---- the engine per node (issue 13, part 2) -------------------------------------------------
function engine() {
  const chain = (n) => {
    const file = join(work, `chain-${n}.txt`);
    writeFileSync(file, 'sin('.repeat(n) + 'x' + ')'.repeat(n));
    return file;
  };
  const small = chain(20_000);
  const big = chain(200_000);
  // In-process: parse, then the tape (--quiet, --json --quiet, grad() at one point) against the
  // Variables (build + differentiate without a trace: the same work before the tape), alternating.
  const side = join(root, 'bench', 'engine_side.mjs');
  const engine = { tape: [], objects: [] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const mode of ['tape', 'objects']) {
      const [parseUs, engineUs, g] = run(process.execPath, [side, mode, 200_000]).trim().split(' ');
      engine[mode].push({ parseUs: Number(parseUs), engineUs: Number(engineUs), g });
    }
  }
  if (new Set([...engine.tape, ...engine.objects].map((r) => r.g)).size !== 1) throw new Error('the sides disagree');
  const perNode = (mode, key) => median(engine[mode].map((r) => r[key]));
  console.log(`engine per node: a 200,000-deep chain, us a node (median of ${ROUNDS} alternating processes)`);
  console.log(
    `  build + forward + backward: tape ${fmt(perNode('tape', 'engineUs'), 3)}   Variables ${fmt(perNode('objects', 'engineUs'), 3)}   ratio ${fmt(perNode('tape', 'engineUs') / perNode('objects', 'engineUs'), 2)}x   (issue's baseline 4.8 + 1.4)`,
  );
  console.log(
    `  with the parse (${fmt(perNode('tape', 'parseUs'), 3)}): tape ${fmt(perNode('tape', 'parseUs') + perNode('tape', 'engineUs'), 3)}   Variables ${fmt(perNode('objects', 'parseUs') + perNode('objects', 'engineUs'), 3)}   (goal <= 0.5)   load average ${load()}`,
  );
  // Through the binary, 200k against 20k deep (start-up cancels): -q, --json -q; time and peak memory.
  const cliNode = (flags) => {
    const one = (file) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, '-f', file, '--x', '0.5', ...flags], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      if (r.status !== 0) throw new Error(`run failed: ${r.stderr.slice(0, 500)}`);
      return { ms: Number(process.hrtime.bigint() - t0) / 1e6, kb: Number(r.stderr.trim().split('\n').pop()) };
    };
    const s = [];
    const b = [];
    for (let i = 0; i < ROUNDS; i++) {
      s.push(one(small));
      b.push(one(big));
    }
    const us = ((median(b.map((r) => r.ms)) - median(s.map((r) => r.ms))) * 1000) / 180_000;
    const bytes = ((median(b.map((r) => r.kb)) - median(s.map((r) => r.kb))) * 1024) / 180_000;
    return { us, bytes };
  };
  for (const flags of [['-q'], ['--json', '-q']]) {
    const { us, bytes } = cliNode(flags);
    console.log(
      `  dezero-grad -f FILE ${flags.join(' ')}: ${fmt(us, 2)} us a node (goal <= 0.5; issue's baseline 6.2), ${fmt(bytes, 0)} bytes a node of peak memory (goal <= 200; baseline 1,118)`,
    );
  }
}

// ---- streaming --x - -------------------------------------------------------------------------
function streaming() {
  const lines = (n) => Array.from({ length: n }, (_, i) => String(i / n)).join('\n') + '\n';
  const args = [cli, 'tanh(x)', '--x', '-', '--format', 'tsv'];
  const stream = (input) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`stream failed: ${r.stderr.slice(0, 500)}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  // CPU time too where `perf stat` works (a busy machine stretches the wall clock far more).
  const cpu = (input) => {
    const r = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', process.execPath, ...args], {
      input,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const ms = r.status === 0 ? Number(r.stderr.trim().split('\n').pop().split(',')[0]) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  };
  const million = lines(1_000_000);
  const few = lines(10);
  const sm = [];
  const bm = [];
  const sc = [];
  const bc = [];
  const perf = cpu(few) !== undefined;
  for (let i = 0; i < ROUNDS; i++) {
    sm.push(stream(few));
    bm.push(stream(million));
    if (perf) {
      sc.push(cpu(few));
      bc.push(cpu(million));
    }
  }
  const cpuText = perf
    ? `, CPU time ${fmt(((median(bc) - median(sc)) * 1000) / 1e6, 2)} us a line (perf stat task-clock, all threads)`
    : '';
  console.log(
    `streaming: tanh(x) --x - --format tsv, 1,000,000 lines from a pipe: ${fmt(((median(bm) - median(sm)) * 1000) / 1e6, 2)} us a line (goal <= 0.6; issue's baseline 1.8-2.3)${cpuText}   load average ${load()}`,
  );
}
