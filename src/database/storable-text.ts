/**
 * PostgreSQL text and jsonb cannot hold U+0000, and jsonb refuses a lone surrogate too, yet
 * JavaScript strings from event bodies (`"\u0000"`, `"\ud800"`) and receivers' answers can
 * hold both. One such value would fail the whole write, so they are stored as U+FFFD, as
 * UTF-8 encoding already does for lone surrogates in text columns.
 */

// JSON.stringify escapes U+0000 and lone surrogates (never paired ones). An escaped
// backslash is matched as a whole so that the text `\u0000` (its `\\u0000`) stays as it is.
const UNSTORABLE_ESCAPE = /\\(?:\\|u0000|ud[89a-f][0-9a-f]{2})/g;

/** `JSON.stringify(value)` that jsonb accepts. */
export function jsonbText(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\u') ? text.replace(UNSTORABLE_ESCAPE, (escape) => (escape === '\\\\' ? escape : '\\ufffd')) : text;
}

/** The text a text column accepts: U+0000 replaced. */
export function storableText(text: string): string;
export function storableText(text: string | null | undefined): string | null | undefined;
export function storableText(text: string | null | undefined): string | null | undefined {
  return text && text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}
