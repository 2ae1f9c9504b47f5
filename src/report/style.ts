/**
 * The renderers' palette. Colour lives only here and in the renderers that take a Style; a style
 * with colour off returns every string unchanged.
 */

export interface Style {
  /** Names of variables: x, a, y. */
  name(s: string): string;
  /** Numbers. */
  value(s: string): string;
  /** Function class names: Square. */
  fn(s: string): string;
  /** Backward rules: 2·x·gy. */
  rule(s: string): string;
  /** Section headings and the final result. */
  heading(s: string): string;
  /** Quiet secondary text. */
  dim(s: string): string;
  warn(s: string): string;
  error(s: string): string;
  /** The i-th curve of a plot, one colour each; absent without colour (plots then vary the character). */
  series?(i: number, s: string): string;
}

const plainText = (s: string): string => s;

export const PLAIN: Style = {
  name: plainText,
  value: plainText,
  fn: plainText,
  rule: plainText,
  heading: plainText,
  dim: plainText,
  warn: plainText,
  error: plainText,
};

/**
 * A style for ANSI terminals at chalk colour `level` (0 gives PLAIN). chalk is loaded only when
 * there is colour to make: output to a pipe or a file, the common case for scripts, never loads it.
 */
export async function makeStyle(level: 0 | 1 | 2 | 3): Promise<Style> {
  if (level === 0) return PLAIN;
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level });
  return {
    name: (s) => c.cyan(s),
    value: (s) => c.green(s),
    fn: (s) => c.magenta(s),
    rule: (s) => c.yellow(s),
    heading: (s) => c.bold(s),
    dim: (s) => c.dim(s),
    warn: (s) => c.yellow(s),
    error: (s) => c.red.bold(s),
    series: (i, s) => [c.blue, c.red, c.green, c.magenta, c.cyan, c.yellow][i % 6](s),
  };
}
