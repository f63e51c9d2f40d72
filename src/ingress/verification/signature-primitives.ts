import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Checked, InboundRequest, Rejection, VerificationResult } from './verification-scheme';

/** How far a signed timestamp may lie from the receiving clock, in either direction. */
export const TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;

// Reasons are fixed strings (plus header names) so that no secret or signature can leak into them.
export const NO_SECRET = 'no secret configured';
export const SIGNATURE_MISMATCH = 'signature mismatch';
export const TIMESTAMP_OUTSIDE_TOLERANCE = 'timestamp outside the 5-minute tolerance';

export const OK: VerificationResult = { ok: true };

export function fail(reason: string): Rejection {
  return { ok: false, reason };
}

export function missingHeader(name: string): Rejection {
  return fail(`missing ${name} header`);
}

export function malformedHeader(name: string): Rejection {
  return fail(`malformed ${name} header`);
}

/**
 * The secrets that can actually prove anything: an empty secret (an unset variable rendered
 * to '') would let anyone compute a valid HMAC, so it is never used.
 */
export function usableSecrets(secrets: readonly string[]): string[] {
  return secrets.filter((secret) => secret.length > 0);
}

/** A header value, or undefined when it is absent or blank. */
export function headerValue(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = headers[name]?.trim();
  return value ? value : undefined;
}

/** The named headers' values in that order, or the refusal naming the first one missing. */
export function requiredHeaders<Names extends readonly string[]>(
  request: InboundRequest,
  ...names: Names
): Checked<{ values: { [I in keyof Names]: string } }> {
  const values: string[] = [];
  for (const name of names) {
    const value = headerValue(request.headers, name);
    if (value === undefined) return missingHeader(name);
    values.push(value);
  }
  return { ok: true, values: values as { [I in keyof Names]: string } };
}

/** HMAC-SHA256 over the parts in order, fed as bytes so the raw body is never re-encoded. */
export function hmacSha256(key: string | Buffer, ...parts: Array<string | Buffer>): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** Constant-time equality of two byte strings; different lengths are simply unequal. */
export function bytesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time equality for values of any length: compares their SHA-256 digests. */
export function digestsEqual(a: string | Buffer, b: string | Buffer): boolean {
  const digest = (value: string | Buffer) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Hex digits (any case) to bytes; undefined when the value is not hex. */
export function decodeHex(value: string): Buffer | undefined {
  return /^(?:[0-9a-f]{2})+$/i.test(value) ? Buffer.from(value, 'hex') : undefined;
}

/** Standard base64 (padding optional) to bytes; undefined when the value is not base64. */
export function decodeBase64(value: string): Buffer | undefined {
  const valid = /^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 !== 1;
  return valid ? Buffer.from(value, 'base64') : undefined;
}

/** True when any provided signature equals the signature computed with any of the keys. */
export function anySignatureMatches<K>(provided: readonly Buffer[], keys: readonly K[], sign: (key: K) => Buffer): boolean {
  return keys.some((key) => {
    const expected = sign(key);
    return provided.some((signature) => bytesEqual(signature, expected));
  });
}

/** Checks a Unix timestamp in seconds: digits only, within the tolerance of `now` both ways. */
export function checkTimestamp(value: string, headerName: string, now: Date): VerificationResult {
  if (!/^\d+$/.test(value)) return malformedHeader(headerName);
  const skewMs = Math.abs(now.getTime() - Number(value) * 1000);
  return skewMs <= TIMESTAMP_TOLERANCE_MS ? OK : fail(TIMESTAMP_OUTSIDE_TOLERANCE);
}
