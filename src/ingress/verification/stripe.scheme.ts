import {
  anySignatureMatches,
  checkTimestamp,
  decodeHex,
  fail,
  headerValue,
  hmacSha256,
  malformedHeader,
  missingHeader,
  NO_SECRET,
  OK,
  SIGNATURE_MISMATCH,
  usableSecrets,
} from './signature-primitives';
import type {
  InboundRequest,
  ResolvedVerify,
  VerificationResult,
  VerificationScheme,
} from './verification-scheme';

const HEADER = 'stripe-signature';

interface StripeSignatureHeader {
  timestamp?: string;
  signatures: Buffer[];
}

/** `t=<ts>,v1=<hex>[,v1=<hex>…]`; other schemes (v0) are ignored, as Stripe's library does. */
function parseHeader(value: string): StripeSignatureHeader {
  const parsed: StripeSignatureHeader = { signatures: [] };
  for (const item of value.split(',')) {
    const separator = item.indexOf('=');
    if (separator < 0) continue;
    const key = item.slice(0, separator).trim();
    const field = item.slice(separator + 1).trim();
    if (key === 't' && parsed.timestamp === undefined) parsed.timestamp = field;
    const signature = key === 'v1' ? decodeHex(field) : undefined;
    if (signature) parsed.signatures.push(signature);
  }
  return parsed;
}

/** Stripe: HMAC-SHA256 (hex) of `${t}.${body}` keyed with the whole `whsec_…` string. */
export class StripeScheme implements VerificationScheme {
  verify(request: InboundRequest, verify: ResolvedVerify, now: Date): VerificationResult {
    const secrets = usableSecrets(verify.secrets);
    if (secrets.length === 0) return fail(NO_SECRET);
    const value = headerValue(request.headers, HEADER);
    if (value === undefined) return missingHeader(HEADER);

    const { timestamp, signatures } = parseHeader(value);
    if (timestamp === undefined || signatures.length === 0) return malformedHeader(HEADER);
    const fresh = checkTimestamp(timestamp, HEADER, now);
    if (!fresh.ok) return fresh;

    const matches = anySignatureMatches(signatures, secrets, (secret) =>
      hmacSha256(secret, `${timestamp}.`, request.rawBody),
    );
    return matches ? OK : fail(SIGNATURE_MISMATCH);
  }
}
