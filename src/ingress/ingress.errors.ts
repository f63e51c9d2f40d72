import { DomainError } from '../common/domain-error';

export class UnknownSourceError extends DomainError {
  constructor(source: string) {
    super('UNKNOWN_SOURCE', `No source named "${source}" is declared in sources.yaml`);
  }
}

export class SignatureRejectedError extends DomainError {
  constructor(reason: string) {
    super('SIGNATURE_INVALID', `Verification failed: ${reason}`);
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(limit: number) {
    super('PAYLOAD_TOO_LARGE', `The body is larger than this source accepts (${limit} bytes)`);
  }
}

/** The source needs a secret whose variable is not set: the sender should retry later. */
export class SourceNotConfiguredError extends DomainError {
  constructor(source: string, reason: string) {
    super('SOURCE_NOT_CONFIGURED', `Source "${source}" is not configured: ${reason}`);
  }
}

/**
 * How long a paused source asks senders to wait (`Retry-After`, seconds). A pause is an
 * operator's short hold (a deploy, an incident): a minute lets deliveries flow again soon
 * after a resume without the sender hammering meanwhile. Many providers keep their own
 * schedule whatever this says; see docs/sources.md.
 */
export const PAUSED_SOURCE_RETRY_AFTER_SECONDS = 60;

/** The source is paused: nothing was stored, and the sender should retry later. */
export class SourcePausedError extends DomainError {
  constructor(source: string) {
    super('SOURCE_PAUSED', `Source "${source}" is paused; nothing was stored, retry later`, { retryAfterSeconds: PAUSED_SOURCE_RETRY_AFTER_SECONDS });
  }
}

export class MethodNotAllowedError extends DomainError {
  constructor(method: string) {
    super('METHOD_NOT_ALLOWED', `${method} is not accepted here; send webhooks with POST or PUT`);
  }
}
