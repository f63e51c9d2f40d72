import { DomainError } from '../common/domain-error';
import type { AttemptDeadline } from './attempt-deadline';
import { OutboundBlockedError } from './outbound-blocked.error';

export interface DeliveryFailure {
  message: string;
  retryable: boolean;
  timedOut?: boolean;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const MAX_MESSAGE = 300;

/**
 * Why an attempt got no (complete) answer, and whether another attempt may help. Network
 * trouble and timeouts may; a request the guard refused or that cannot be built never will.
 */
export function classifyFailure(error: unknown, deadline: AttemptDeadline): DeliveryFailure {
  const blocked = findCause(error, (cause) => cause instanceof OutboundBlockedError);
  if (blocked) return { message: (blocked as Error).message, retryable: false };
  const code = errorCode(error);
  if (deadline.timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return { message: `timed out after ${deadline.timeoutMs} ms`, retryable: true, timedOut: true };
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { message: 'connect timed out', retryable: true, timedOut: true };
  if (deadline.cancelled) return { message: 'aborted before the answer arrived', retryable: true };
  if (error instanceof DomainError || code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
    return { message: cut(`invalid request: ${describe(error)}`), retryable: false };
  }
  return { message: cut(`network error: ${describe(error)}`), retryable: true };
}

function findCause(error: unknown, test: (cause: unknown) => boolean): unknown {
  for (let cause = error, depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    if (test(cause)) return cause;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's happy-eyeballs connect fails with an AggregateError whose own message is empty.
  const parts = error instanceof AggregateError && !error.message ? error.errors.map((inner) => describe(inner)) : [error.message];
  const message = parts.filter(Boolean).join('; ') || error.name;
  const code = errorCode(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

function cut(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}
