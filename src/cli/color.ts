/**
 * Whether to colour, decided here because chalk ignores NO_COLOR: `--no-color` always wins, then
 * FORCE_COLOR (as in Node itself, it overrides NO_COLOR), then NO_COLOR, TERM=dumb, and whether
 * standard output is a terminal.
 */
export type ColorLevel = 0 | 1 | 2 | 3;

export function colorLevel(
  flag: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
  stdoutIsTTY: boolean,
): ColorLevel {
  if (flag === false) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2') return 2;
    if (force === '3') return 3;
    return 1;
  }
  if (flag === true) return 1;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (env.TERM === 'dumb') return 0;
  return stdoutIsTTY ? 1 : 0;
}
