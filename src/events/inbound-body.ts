import { BodyFormat } from './event.entity';

/**
 * JSON nested deeper than this is handed to workflows as text: rendering, step records,
 * API answers and jsonb all walk values recursively, and a body 100,000 levels deep (a few
 * hundred kilobytes) would overflow their stacks. Real webhooks nest a dozen levels.
 */
export const MAX_JSON_DEPTH = 512;

export interface ReadBody {
  format: BodyFormat;
  /** Parsed JSON, a form as an object, or the text itself. */
  value: unknown;
  /** Set when the content claimed to be JSON (or form) but could not be read as such. */
  problem?: string;
}

/**
 * Reads verified raw bytes for templates. JSON that does not parse is kept as text (the
 * event is still accepted and stored byte for byte); forms become objects, with Slack's
 * `payload=<json>` interactivity bodies unwrapped.
 */
export function readBody(raw: Buffer, contentType: string | null): ReadBody {
  if (raw.length === 0) return { format: 'empty', value: null };
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const text = raw.toString('utf8');

  if (mediaType === 'application/x-www-form-urlencoded') return readForm(text);
  if (mediaType === '' || mediaType === 'application/json' || mediaType.endsWith('+json')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const problem = mediaType === '' ? undefined : `body is not valid JSON: ${withoutExcerpt((error as Error).message)}`;
      return { format: 'text', value: text, problem };
    }
    if (jsonNestedDeeperThan(text, MAX_JSON_DEPTH)) {
      return { format: 'text', value: text, problem: `body is JSON nested deeper than ${MAX_JSON_DEPTH} levels: handed to workflows as text` };
    }
    return { format: 'json', value };
  }
  return { format: 'text', value: text };
}

/** Whether valid JSON `text` opens more than `limit` lists and objects inside each other. */
export function jsonNestedDeeperThan(text: string, limit: number): boolean {
  // Text with no more openings than the limit cannot be deeper; counting them is native and
  // quick, so the scan below only runs for bodies with many lists and objects.
  if (text.length <= 2 * limit || countUpTo(text, '[', limit + 1) + countUpTo(text, '{', limit + 1) <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === BACKSLASH) index++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_BRACKET || char === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (char === CLOSE_BRACKET || char === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/** How often `char` occurs in `text`, counting no further than `max`. */
function countUpTo(text: string, char: string, max: number): number {
  let count = 0;
  for (let at = text.indexOf(char); at !== -1 && count < max; at = text.indexOf(char, at + 1)) count++;
  return count;
}

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \\
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }

/** V8's message without the quoted excerpt of the body: event data does not belong in notes. */
function withoutExcerpt(message: string): string {
  return message.replace(/, ".*"(?:\.\.\.)? is not valid JSON$/s, '');
}

function readForm(text: string): ReadBody {
  const form = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = form[key];
    form[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const payload = form.payload;
  if (typeof payload === 'string' && Object.keys(form).length === 1 && !jsonNestedDeeperThan(payload, MAX_JSON_DEPTH)) {
    try {
      return { format: 'form', value: JSON.parse(payload) };
    } catch {
      // not Slack's JSON-in-a-form: keep the form as it is
    }
  }
  return { format: 'form', value: { ...form } };
}

/** Parses `a=1&a=2&b=3` into `{ a: ['1', '2'], b: '3' }` for `event.query`. */
export function readQuery(query: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const existing = result[key];
    result[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}
