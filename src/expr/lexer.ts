/**
 * Splits an expression into tokens. Only ASCII is part of the grammar; everything else is an error
 * that names the character and, for look-alikes, what to type instead.
 */
import { ExprError } from './errors.js';
import { columns } from './columns.js';

export type Token =
  | { kind: 'number'; value: number; text: string; start: number; end: number }
  | { kind: 'name'; text: string; start: number; end: number }
  | { kind: 'op'; text: OperatorText; start: number; end: number }
  | { kind: '(' | ')' | ',' | '?' | ':' | '[' | ']' | ';' | "'"; text: string; start: number; end: number }
  | { kind: 'end'; text: ''; start: number; end: number };

/**
 * The binary and unary operators, as written (`**` is read as `^`, `mod` as `%`); `.*` `./` `.^`
 * are mathjs's elementwise forms of `*` `/` `^`.
 */
export type OperatorText =
  | '+'
  | '-'
  | '*'
  | '/'
  | '^'
  | '%'
  | '<'
  | '>'
  | '<='
  | '>='
  | '=='
  | '!='
  | '.*'
  | './'
  | '.^';

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isNameStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNameChar = (c: number): boolean => isNameStart(c) || isDigit(c);
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/** Characters that look like part of the grammar, with what to write instead. */
const LOOKALIKES = new Map<number, [string, string]>([
  [0x2212, ['minus sign', '-']],
  [0x2013, ['en dash', '-']],
  [0x2014, ['em dash', '-']],
  [0x2010, ['hyphen', '-']],
  [0x00d7, ['multiplication sign', '*']],
  [0x00b7, ['middle dot', '*']],
  [0x22c5, ['dot operator', '*']],
  [0x2217, ['asterisk operator', '*']],
  [0x00f7, ['division sign', '/']],
  [0x2215, ['division slash', '/']],
  [0x00b2, ['superscript two', '^2']],
  [0x00b3, ['superscript three', '^3']],
  [0x00b9, ['superscript one', '^1']],
  [0x03c0, ['Greek pi', 'pi']],
  [0x221a, ['square root sign', 'sqrt(...)']],
  [0x00a0, ['non-breaking space', 'a plain space']],
  [0x2018, ['curly quote', 'nothing: strings are not part of the grammar']],
  [0x2019, ['curly quote', 'nothing: strings are not part of the grammar']],
]);

const INVISIBLES = new Map<number, string>([
  [0x200b, 'zero-width space'],
  [0x200c, 'zero-width non-joiner'],
  [0x200d, 'zero-width joiner'],
  [0x2060, 'word joiner'],
  [0xfeff, 'zero-width no-break space (BOM)'],
  [0x200e, 'left-to-right mark'],
  [0x200f, 'right-to-left mark'],
  [0x202a, 'left-to-right embedding'],
  [0x202b, 'right-to-left embedding'],
  [0x202c, 'pop directional formatting'],
  [0x202d, 'left-to-right override'],
  [0x202e, 'right-to-left override'],
  [0x2066, 'left-to-right isolate'],
  [0x2067, 'right-to-left isolate'],
  [0x2068, 'first strong isolate'],
  [0x2069, 'pop directional isolate'],
  [0x2028, 'line separator'],
  [0x2029, 'paragraph separator'],
]);

/** ASCII characters that belong to other expression languages, with why they are not ours. */
const FOREIGN = new Map<string, string>([
  ['.', 'property access is not part of the grammar'],
  ['{', 'objects are not part of the grammar'],
  ['}', 'objects are not part of the grammar'],
  ['=', 'assignment is not part of an expression (to compare, write ==)'],
  ['!', 'factorial and negation are not part of the grammar (to compare, write !=)'],
  [';', 'only one expression is allowed'],
  ["'", "strings are not part of the grammar (a transpose x' follows a value)"],
  ['"', 'strings are not part of the grammar'],
  ['`', 'strings are not part of the grammar'],
  ['&', 'bitwise operators are not part of the grammar'],
  ['|', 'bitwise operators are not part of the grammar'],
  ['~', 'bitwise operators are not part of the grammar'],
  ['@', 'not part of the grammar'],
  ['#', 'comments are not part of the grammar'],
  ['$', 'not part of the grammar'],
  ['\\', 'escapes are not part of the grammar'],
]);

export function describeChar(cp: number): string {
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  return `${hex}`;
}

/** Token kinds as small integers, for `Tokens.kinds`. */
export const K_END = 0;
export const K_NUMBER = 1;
export const K_NAME = 2;
export const K_OP = 3;
export const K_LPAREN = 4;
export const K_RPAREN = 5;
export const K_COMMA = 6;
export const K_QUESTION = 7;
export const K_COLON = 8;
export const K_LBRACKET = 9;
export const K_RBRACKET = 10;
export const K_SEMICOLON = 11;
export const K_QUOTE = 12;

