import { Injectable } from '@nestjs/common';
import { schemeNamed } from './scheme-registry';
import { fail } from './signature-primitives';
import type { InboundRequest, ResolvedVerify, VerificationResult } from './verification-scheme';

/** Verifies an inbound request's raw bytes with the scheme its source declares. */
@Injectable()
export class SignatureVerifier {
  verify(request: InboundRequest, verify: ResolvedVerify, now: Date = new Date()): VerificationResult {
    const scheme = schemeNamed(verify.scheme);
    return scheme ? scheme.verify(request, verify, now) : fail('unsupported verification scheme');
  }

  /** The answer to a provider's handshake when a verified body is one (Slack's `url_verification`). */
  handshake(verify: ResolvedVerify, body: unknown): Record<string, unknown> | undefined {
    return schemeNamed(verify.scheme)?.handshake?.(body);
  }
}
