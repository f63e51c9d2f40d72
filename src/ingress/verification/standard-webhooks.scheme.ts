import {
  anySignatureMatches,
  checkTimestamp,
  decodeBase64,
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
export class StandardWebhooksScheme implements VerificationScheme {
  verify(request: InboundRequest, verify: ResolvedVerify, now: Date): VerificationResult {
    const configured = usableSecrets(verify.secrets);
    if (configured.length === 0) return fail(NO_SECRET);
    const keys = configured.map(decodeSecret).filter((key): key is Buffer => key !== undefined);
    if (keys.length === 0) return fail('secret is not a valid whsec_ base64 key');

    const id = headerValue(request.headers, ID_HEADER);
    if (id === undefined) return missingHeader(ID_HEADER);
    const timestamp = headerValue(request.headers, TIMESTAMP_HEADER);
    if (timestamp === undefined) return missingHeader(TIMESTAMP_HEADER);
    const value = headerValue(request.headers, SIGNATURE_HEADER);
    if (value === undefined) return missingHeader(SIGNATURE_HEADER);

    const fresh = checkTimestamp(timestamp, TIMESTAMP_HEADER, now);
    if (!fresh.ok) return fresh;
    const signatures = v1Signatures(value);
    if (signatures.length === 0) return malformedHeader(SIGNATURE_HEADER);

    const matches = anySignatureMatches(signatures, keys, (key) =>
      hmacSha256(key, `${id}.${timestamp}.`, request.rawBody),
    );
    return matches ? OK : fail(SIGNATURE_MISMATCH);
  }
}
