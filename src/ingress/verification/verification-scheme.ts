import type { VerifyScheme } from '../../workflows/workflow.types';

/** An inbound webhook as it arrived: the exact body bytes and the headers (lower-case names). */
export interface InboundRequest {
  rawBody: Buffer;
  headers: Readonly<Record<string, string | undefined>>;
}

/**
 * Outcome of a verification. `reason` is short and safe to show to the sender and to store:
 * it never contains a secret or a computed signature.
 */
export type VerificationResult = { ok: true } | { ok: false; reason: string };

/** A source's `verify:` with its secret templates already rendered to plain values. */
export interface ResolvedVerify {
  scheme: VerifyScheme;
  /** Every configured secret; a request signed with any one of them is accepted (rotation). */
  secrets: string[];
  /** Header carrying the signature (`hmac-sha256`) or the key (`api-key`). */
  header?: string;
  /** Digest encoding of `hmac-sha256` signatures (default hex). */
  encoding?: 'hex' | 'base64';
}

/** One provider's way of proving that a request came from whoever holds the secret. */
export interface VerificationScheme {
  verify(request: InboundRequest, verify: ResolvedVerify, now: Date): VerificationResult;
}
