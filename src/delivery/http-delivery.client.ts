import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, buildConnector, Dispatcher } from 'undici';
import { Clock } from '../common/clock';
import { AttemptDeadline } from './attempt-deadline';
import { Answer, DeliveryAttempt } from './delivery-attempt';
import { classifyFailure } from './delivery-failure';
import type { DeliveryResult } from './delivery-result';
import { OutboundGuard } from './outbound-guard';
import type { OutboundRequest, RedactedRequest } from './outbound-request';
import { readExcerpt } from './response-excerpt';

export const DEFAULT_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** Per origin: a slow receiver queues its own requests behind these and nobody else's. */
const CONNECTIONS_PER_ORIGIN = 16;
const SHUTDOWN_GRACE_MS = 5_000;

const isSuccess = (status: number) => status >= 200 && status <= 299;

/**
 * The outbound HTTP client. One pooled undici Agent (keep-alive, one Pool per origin), the
 * SSRF guard at connect time, redirects never followed, and every problem returned as a
 * result, never thrown.
 */
@Injectable()
export class HttpDeliveryClient implements OnModuleDestroy {
  private readonly agent: Agent;

  constructor(
    guard: OutboundGuard,
    private readonly clock: Clock,
  ) {
    const connect = buildConnector({ timeout: CONNECT_TIMEOUT_MS, lookup: guard.lookup });
    this.agent = new Agent({
      connections: CONNECTIONS_PER_ORIGIN,
      pipelining: 1,
      connect: (options, callback) => {
        // Node skips `lookup` for IP literals, so those are checked here, before the socket opens.
        try {
          guard.checkLiteral(options.hostname);
        } catch (error) {
          return callback(error as Error, null);
        }
        connect(options, callback);
      },
    });
  }

  async send(request: OutboundRequest, redacted: RedactedRequest, expect: (status: number) => boolean = isSuccess): Promise<DeliveryResult> {
    const attempt = new DeliveryAttempt(request, redacted);
    const deadline = new AttemptDeadline(request.timeoutMs ?? DEFAULT_TIMEOUT_MS, request.signal);
    let answer: Answer | undefined;
    try {
      const url = attempt.target();
      const response = await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: attempt.headers(this.clock.now()),
        body: request.body,
        signal: deadline.signal,
        headersTimeout: deadline.timeoutMs,
        bodyTimeout: deadline.timeoutMs,
      });
      answer = { status: response.statusCode, headers: flatten(response.headers) };
      answer.excerpt = await readExcerpt(response.body);
      return attempt.answered(answer, expect, this.clock.now());
    } catch (error) {
      const failure = classifyFailure(error, deadline);
      return attempt.failed(failure.message, failure.retryable, answer, failure.timedOut);
    } finally {
      deadline.dispose();
    }
  }

  async onModuleDestroy(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), SHUTDOWN_GRACE_MS)));
    const closed = await Promise.race([this.agent.close().then(() => 'closed' as const), grace]);
    clearTimeout(timer);
    if (closed === 'late') await this.agent.destroy();
  }
}

function flatten(headers: IncomingHttpHeaders | Dispatcher.ResponseData['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}
