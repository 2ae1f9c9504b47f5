// `npm run bench`: ratios from one run, every comparison alternating its sides so that the load
// of a shared machine falls on both. Absolute times drift; the ratios are what to read.
//
//   throughput  the library's compiled kernel vs DeZero's algorithm on numpy (bench/dezero_numpy.py)
//               and a hand-fused C loop (bench/fused.c, gcc -O3 -march=native), 4M points; ours on
//               one thread and on two (createPool, warm, bench/js_side.mjs "pool" modes)
//   start-up    one point from a cold process vs a bare `node -e 0`, both without NODE_EXTRA_CA_CERTS
//   depth       a chain sin(sin(...sin(x)...)) 20,000 and 200,000 deep, -f FILE --quiet: time and memory
//   engine      per node on that chain: the tape against the Variables (bench/engine_side.mjs), and
//               through the binary with -q and --json -q
//   streaming   --x - with 1M lines from a pipe, us a line
//
// Options (environment): BENCH_N (points, default 4000000), BENCH_ROUNDS (default 3),
// BENCH_STARTUP (runs per side, default 15).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const work = join(root, '.bench');
mkdirSync(work, { recursive: true });
const N = Number(process.env.BENCH_N ?? 4_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STARTUP = Number(process.env.BENCH_STARTUP ?? 15);
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

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const chain = (n) => {
  const file = join(work, `chain-${n}.txt`);
  writeFileSync(file, 'sin('.repeat(n) + 'x' + ')'.repeat(n));
  return file;
};
const small = chain(20_000);
const big = chain(200_000);
// ---- the engine per node (issue 13, part 2) -------------------------------------------------
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

// ---- streaming --x - -------------------------------------------------------------------------
const lines = (n) => Array.from({ length: n }, (_, i) => String(i / n)).join('\n') + '\n';
const stream = (input) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, 'tanh(x)', '--x', '-', '--format', 'tsv'], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`stream failed: ${r.stderr.slice(0, 500)}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const million = lines(1_000_000);
const few = lines(10);
const sm = [];
const bm = [];
for (let i = 0; i < ROUNDS; i++) {
  sm.push(stream(few));
  bm.push(stream(million));
}
console.log(
  `streaming: tanh(x) --x - --format tsv, 1,000,000 lines from a pipe: ${fmt(((median(bm) - median(sm)) * 1000) / 1e6, 2)} us a line (goal <= 0.6; issue's baseline 1.8-2.3)   load average ${load()}`,
);
