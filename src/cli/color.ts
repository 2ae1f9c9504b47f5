/**
 * Whether to colour, decided here because chalk ignores NO_COLOR: `--no-color` always wins, then
 * FORCE_COLOR (as in Node itself, it overrides NO_COLOR), then NO_COLOR, TERM=dumb, and whether
 * standard output is a terminal. And the renderers' settings, made from that decision.
 */
import type { RenderSettings } from '../report/settings.js';
import { makeStyle } from '../report/style.js';

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

/**
 * The renderers' settings for a run, made once: the precision (--precision), the style for the
 * colour decided above (chalk is loaded only when there is colour to make) and the terminal width.
 */
export async function renderSettings(
  options: { precision?: number; color?: boolean },
  env: Readonly<Record<string, string | undefined>>,
  stdoutIsTTY: boolean,
  width?: number,
): Promise<RenderSettings> {
  return { precision: options.precision, style: await makeStyle(colorLevel(options.color, env, stdoutIsTTY)), width };
}
