/**
 * Text from a file (a name, an id, a key, a message quoting them) made safe to print on a
 * terminal: every character a terminal may act on rather than show is written as an escape,
 * so a name like "x\u001b[2J" cannot clear the screen, retitle the window or reorder the line.
 * Escaped: C0 controls (newline and tab too: a name is one line), DEL, C1 controls, the bidi
 * controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and the line and paragraph
 * separators (U+2028, U+2029). Up to U+00FF as `\xHH`, above as `\uHHHH`; `\n`, `\r`, `\t` as
 * such. Everything else, accents, CJK and emoji included, is kept.
 */

const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const short = SHORT[c];
  if (short !== undefined) return short;
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with its terminal control characters escaped (see above). */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** Each line of `text` made printable; the newlines between lines are kept. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
