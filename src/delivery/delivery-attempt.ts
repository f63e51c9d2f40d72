import { Buffer } from 'node:buffer';
import { DomainError } from '../common/domain-error';
import { AttemptRecord, EXCERPT_BYTES } from './attempt-record';
import type { DeliveryResult } from './delivery-result';
import type { OutboundRequest, RedactedRequest } from './outbound-request';
import { parseBody, ResponseExcerpt } from './response-excerpt';
import { isRetryableStatus, parseRetryAfter } from './retry-policy';
import { RequestSecretScrubber } from './request-secret-scrubber';
import { signStandardWebhook } from './standard-webhooks.signer';

export const USER_AGENT = 'Hookflow/0.1';
const OWN_HEADERS = new Set(['idempotency-key', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);

export interface Answer {
  status: number;
  headers: Record<string, string>;
  excerpt?: ResponseExcerpt;
}

/**
 * One attempt's bookkeeping: the headers it adds, and turning what happened into a
 * DeliveryResult whose record shows only the redacted request and a scrubbed response.
 */
export class DeliveryAttempt {
  private readonly started = performance.now();
  private readonly scrubber: RequestSecretScrubber;
  /** The headers Hookflow added, lower case, exactly as sent (none of them secret). */
  private added: Record<string, string> = {};

  constructor(
    private readonly request: OutboundRequest,
    private readonly redacted: RedactedRequest,
  ) {
    this.scrubber = RequestSecretScrubber.forRequest(request, redacted);
  }

  /** The URL to connect to; throws DomainError for anything but a plain http(s) URL. */
  target(): URL {
    const url = URL.canParse(this.request.url) ? new URL(this.request.url) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new DomainError('INVALID_OUTBOUND_URL', 'the URL is not an absolute http(s) URL');
    }
    if (url.username || url.password) {
      throw new DomainError('INVALID_OUTBOUND_URL', 'credentials in the URL are not supported; send an Authorization header');
    }
    return url;
  }

  /** The step's headers plus User-Agent (unless given), Idempotency-Key and, when signing, the Standard Webhooks headers. */
  headers(now: Date): Record<string, string> {
    const own: Record<string, string> = { 'idempotency-key': this.request.idempotencyKey };
    const secrets = this.request.signingSecrets ?? [];
    if (secrets.length > 0) Object.assign(own, signStandardWebhook(secrets, this.request.idempotencyKey, now, this.request.body ?? ''));
    const given = Object.entries(this.request.headers).filter(([name]) => !OWN_HEADERS.has(name.toLowerCase()));
    if (!given.some(([name]) => name.toLowerCase() === 'user-agent')) own['user-agent'] = USER_AGENT;
    this.added = own;
    return { ...Object.fromEntries(given), ...own };
  }

  answered(answer: Answer, expect: (status: number) => boolean, now: Date): DeliveryResult {
    const { status } = answer;
    const delivered = expect(status);
    const error = delivered ? undefined : status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
    return {
      outcome: delivered ? 'delivered' : 'rejected',
      status,
      headers: this.scrubber.headers(answer.headers),
      body: this.scrubber.value(parseBody(answer.excerpt ?? { text: '', complete: true }, answer.headers['content-type'])),
      retryable: !delivered && isRetryableStatus(status),
      retryAfterMs: parseRetryAfter(answer.headers['retry-after'], now),
      ...(error && { error }),
      record: this.record(answer, error),
    };
  }

  /** No complete answer: `answer` is set when the status and headers came before the failure. */
  failed(message: string, retryable: boolean, answer?: Answer, timedOut = false): DeliveryResult {
    const error = this.scrubber.text(message);
    return {
      outcome: 'failed',
      ...(answer && { status: answer.status }),
      headers: answer ? this.scrubber.headers(answer.headers) : {},
      body: '',
      retryable,
      error,
      record: { ...this.record(answer, error), ...(timedOut && { timedOut }) },
    };
  }

  private record(answer: Answer | undefined, error: string | undefined): AttemptRecord {
    const shown = Object.entries(this.redacted.headers)
      .map(([name, value]): [string, string] => [name.toLowerCase(), value])
      .filter(([name]) => !OWN_HEADERS.has(name));
    return {
      request: {
        method: this.request.method,
        url: this.redacted.url,
        headers: { ...Object.fromEntries(shown), ...this.added },
        ...(this.redacted.body !== undefined && { body: cutUtf8(this.redacted.body) }),
      },
      ...(answer && {
        status: answer.status,
        responseHeaders: this.scrubber.headers(answer.headers),
        responseBody: this.scrubber.text(answer.excerpt?.text ?? ''),
      }),
      durationMs: Math.round(performance.now() - this.started),
      ...(error && { error }),
    };
  }
}

function cutUtf8(text: string): string {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes: most bodies need neither counting nor copying.
  if (text.length * 3 <= EXCERPT_BYTES || Buffer.byteLength(text, 'utf8') <= EXCERPT_BYTES) return text;
  return Buffer.from(text, 'utf8').subarray(0, EXCERPT_BYTES).toString('utf8');
}
