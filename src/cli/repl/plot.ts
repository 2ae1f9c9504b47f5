/**
 * `:plot [NAME] a:b[:step] [order N] [FILE]`: the last expression and its derivatives along NAME
 * over a range, the other variables at their values: the one-shot command's `--plot` (the batch
 * path and the same figure), drawn in the terminal or into FILE.svg or FILE.png.
 */
import { variableNames } from '../../expr/build.js';
import { evaluateConstant } from '../../expr/constant.js';
import { ExprError } from '../../expr/errors.js';
import { batchCommand } from '../batch.js';
import { UsageError } from '../errors.js';
import { MAX_ORDER } from '../graph-options.js';
import type { IO } from '../io.js';
import { plotTarget } from '../plot-options.js';
import { parseAssignments, type GivenValue } from '../values.js';
import { scalarValues, type ReplSession } from './state.js';

/** Points of a range given as a:b, without a step. */
const POINTS = 401;

const USAGE = 'write :plot x -5:5, :plot x -5:5 order 2, or :plot x 0:1:0.01 f.svg';

export async function plotText(s: ReplSession, arg: string): Promise<string> {
  const words = arg.split(/\s+/).filter((w) => w !== '');
  const last = s.requireLast('plot');
  const names = variableNames(last.root);
  // NAME may be left out when the expression has one variable.
  const name = words[0] !== undefined && names.includes(words[0]) ? words.shift()! : names.length === 1 ? names[0] : '';
  if (name === '') {
    throw new UsageError(
      names.length === 0
        ? ':plot needs a variable to plot along: the last expression has none'
        : `:plot needs the variable to plot along: one of ${names.join(', ')}`,
      USAGE,
    );
  }
  if (words[0] !== undefined && /^[A-Za-z_]\w*$/.test(words[0]) && !names.includes(words[0])) {
    throw new UsageError(
      `:plot: the last expression has no variable ${words[0]}`,
      `it uses ${names.join(', ') || 'none'}`,
    );
  }
  const rangeText = words.shift();
  if (rangeText === undefined || !rangeText.includes(':'))
    throw new UsageError(`:plot needs a range for ${name}`, USAGE);
  let order: number | undefined;
  if (words[0] === 'order') {
    const n = words[1];
    if (n === undefined || !/^\d+$/.test(n) || Number(n) < 1 || Number(n) > MAX_ORDER) {
      throw new UsageError(`:plot's order takes a whole number from 1 to ${MAX_ORDER}, got '${n ?? ''}'`, USAGE);
    }
    order = Number(n);
    words.splice(0, 2);
  }
  const file = words.shift();
  if (words.length > 0) throw new UsageError(`:plot: unexpected '${words.join(' ')}'`, USAGE);
  const target = plotTarget(file ?? true);

  const given = new Map<string, GivenValue>();
  const values = scalarValues(last, 'plot');
  for (const n of names) given.set(n, { kind: 'number', value: values.get(n) ?? Number.NaN });
  given.set(name, along(name, rangeText));

  let out = '';
  let err = '';
  const surroundings = s.options.io ?? { env: {} };
  const io: IO = {
    ...surroundings,
    out: (t) => (out += t),
    err: (t) => (err += t),
    stdinIsTTY: false,
    stdoutIsTTY: false,
    readStdin: async () => '',
    readFile: async () => '',
  };
  await batchCommand(
    {
      source: last.source,
      root: last.root,
      given,
      format: 'table',
      json: false,
      quiet: true,
      settings: s.settings,
      order,
      wrt: order === undefined ? undefined : name,
      plot: target,
    },
    io,
  );
  const wrote = target.kind === 'file' ? s.style.dim(`wrote ${target.path}`) + '\n' : '';
  return out + err.replace(/^dezero-grad: /gm, '') + wrote;
}

/** The values along the plotted variable: a:b as POINTS points, a:b:step as the CLI reads it. */
function along(name: string, text: string): GivenValue {
  const parts = text.split(':');
  if (parts.length === 3) return parseAssignments([{ name, value: text, flag: `:plot ${name}` }]).get(name)!;
  if (parts.length !== 2) throw new UsageError(`:plot takes a range a:b or a:b:step, got '${text}'`, USAGE);
  let ends: number[];
  try {
    ends = parts.map((p) => evaluateConstant(p));
  } catch (e) {
    if (e instanceof ExprError) throw new UsageError(`:plot: '${text}' is not a range (${e.message})`, USAGE);
    throw e;
  }
  const [a, b] = ends;
  if (!(Number.isFinite(a) && Number.isFinite(b) && a !== b)) {
    throw new UsageError(`:plot takes two different finite ends, got '${text}'`, USAGE);
  }
  return { kind: 'array', values: Float64Array.from({ length: POINTS }, (_, i) => a + ((b - a) * i) / (POINTS - 1)) };
}
