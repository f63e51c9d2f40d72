import {
  anySignatureMatches,
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

const HEADER = 'x-shopify-hmac-sha256';

/** Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`. */
export class ShopifyScheme implements VerificationScheme {
  verify(request: InboundRequest, verify: ResolvedVerify): VerificationResult {
    const secrets = usableSecrets(verify.secrets);
    if (secrets.length === 0) return fail(NO_SECRET);
    const value = headerValue(request.headers, HEADER);
    if (value === undefined) return missingHeader(HEADER);

    const signature = decodeBase64(value);
    if (signature === undefined) return malformedHeader(HEADER);

    const matches = anySignatureMatches([signature], secrets, (secret) =>
      hmacSha256(secret, request.rawBody),
    );
    return matches ? OK : fail(SIGNATURE_MISMATCH);
  }
}