/** `Token['kind']` for each kind code. */
const KIND_NAMES: readonly Token['kind'][] = [
  'end',
  'number',
  'name',
  'op',
  '(',
  ')',
  ',',
  '?',
  ':',
  '[',
  ']',
  ';',
  "'",
];

/** The operators' texts, indexed by `Tokens.ops` (`**` is stored as `^`, two characters wide). */
export const OP_TEXTS: readonly OperatorText[] = [
  '+',
  '-',
  '*',
  '/',
  '^',
  '%',
  '<',
  '>',
  '<=',
  '>=',
  '==',
  '!=',
  '.*',
  './',
  '.^',
];
export const OP_PLUS = 0;
export const OP_MINUS = 1;
const OP_POW = 4;

/** Kind codes of the one-character punctuation, by character code (0 where none). */
const PUNCTUATION = new Uint8Array(128);
PUNCTUATION[40] = K_LPAREN;
PUNCTUATION[41] = K_RPAREN;
PUNCTUATION[44] = K_COMMA;
PUNCTUATION[63] = K_QUESTION;
PUNCTUATION[58] = K_COLON;
PUNCTUATION[91] = K_LBRACKET;
PUNCTUATION[93] = K_RBRACKET;
PUNCTUATION[59] = K_SEMICOLON;

/** One-character operators' indices in OP_TEXTS, plus one, by character code (0 where none). */
const SINGLE_OPS = new Uint8Array(128);
for (let i = 0; i < 8; i++) SINGLE_OPS[OP_TEXTS[i].charCodeAt(0)] = i + 1;

/**
 * The tokens of one input, in flat arrays (no object a token): kind codes (K_*), UTF-16 spans,
 * operator indices (OP_TEXTS) and number values. `text` and `at` give a token's text or a `Token`
 * object when one is needed (names, error messages).
 */
export class Tokens {
  count = 0;
  readonly kinds: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly ops: Uint8Array;
  readonly values: Float64Array;

  constructor(readonly input: string) {
    // At most one token a character, plus the end, in one buffer. Pages never written are never touched.
    const c = columns(input.length + 1, 1, 2, 2);
    [this.values] = c.f64;
    [this.starts, this.ends] = c.i32;
    [this.kinds, this.ops] = c.u8;
  }

  push(kind: number, start: number, end: number): number {
    const k = this.count++;
    this.kinds[k] = kind;
    this.starts[k] = start;
    this.ends[k] = end;
    return k;
  }

  /** The token's text as `Token.text` has it (`^` for `**`, '' for the end). */
  text(k: number): string {
    const kind = this.kinds[k];
    if (kind === K_OP) return OP_TEXTS[this.ops[k]];
    if (kind === K_END) return '';
    return this.input.slice(this.starts[k], this.ends[k]);
  }

  /** The token as an object, or undefined past either end. */
  at(k: number): Token | undefined {
    if (k < 0 || k >= this.count) return undefined;
    const kind = KIND_NAMES[this.kinds[k]];
    const start = this.starts[k];
    const end = this.ends[k];
    if (kind === 'number') return { kind, value: this.values[k], text: this.text(k), start, end };
    return { kind, text: this.text(k), start, end } as Token;
  }
}

/** The tokens as objects (see `lex` for the flat form). */
export function tokenize(input: string): Token[] {
  const t = lex(input);
  const out: Token[] = [];
  for (let k = 0; k < t.count; k++) out.push(t.at(k)!);
  return out;
}

export function lex(input: string): Tokens {
  const tokens = new Tokens(input);
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c < 128) {
      const p = PUNCTUATION[c];
      if (p !== 0) {
        tokens.push(p, start, i + 1);
        i++;
        continue;
      }
    }
    if (isNameStart(c)) {
      while (i < n && isNameChar(input.charCodeAt(i))) i++;
      tokens.push(K_NAME, start, i);
      continue;
    }
    if (isDigit(c) || (c === 46 && i + 1 < n && isDigit(input.charCodeAt(i + 1)))) {
      i = readNumber(input, i, tokens);
      continue;
    }
    const d = i + 1 < n ? input.charCodeAt(i + 1) : 0;
    if (c === 42 && d === 42) {
      tokens.ops[tokens.push(K_OP, start, i + 2)] = OP_POW;
      i += 2;
      continue;
    }
    const two = twoCharOp(c, d);
    if (two >= 0) {
      tokens.ops[tokens.push(K_OP, start, i + 2)] = two;
      i += 2;
      continue;
    }
    if (c < 128 && SINGLE_OPS[c] !== 0) {
      tokens.ops[tokens.push(K_OP, start, i + 1)] = SINGLE_OPS[c] - 1;
      i++;
      continue;
    }
    // A quote right after a value is mathjs's transpose `x'`; anywhere else it would start a string.
    if (c === 39 && tokens.count > 0 && endsValue(tokens.kinds[tokens.count - 1])) {
      tokens.push(K_QUOTE, start, i + 1);
      i++;
      continue;
    }
    throw unexpectedChar(input, i);
  }
  tokens.push(K_END, n, n);
  return tokens;
}

