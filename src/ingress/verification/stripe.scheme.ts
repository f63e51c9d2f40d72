import { checkTimestamp, decodeHex, malformedHeader, requiredHeaders } from './signature-primitives';
import { hmacVerification } from './verification-flows';
import { defineScheme, noOptions, secretOptionsSchema } from './verification-scheme';

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
export default defineScheme({
  scheme: 'stripe',
  optionsSchema: secretOptionsSchema(
    'Stripe: Stripe-Signature, t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">.',
    {},
    { description: 'The endpoint\'s signing secret (whsec_…), usually "{{secrets.NAME}}"; a list accepts any of them, for rotation.' },
  ),
  readOptions: noOptions,
  preset: {
    eventType: '{{default event.body.type ""}}',
    dedupeKey: '{{default event.body.id ""}}',
  },
  handshake: null,
  credentialHeaders: () => [HEADER],
  verify: hmacVerification((request, _verify, now) => {
    const found = requiredHeaders(request, HEADER);
    if (!found.ok) return found;
    const { timestamp, signatures } = parseHeader(found.values[0]);
    if (timestamp === undefined || signatures.length === 0) return malformedHeader(HEADER);
    const fresh = checkTimestamp(timestamp, HEADER, now);
    if (!fresh.ok) return fresh;
    return { ok: true, signatures, signedBeforeBody: `${timestamp}.` };
  }),
});
