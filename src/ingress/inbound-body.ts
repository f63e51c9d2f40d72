import { BodyFormat } from './event.entity';

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
    try {
      return { format: 'json', value: JSON.parse(text) };
    } catch (error) {
      const problem = mediaType === '' ? undefined : `body is not valid JSON: ${(error as Error).message}`;
      return { format: 'text', value: text, problem };
    }
  }
  return { format: 'text', value: text };
}

function readForm(text: string): ReadBody {
  const form: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = form[key];
    form[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const payload = form.payload;
  if (typeof payload === 'string' && Object.keys(form).length === 1) {
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
