import { REDACTED } from '../templates/redacted-secrets';
import type { OutboundRequest, RedactedRequest } from './outbound-request';
import { secretForms } from './secret-forms';

/**
 * Scrubbers already built, by the secrets they hide: a step sends the same secrets with
 * every request, and deriving each secret's encoded forms is most of a scrubber's cost.
 * Bounded, oldest first out; it holds only values the process has in memory anyway.
 */
const BUILT_SCRUBBERS_KEPT = 256;
const builtScrubbers = new Map<string, RequestSecretScrubber>();

/**
 * Replaces the secrets a request carried wherever a receiver might echo them back (response
 * body, headers, error text). The secrets are the signing secrets plus every value the
 * redacted copy hides: aligning the real URL, header values and body with their redacted
 * copies recovers what each `[secret]` stood for.
 */
export class RequestSecretScrubber {
  private readonly values: string[];

  constructor(secrets: Iterable<string>) {
    const forms = new Set<string>();
    for (const secret of secrets) for (const form of secretForms(secret)) forms.add(form);
    // Longest first, so a secret that contains another is replaced whole.
    this.values = [...forms].sort((a, b) => b.length - a.length);
  }

  static forRequest(request: OutboundRequest, redacted: RedactedRequest): RequestSecretScrubber {
    const secrets: string[] = [];
    for (const secret of request.signingSecrets ?? []) secrets.push(secret, secret.replace(/^whsec_/, ''));
    secrets.push(...hiddenValues(request.url, redacted.url));
    const redactedHeaders = lowerCaseKeys(redacted.headers);
    for (const [name, value] of Object.entries(lowerCaseKeys(request.headers))) {
      const shown = redactedHeaders[name];
      if (shown !== undefined) secrets.push(...hiddenValues(value, shown));
    }
    if (request.body !== undefined && redacted.body !== undefined) secrets.push(...hiddenValues(request.body, redacted.body));
    return RequestSecretScrubber.hiding(secrets);
  }

  /** A scrubber of `secrets`, built once for each set of them among the recent ones. */
  static hiding(secrets: readonly string[]): RequestSecretScrubber {
    // JSON, not a join: no two different lists of secrets may share a key.
    const key = JSON.stringify(secrets);
    let scrubber = builtScrubbers.get(key);
    if (!scrubber) {
      scrubber = new RequestSecretScrubber(secrets);
      if (builtScrubbers.size >= BUILT_SCRUBBERS_KEPT) builtScrubbers.delete(builtScrubbers.keys().next().value!);
      builtScrubbers.set(key, scrubber);
    }
    return scrubber;
  }

  text(text: string): string {
    let result = text;
    for (const value of this.values) if (result.includes(value)) result = result.split(value).join(REDACTED);
    return result;
  }

  headers(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, this.text(value)]));
  }

  /** A parsed JSON value with every string (and key) scrubbed. */
  value(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.value(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.text(key), this.value(item)]));
    }
    return value;
  }
}

/**
 * What the `[secret]` placeholders of `redacted` stand for in `real`. When the two cannot be
 * aligned (the copy was redacted some other way), the whole real value counts as secret.
 */
export function hiddenValues(real: string, redacted: string): string[] {
  if (real === redacted) return [];
  const literals = redacted.split(REDACTED);
  if (literals.length === 1 || !real.startsWith(literals[0])) return [real];
  const values: string[] = [];
  let start = literals[0].length;
  for (let i = 1; i < literals.length; i++) {
    const literal = literals[i];
    const last = i === literals.length - 1;
    if (literal === '' && !last) continue; // adjacent placeholders: one value covers both
    const end = last ? real.length - literal.length : real.indexOf(literal, start);
    if (end < start || (last && !real.endsWith(literal))) return [real];
    values.push(real.slice(start, end));
    start = end + literal.length;
  }
  return values;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
