/** Random expressions and arrays for the batch tests, from a seeded generator. */

/** A small seeded generator (mulberry32), so a failure can be replayed. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UNARY = [
  'square',
  'sqrt',
  'exp',
  'log',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'tanh',
  'sinh',
  'cosh',
  'sigmoid',
  'relu',
  'abs',
  '-',
  '^2',
];
const BINARY = ['+', '-', '*', '/', '^'];

/** A random expression over x and y, with literals, pi, and constant subexpressions. */
export function expression(rnd: () => number, depth: number): string {
  const r = rnd();
  if (depth === 0 || r < 0.2) {
    const leaf = rnd();
    if (leaf < 0.35) return 'x';
    if (leaf < 0.7) return 'y';
    if (leaf < 0.8) return 'pi';
    return String(Math.round(rnd() * 40 - 20) / 8);
  }
  if (r < 0.55) {
    const op = UNARY[Math.floor(rnd() * UNARY.length)];
    const arg = expression(rnd, depth - 1);
    return op === '-' ? `-(${arg})` : op === '^2' ? `(${arg})^2` : `${op}(${arg})`;
  }
  const op = BINARY[Math.floor(rnd() * BINARY.length)];
  return `(${expression(rnd, depth - 1)}) ${op} (${expression(rnd, depth - 1)})`;
}

/** Values that hit the interesting places: 0, -0, negatives, integers, and some random reals. */
export function values(rnd: () => number, n: number): Float64Array {
  const special = [0, -0, 1, -1, 2, 0.5, -2.5, 3];
  return Float64Array.from({ length: n }, () =>
    rnd() < 0.3 ? special[Math.floor(rnd() * special.length)] : rnd() * 6 - 3,
  );
}
