/**
 * Splits argv before commander sees it. Two things commander cannot do on its own:
 * - `--NAME VALUE` and `--NAME=VALUE` for any variable name (the option set is open-ended);
 * - an expression that starts with `-` (`"-x^2"`), which commander would take for an option.
 * Known options pass through; variables are collected; everything else is a positional argument.
 */
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { nearest } from '../expr/suggest.js';

export interface KnownOptions {
  /** `--json` -> takes a value? */
  long: ReadonlyMap<string, boolean>;
  /** `-q` -> takes a value? */
  short: ReadonlyMap<string, boolean>;
  /** Options whose value is optional and a file name (`--plot [file]`): the next word is theirs when it names a file. */
  optionalFile?: ReadonlySet<string>;
}

export interface Assignment {
  name: string;
  value: string;
  /** How it was given, for messages: `--x`. */
  flag: string;
}

export interface SplitArgs {
  /** Known options (with their values), for commander. */
  options: string[];
  positionals: string[];
  assignments: Assignment[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function splitArgv(argv: readonly string[], known: KnownOptions): SplitArgs {
  const options: string[] = [];
  const positionals: string[] = [];
  const assignments: Assignment[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const flag = eq < 0 ? arg : arg.slice(0, eq);
      const name = flag.slice(2);
      const takesValue = known.long.get(flag);
      if (takesValue !== undefined) {
        options.push(arg);
        if (takesValue && eq < 0) options.push(optionValue(flag, argv, ++i));
        else if (eq < 0 && known.optionalFile?.has(flag) && i + 1 < argv.length && looksLikeFile(argv[i + 1]))
          options.push(argv[++i]);
        continue;
      }
      if (IDENT.test(name)) {
        if (eq >= 0) {
          assignments.push({ name, value: arg.slice(eq + 1), flag });
        } else {
          if (i + 1 >= argv.length) {
            // nothing after it: no variable's value, so a mistyped option if it is close to one
            const option = nearest(flag, [...known.long.keys()]);
            if (option !== undefined) throw new UsageError(`unknown option ${flag}`, `did you mean ${option}?`);
            throw new UsageError(`${flag} needs a value`, `write ${flag} 0.5`);
          }
          assignments.push({ name, value: argv[++i], flag });
        }
        continue;
      }
      positionals.push(arg);
      continue;
    }
    if (arg.length > 1 && arg.startsWith('-')) {
      const takesValue = known.short.get(arg);
      if (takesValue !== undefined) {
        options.push(arg);
        if (takesValue) options.push(optionValue(arg, argv, ++i));
        continue;
      }
      // Not an option we know: an expression such as -x^2.
      positionals.push(arg);
      continue;
    }
    positionals.push(arg);
  }
  return { options, positionals, assignments };
}

/** True for the word after `--plot` when it names a file (has an extension): `--plot out.svg`. */
function looksLikeFile(next: string): boolean {
  return !next.startsWith('-') && /\.[A-Za-z0-9]+$/.test(next);
}

/** The value after an option that takes one: there must be one (commander would take our `--`). */
function optionValue(flag: string, argv: readonly string[], i: number): string {
  if (i >= argv.length || argv[i] === '--') {
    throw new UsageError(`${flag} needs a value`, `see dezero-grad --help for what ${flag} takes`);
  }
  return argv[i];
}

/** `-v name=value` as an Assignment. */
export function parseVarOption(text: string): Assignment {
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq);
  if (eq < 0 || !IDENT.test(name)) {
    throw new UsageError(`--var expects NAME=VALUE, got '${text}'`, 'write --var x=0.5');
  }
  return { name, value: text.slice(eq + 1), flag: `--var ${name}` };
}

/**
 * The options of commander flags strings (`-f, --file <file>`, `--plot [file]`), for splitArgv:
 * whether each takes a value, read from the flags as commander reads them.
 */
export function knownFlags(flags: readonly string[]): KnownOptions {
  const long = new Map<string, boolean>();
  const short = new Map<string, boolean>();
  const optionalFile = new Set<string>();
  for (const text of flags) {
    const m = /^(?:(-[^-\s,]), ?)?(--[\w-]+)(?: ([<[]))?/.exec(text);
    if (m === null) throw new Error(`internal: option flags ${text}`);
    const takesValue = m[3] === '<';
    long.set(m[2], takesValue);
    if (m[1] !== undefined) short.set(m[1], takesValue);
    if (m[3] === '[') optionalFile.add(m[2]);
  }
  return { long, short, optionalFile };
}

/** The options a commander program declares, and whether each takes a value (for splitArgv). */
export function knownOptions(program: Command): KnownOptions {
  const long = new Map<string, boolean>([['--help', false]]);
  const short = new Map<string, boolean>([['-h', false]]);
  for (const o of program.options) {
    // An optional value (--plot [file]) is taken by commander from `--plot=FILE`; splitArgv takes
    // `--plot FILE` when the next word names a file.
    const takesValue = o.required;
    if (o.long) long.set(o.long, takesValue);
    if (o.short) short.set(o.short, takesValue);
  }
  return { long, short, optionalFile: new Set(program.options.filter((o) => o.optional).map((o) => o.long!)) };
}
