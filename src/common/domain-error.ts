import type { ErrorCode } from './error-status';

/**
 * An error the domain expects and can name. The exception filter maps `code` to an HTTP
 * status and answers `{ error: { code, message } }`; anything else is a 500 without internals.
 * `details.answer`, when set, holds further fields of that `error` object (the problems of a
 * refused workflow, say); the other details are never sent.
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
