import type { ErrorCode } from './error-status';

/**
 * An error the domain expects and can name. The exception filter maps `code` to an HTTP
 * status and answers `{ error: { code, message } }`; anything else is a 500 without internals.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