/** `<=` `>=` `==` `!=` `.*` `./` `.^`: the index in OP_TEXTS, or -1. */
function twoCharOp(c: number, d: number): number {
  if (d === 61) {
    // '='
    if (c === 60) return 8;
    if (c === 62) return 9;
    if (c === 61) return 10;
    if (c === 33) return 11;
    return -1;
  }
  if (c === 46) {
    if (d === 42) return 12;
    if (d === 47) return 13;
    if (d === 94) return 14;
  }
  return -1;
}

/** A token after which a value has ended (a number, a name, a closing bracket, a transpose). */
function endsValue(kind: number): boolean {
  return kind === K_NUMBER || kind === K_NAME || kind === K_RPAREN || kind === K_RBRACKET || kind === K_QUOTE;
}

function unexpectedChar(input: string, i: number): ExprError {
  const cp = input.codePointAt(i)!;
  const ch = String.fromCodePoint(cp);
  const foreign = FOREIGN.get(ch);
  if (foreign !== undefined) return new ExprError(`unexpected '${ch}': ${foreign}`, input, i);
  const look = LOOKALIKES.get(cp);
  if (look !== undefined) {
    return new ExprError(`unexpected ${look[0]} '${ch}' (${describeChar(cp)})`, input, i, `write ${look[1]}`);
  }
  const invisible = INVISIBLES.get(cp);
  if (invisible !== undefined) {
    return new ExprError(`invisible character: ${invisible} (${describeChar(cp)})`, input, i, 'delete it');
  }
  if (cp >= 0xff01 && cp <= 0xff5e) {
    const ascii = String.fromCharCode(cp - 0xfee0);
    return new ExprError(`unexpected full-width '${ch}' (${describeChar(cp)})`, input, i, `write the ASCII '${ascii}'`);
  }
  if (cp < 0x20 || cp === 0x7f) {
    return new ExprError(`unexpected control character (${describeChar(cp)})`, input, i);
  }
  return new ExprError(
    `unexpected character '${ch}' (${describeChar(cp)})`,
    input,
    i,
    'names and operators are ASCII only',
  );
}

/** Decimal literals only: 3, 0.5, .5, 5., 1e-3. Anything else that starts like a number is an error. */
function readNumber(input: string, start: number, tokens: Tokens): number {
  const n = input.length;
  let i = start;
  const malformed = (at: number, why: string, hint?: string): ExprError =>
    new ExprError(`malformed number '${input.slice(start, Math.min(n, at + 1))}': ${why}`, input, at, hint);
  while (i < n && isDigit(input.charCodeAt(i))) i++;
  if (i - start === 1 && input[start] === '0' && /[xXbBoO]/.test(input[i] ?? '')) {
    throw malformed(
      i,
      'hexadecimal, binary and octal literals are not supported',
      `write the number in decimal, or 0*${input[i]} for a product`,
    );
  }
  // `2.*x` is 2 .* x, as mathjs reads it: a dot followed by * / ^ is the operator's.
  if (input[i] === '.' && !/[*/^]/.test(input[i + 1] ?? '')) {
    i++;
    while (i < n && isDigit(input.charCodeAt(i))) i++;
  }
  if (input[i] === 'e' || input[i] === 'E') {
    let j = i + 1;
    if (input[j] === '+' || input[j] === '-') j++;
    if (!(j < n && isDigit(input.charCodeAt(j)))) {
      throw malformed(
        i,
        'the exponent has no digits',
        `write e.g. ${input.slice(start, i)}e3, or ${input.slice(start, i)}*e for a product with e`,
      );
    }
    i = j;
    while (i < n && isDigit(input.charCodeAt(i))) i++;
  }
  if (input[i] === '.' && !/[*/^]/.test(input[i + 1] ?? '')) throw malformed(i, 'a second decimal point');
  if (input[i] === '_') throw malformed(i, 'digit separators are not supported', 'write the digits without _');
  const text = input.slice(start, i);
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new ExprError(`number '${text}' is larger than the largest double (about 1.8e308)`, input, start);
  }
  // Nonzero digits that round to 0: too small for a double, said as for too large.
  if (value === 0 && /[1-9]/.test(text.replace(/[eE].*$/, ''))) {
    throw new ExprError(
      `number '${text}' is smaller than the smallest double (about 5e-324) and would be 0`,
      input,
      start,
      'write 0 if 0 is meant',
    );
  }
  tokens.values[tokens.push(K_NUMBER, start, i)] = value;
  return i;
}
