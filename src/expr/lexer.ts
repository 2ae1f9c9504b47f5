/**
 * Splits an expression into tokens. Only ASCII is part of the grammar; everything else is an error
 * that names the character and, for look-alikes, what to type instead.
 */
import { ExprError } from './errors.js';

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

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === 46 && i + 1 < n && isDigit(input.charCodeAt(i + 1)))) {
      tokens.push(readNumber(input, i));
      i = tokens[tokens.length - 1].end;
      continue;
    }
    if (isNameStart(c)) {
      while (i < n && isNameChar(input.charCodeAt(i))) i++;
      tokens.push({ kind: 'name', text: input.slice(start, i), start, end: i });
      continue;
    }
    const ch = input[i];
    if (ch === '*' && input[i + 1] === '*') {
      tokens.push({ kind: 'op', text: '^', start, end: i + 2 });
      i += 2;
      continue;
    }
    const two = input.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '==' || two === '!=' || two === '.*' || two === './' || two === '.^') {
      tokens.push({ kind: 'op', text: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (ch === '+' || ch === '-' || ch === '*' || ch === '/' || ch === '^' || ch === '%' || ch === '<' || ch === '>') {
      tokens.push({ kind: 'op', text: ch, start, end: i + 1 });
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',' || ch === '?' || ch === ':' || ch === '[' || ch === ']' || ch === ';') {
      tokens.push({ kind: ch, text: ch, start, end: i + 1 });
      i++;
      continue;
    }
    // A quote right after a value is mathjs's transpose `x'`; anywhere else it would start a string.
    if (ch === "'" && endsValue(tokens[tokens.length - 1])) {
      tokens.push({ kind: "'", text: ch, start, end: i + 1 });
      i++;
      continue;
    }
    throw unexpectedChar(input, i);
  }
  tokens.push({ kind: 'end', text: '', start: n, end: n });
  return tokens;
}

/** A token after which a value has ended (a number, a name, a closing bracket, a transpose). */
function endsValue(t: Token | undefined): boolean {
  if (t === undefined) return false;
  return t.kind === 'number' || t.kind === 'name' || t.kind === ')' || t.kind === ']' || t.kind === "'";
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
function readNumber(input: string, start: number): Token {
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
  return { kind: 'number', value, text, start, end: i };
}
