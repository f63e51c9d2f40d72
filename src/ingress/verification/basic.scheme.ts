import {
  decodeBase64,
  digestsEqual,
  fail,
  headerValue,
  malformedHeader,
  missingHeader,
  NO_SECRET,
  OK,
  usableSecrets,
} from './signature-primitives';
import type {
  InboundRequest,
  ResolvedVerify,
  VerificationResult,
  VerificationScheme,
} from './verification-scheme';

const HEADER = 'authorization';
const COLON = 0x3a;

/** HTTP Basic authentication; each secret is the string `user:password`. */
export class BasicScheme implements VerificationScheme {
  verify(request: InboundRequest, verify: ResolvedVerify): VerificationResult {
    const secrets = usableSecrets(verify.secrets);
    if (secrets.length === 0) return fail(NO_SECRET);
    const value = headerValue(request.headers, HEADER);
    if (value === undefined) return missingHeader(HEADER);

    const match = /^Basic\s+(\S+)$/i.exec(value);
    const credentials = match ? decodeBase64(match[1]) : undefined;
    if (credentials === undefined || !credentials.includes(COLON)) return malformedHeader(HEADER);

    const matches = secrets.some((secret) => digestsEqual(credentials, secret));
    return matches ? OK : fail('invalid credentials');
  }
}
