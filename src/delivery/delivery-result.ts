import type { AttemptRecord } from './attempt-record';

/** What one outbound request came to, as connectors see it. */
export interface DeliveryResult {
  /** delivered: `expect` accepted the status; rejected: an answer it refused; failed: no (complete) answer. */
  outcome: 'delivered' | 'rejected' | 'failed';
  status?: number;
  /** Response headers, lower case. */
  headers: Record<string, string>;
  /** Parsed JSON when the response is JSON and fits in 16 KiB, else its first 16 KiB as text ('' when empty). */
  body: unknown;
  retryable: boolean;
  /** From Retry-After (seconds or HTTP date). */
  retryAfterMs?: number;
  /** Short, safe text for failed and rejected attempts. */
  error?: string;
  record: AttemptRecord;
}
