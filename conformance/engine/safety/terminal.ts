/**
 * @module safety/terminal
 * Makes text a server chose safe to print and to paste: control characters
 * (C0 but tab, DEL, C1, bidirectional overrides, line separators) are shown
 * as escapes, so a server cannot clear the screen, move the cursor, rewrite
 * a line with CR or fake a `RESULT: PASS`; shell words are quoted so that
 * pasting a command never runs what a server put in it.
 */

/** What a terminal acts on or hides, newlines aside. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, newlines included. */
const CONTROL_OR_NEWLINE =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOf(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character shown as `\xHH` or `\uHHHH`. Newlines
 * are escaped too unless `keepNewlines` (for text whose lines are the suite's own).
 */
export function visible(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(options.keepNewlines ? CONTROL : CONTROL_OR_NEWLINE, escapeOf);
}

/** Whether `text` holds a character {@link visible} would escape (newlines included). */
export function hasControl(text: string): boolean {
  CONTROL_OR_NEWLINE.lastIndex = 0;
  const found = CONTROL_OR_NEWLINE.test(text);
  CONTROL_OR_NEWLINE.lastIndex = 0;
  return found;
}

/**
 * One shell word (POSIX sh, bash, zsh) that stands for exactly `text`:
 * `'…'` with `'\''` for quotes; when `text` holds control characters or
 * newlines, bash's `$'…'` with those written as escapes, so the word is both
 * faithful and printable.
 */
export function shellQuote(text: string): string {
  if (!hasControl(text)) return `'${text.replace(/'/g, `'\\''`)}'`;
  const body = text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(CONTROL_OR_NEWLINE, (char) => {
      const code = char.charCodeAt(0);
      return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    });
  return `$'${body}'`;
}
