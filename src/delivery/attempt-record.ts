/** What one outbound attempt looked like, as stored and shown (secrets already redacted). */
export interface AttemptRecord {
  request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    /** The body as sent (text), cut at 16 KiB. */
    body?: string;
  };
  /** HTTP status, when an answer arrived. */
  status?: number;
  responseHeaders?: Record<string, string>;
  /** First 16 KiB of the response body, as text. */
  responseBody?: string;
  durationMs: number;
  /** Network error, timeout or refusal, when there was one. */
  error?: string;
  /** The attempt ran out of time (not stored; tells timeouts apart from other errors in metrics). */
  timedOut?: boolean;
}

export const EXCERPT_BYTES = 16 * 1024;
