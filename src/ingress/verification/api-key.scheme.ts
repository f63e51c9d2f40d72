import {
  digestsEqual,
  fail,
  headerValue,
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

export const DEFAULT_API_KEY_HEADER = 'x-api-key';

/** A shared key in a header; in `Authorization` it may come as `Bearer <key>`. */
export class ApiKeyScheme implements VerificationScheme {
  verify(request: InboundRequest, verify: ResolvedVerify): VerificationResult {
    const secrets = usableSecrets(verify.secrets);
    if (secrets.length === 0) return fail(NO_SECRET);
    const header = (verify.header ?? DEFAULT_API_KEY_HEADER).toLowerCase();
    const value = headerValue(request.headers, header);
    if (value === undefined) return missingHeader(header);

    const key = header === 'authorization' ? value.replace(/^Bearer\s+/i, '') : value;
    const matches = secrets.some((secret) => digestsEqual(key, secret));
    return matches ? OK : fail('invalid api key');
  }
}
