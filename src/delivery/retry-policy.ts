import type { RetryDefinition } from '../workflows/workflow.types';

/** Network errors and timeouts are retried too; these are the answers worth another attempt. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * When to try again. Exponential backoff uses "equal jitter": the n-th delay is drawn between
 * base / 2 and base, with base = min(initial * 2^(n-1), max), so retries spread out but never
 * bunch up near zero as full jitter can. Fixed backoff waits `initial` every time.
 * A Retry-After answer is a floor; it is itself capped at `max`, the longest wait the
 * workflow accepts, so a receiver cannot park a run for longer than its author allowed.
 */
export class RetryPolicy {
  constructor(private readonly random: () => number = Math.random) {}

  isRetryableStatus(status: number): boolean {
    return isRetryableStatus(status);
  }

  /** Delay before attempt `failedAttempt + 1`, or null when `retry.attempts` are used up. */
  nextDelayMs(retry: RetryDefinition, failedAttempt: number, retryAfterMs?: number): number | null {
    if (failedAttempt >= retry.attempts) return null;
    const delay = retry.backoff === 'fixed' ? retry.initialMs : this.exponential(retry, failedAttempt);
    const floor = retryAfterMs === undefined ? 0 : Math.min(Math.max(retryAfterMs, 0), retry.maxMs);
    return Math.round(Math.max(delay, floor));
  }

  private exponential(retry: RetryDefinition, failedAttempt: number): number {
    // The exponent is bounded so a huge attempt number cannot overflow into Infinity * 0.
    const exponent = Math.min(Math.max(failedAttempt, 1) - 1, 60);
    const base = Math.min(retry.initialMs * 2 ** exponent, retry.maxMs);
    const random = Math.min(Math.max(this.random(), 0), 1);
    return base / 2 + (random * base) / 2;
  }
}

/** Retry-After as milliseconds from `now`: delta seconds or an HTTP date (past dates give 0). */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Date.parse also accepts odd forms like "7"; the digit case is handled above, and an
  // HTTP date always names a weekday or month, so require a letter.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
