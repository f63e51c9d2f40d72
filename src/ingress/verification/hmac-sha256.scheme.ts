import {
  anySignatureMatches,
  decodeBase64,
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

export const DEFAULT_SIGNATURE_HEADER = 'x-signature';

/** Generic HMAC-SHA256 of the raw body, hex or base64, optionally prefixed `sha256=`. */
export class HmacSha256Scheme implements VerificationScheme {
  verify(request: InboundRequest, verify: ResolvedVerify): VerificationResult {
    const secrets = usableSecrets(verify.secrets);
    if (secrets.length === 0) return fail(NO_SECRET);
    const header = (verify.header ?? DEFAULT_SIGNATURE_HEADER).toLowerCase();
    const value = headerValue(request.headers, header);
    if (value === undefined) return missingHeader(header);

    const encoded = value.replace(/^sha256=/i, '');
    const signature = verify.encoding === 'base64' ? decodeBase64(encoded) : decodeHex(encoded);
    if (signature === undefined) return malformedHeader(header);

    const matches = anySignatureMatches([signature], secrets, (secret) =>
      hmacSha256(secret, request.rawBody),
    );
    return matches ? OK : fail(SIGNATURE_MISMATCH);
  }
}
