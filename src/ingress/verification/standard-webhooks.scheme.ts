import { checkTimestamp, decodeBase64, fail, malformedHeader, requiredHeaders } from './signature-primitives';
import { hmacVerification } from './verification-flows';
import { defineScheme, noOptions, secretOptionsSchema } from './verification-scheme';

const ID_HEADER = 'webhook-id';
const TIMESTAMP_HEADER = 'webhook-timestamp';
const SIGNATURE_HEADER = 'webhook-signature';
const SECRET_PREFIX = 'whsec_';

/** The HMAC key of a `whsec_<base64>` secret (the prefix is optional); undefined if not base64. */
function decodeSecret(secret: string): Buffer | undefined {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = decodeBase64(encoded);
  return key && key.length > 0 ? key : undefined;
}

/** The `v1,<base64>` entries of a space-separated signature list; other versions are skipped. */
function v1Signatures(value: string): Buffer[] {
  return value
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => decodeBase64(entry.slice(3)))
    .filter((signature): signature is Buffer => signature !== undefined);
}

/** Standard Webhooks (Svix): base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`. */
export default defineScheme({
  scheme: 'standard-webhooks',
  optionsSchema: secretOptionsSchema(
    'Standard Webhooks (Svix): webhook-id, webhook-timestamp and webhook-signature, v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">.',
    {},
    { description: 'The whsec_<base64> signing secret, usually "{{secrets.NAME}}"; a list accepts any of them, for rotation.' },
  ),
  readOptions: noOptions,
  preset: {
    eventType: '{{default event.body.type ""}}',
    dedupeKey: '{{default event.headers.webhook-id ""}}',
  },
  handshake: null,
  credentialHeaders: () => [SIGNATURE_HEADER],
  verify: hmacVerification(
    (request, _verify, now) => {
      const found = requiredHeaders(request, ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER);
      if (!found.ok) return found;
      const [id, timestamp, value] = found.values;
      const fresh = checkTimestamp(timestamp, TIMESTAMP_HEADER, now);
      if (!fresh.ok) return fresh;
      const signatures = v1Signatures(value);
      if (signatures.length === 0) return malformedHeader(SIGNATURE_HEADER);
      return { ok: true, signatures, signedBeforeBody: `${id}.${timestamp}.` };
    },
    (secrets) => {
      const keys = secrets.map(decodeSecret).filter((key): key is Buffer => key !== undefined);
      return keys.length > 0 ? { ok: true, keys } : fail('secret is not a valid whsec_ base64 key');
    },
  ),
});
