/**
 * Text from the user shown back to them (messages, carets, option arguments, values): control
 * characters and invisible ones are written out visibly, so nothing typed or piped in can move the
 * cursor, set the window title, ring the bell or reorder what is shown. One function for every
 * place input is echoed, so the caret under a shown line stays in place (`visibleChars` gives
 * each character's shown form, one entry a code point).
 *
 *   ESC, BEL, CR, DEL and the C1 controls   \x1b \x07 \r \x7f \x9b
 *   tab                                     a space (a caret counts it as one column)
 *   zero-width and direction characters     <U+202E>
 *   lone surrogates                         <U+D800>
 */

/** Zero-width, direction and separator characters: invisible, or reordering what follows. */
const INVISIBLE = new Set([
  0x00a0, 0x00ad, 0x034f, 0x061c, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f,
  0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2066, 0x2067,
  0x2068, 0x2069, 0x206a, 0x206b, 0x206c, 0x206d, 0x206e, 0x206f, 0x3164, 0xfeff, 0xffa0, 0xfff9, 0xfffa, 0xfffb,
]);

const NAMED = new Map<number, string>([
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, ' '],
]);

/** The shown form of one code point (`ch` is one code point, or a lone surrogate). */
export function visibleChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return NAMED.get(cp) ?? `\\x${cp.toString(16).padStart(2, '0')}`;
  if (INVISIBLE.has(cp) || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0xe0000 && cp <= 0xe007f)) {
    return `<U+${cp.toString(16).toUpperCase().padStart(4, '0')}>`;
  }
  return ch;
}

/** Could visible() change `text`? Plain printable ASCII (and newlines, when kept) cannot. */
function plain(text: string, newlines: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x7f || (c < 0x20 && !(c === 0x0a && newlines))) return false;
  }
  return true;
}

/**
 * `text` with every control and invisible character shown visibly; newlines are kept unless
 * `newlines` is false (then shown as `\n`, for text that must stay on one line).
 */
export function visible(text: string, newlines = true): string {
  if (plain(text, newlines)) return text;
  let out = '';
  for (const ch of text) out += ch === '\n' && newlines ? ch : visibleChar(ch);
  return out;
}

/** Most characters of a message line shown; a longer one (a 2,000,000-character name) is cut in its middle. */
export const MAX_SHOWN = 240;

/** `text` on one line, shown visibly and cut to MAX_SHOWN characters, for messages that quote input. */
export function shown(text: string): string {
  const cut = text.length > MAX_SHOWN ? `${text.slice(0, 160)}…${text.slice(-60)}` : text;
  return visible(cut, false);
}
