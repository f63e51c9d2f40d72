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

const SIGNATURE_HEADER = 'x-slack-signature';
const TIMESTAMP_HEADER = 'x-slack-request-timestamp';

/** Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">`. */
export class SlackScheme implements VerificationScheme {
  verify(request: InboundRequest, verify: ResolvedVerify, now: Date): VerificationResult {
    const secrets = usableSecrets(verify.secrets);
    if (secrets.length === 0) return fail(NO_SECRET);
    const value = headerValue(request.headers, SIGNATURE_HEADER);
    if (value === undefined) return missingHeader(SIGNATURE_HEADER);
    const timestamp = headerValue(request.headers, TIMESTAMP_HEADER);
    if (timestamp === undefined) return missingHeader(TIMESTAMP_HEADER);

    const match = /^v0=(.*)$/.exec(value);
    const signature = match ? decodeHex(match[1]) : undefined;
    if (signature === undefined) return malformedHeader(SIGNATURE_HEADER);
    const fresh = checkTimestamp(timestamp, TIMESTAMP_HEADER, now);
    if (!fresh.ok) return fresh;

    const matches = anySignatureMatches([signature], secrets, (secret) =>
      hmacSha256(secret, `v0:${timestamp}:`, request.rawBody),
    );
    return matches ? OK : fail(SIGNATURE_MISMATCH);
  }
}
