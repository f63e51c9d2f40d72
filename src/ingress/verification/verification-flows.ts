import { anySignatureMatches, digestsEqual, fail, hmacSha256, NO_SECRET, OK, SIGNATURE_MISMATCH, usableSecrets } from './signature-primitives';
import type { Checked, InboundRequest, ResolvedVerify, VerificationResult } from './verification-scheme';

/** What a request says it was signed with: its MACs (any one may match) and the text signed before the raw body. */
export interface SignatureClaim {
  signatures: Buffer[];
  signedBeforeBody: string;
}

type Verify<Options> = (request: InboundRequest, verify: ResolvedVerify & Options, now: Date) => VerificationResult;

/**
 * The path of every HMAC-SHA256 scheme: at least one usable secret, made into keys; the scheme's
 * reading of its headers; then the MAC of `signedBeforeBody` + raw body under each key, compared
 * with each claimed signature in constant time.
 */
export function hmacVerification<Options extends object>(
  readClaim: (request: InboundRequest, verify: ResolvedVerify & Options, now: Date) => Checked<SignatureClaim>,
  keysOf: (secrets: string[]) => Checked<{ keys: Array<string | Buffer> }> = (secrets) => ({ ok: true, keys: secrets }),
): Verify<Options> {
  return (request, verify, now) => {
    const secrets = usableSecrets(verify.secrets);
    if (secrets.length === 0) return fail(NO_SECRET);
    const keys = keysOf(secrets);
    if (!keys.ok) return keys;
    const claim = readClaim(request, verify, now);
    if (!claim.ok) return claim;
    const matches = anySignatureMatches(claim.signatures, keys.keys, (key) => hmacSha256(key, claim.signedBeforeBody, request.rawBody));
    return matches ? OK : fail(SIGNATURE_MISMATCH);
  };
}

/**
 * The path of schemes that send the secret itself: at least one usable secret, the scheme's
 * reading of the credential, then a constant-time comparison with each secret.
 */
export function credentialVerification<Options extends object>(
  readCredential: (request: InboundRequest, verify: ResolvedVerify & Options) => Checked<{ credential: string | Buffer }>,
  mismatch: string,
): Verify<Options> {
  return (request, verify) => {
    const secrets = usableSecrets(verify.secrets);
    if (secrets.length === 0) return fail(NO_SECRET);
    const read = readCredential(request, verify);
    if (!read.ok) return read;
    return secrets.some((secret) => digestsEqual(read.credential, secret)) ? OK : fail(mismatch);
  };
}
