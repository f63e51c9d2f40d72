import { Injectable } from '@nestjs/common';
import { USER_AGENT } from '../delivery/delivery-attempt';
import { HttpDeliveryClient } from '../delivery/http-delivery.client';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from './connector';
import { outcomeFromDelivery } from './delivery-outcome';
import { buildHttpRequest, hasHeader, HttpStepRequest, originOf } from './http-request.builder';
import { failOnInvalidInput } from './invalid-step-input.error';

/** Shown in plans in place of headers that only exist once the request is sent. */
export const ADDED_WHEN_SENT = '(added when sent)';

/** `http`: any HTTP call, optionally signed with Standard Webhooks. */
@Injectable()
export class HttpConnector implements Connector {
  readonly kind = 'http' as const;

  constructor(private readonly client: HttpDeliveryClient) {}

  execute(input: Record<string, unknown>, redactedInput: Record<string, unknown>, context: StepExecutionContext): Promise<StepOutcome> {
    return failOnInvalidInput(async () => {
      const request = buildHttpRequest(input, 'strict');
      const shown = buildHttpRequest(redactedInput, 'lenient');
      const result = await this.client.send(
        {
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: request.body,
          timeoutMs: context.timeoutMs,
          signal: context.signal,
          idempotencyKey: context.idempotencyKey,
          signingSecrets: request.signingSecrets,
        },
        { url: shown.url, headers: shown.headers, body: shown.body },
        (status) => request.expect.matches(status),
      );
      return outcomeFromDelivery(result, { status: result.status, headers: result.headers, body: result.body });
    });
  }

  destination(input: Record<string, unknown>): string | undefined {
    return originOf(input.url);
  }

  plan(redactedInput: Record<string, unknown>, context: Pick<StepExecutionContext, 'idempotencyKey'>): PlannedRequest {
    const request = buildHttpRequest(redactedInput, 'lenient');
    return {
      kind: 'http',
      summary: `${request.method} ${request.url}`,
      detail: {
        method: request.method,
        url: request.url,
        headers: plannedHeaders(request, context.idempotencyKey),
        body: request.body,
        expect: request.expect.text,
      },
    };
  }
}

/** The step's headers plus those the delivery client adds, named in lower case as attempt records show them. */
function plannedHeaders(request: HttpStepRequest, idempotencyKey: string): Record<string, string> {
  const headers: Record<string, string> = { ...request.headers };
  if (!hasHeader(headers, 'user-agent')) headers['user-agent'] = USER_AGENT;
  headers['idempotency-key'] = idempotencyKey;
  if (request.signingSecrets === undefined) return headers;
  return { ...headers, 'webhook-id': idempotencyKey, 'webhook-timestamp': ADDED_WHEN_SENT, 'webhook-signature': ADDED_WHEN_SENT };
}
