import {
  anySignatureMatches,
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

const HEADER = 'x-hub-signature-256';

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`. */
export class GithubScheme implements VerificationScheme {
  verify(request: InboundRequest, verify: ResolvedVerify): VerificationResult {
    const secrets = usableSecrets(verify.secrets);
    if (secrets.length === 0) return fail(NO_SECRET);
    const value = headerValue(request.headers, HEADER);
    if (value === undefined) return missingHeader(HEADER);

    const match = /^sha256=(.*)$/.exec(value);
    const signature = match ? decodeHex(match[1]) : undefined;
    if (signature === undefined) return malformedHeader(HEADER);

    const matches = anySignatureMatches([signature], secrets, (secret) =>
      hmacSha256(secret, request.rawBody),
    );
    return matches ? OK : fail(SIGNATURE_MISMATCH);
  }
}
