import { Injectable } from '@nestjs/common';
import { USER_AGENT } from '../delivery/delivery-attempt';
import { HttpDeliveryClient } from '../delivery/http-delivery.client';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from './connector';
import { outcomeFromDelivery } from './delivery-outcome';
import { buildHttpRequest, hasHeader, HTTP_METHODS, HttpStepRequest, originOf } from './http-request.builder';
import { failOnInvalidInput } from './invalid-step-input.error';
import { httpPlanText, planDetail } from './plan-text';
import { declareStepKind, StepWithFields } from './step-kind';

/** Shown in plans in place of headers that only exist once the request is sent. */
export const ADDED_WHEN_SENT = '(added when sent)';

/** `http`: any HTTP call, optionally signed with Standard Webhooks. */
@Injectable()
export class HttpConnector implements Connector {
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

const EXPECT = /^([1-5]xx|[1-5]\d\d(-[1-5]\d\d)?)$/;

function validate(fields: StepWithFields): void {
  const method = fields.string('method');
  if (method !== undefined && !fields.isTemplate(method) && !HTTP_METHODS.includes(method.toUpperCase() as never)) {
    fields.report('method', `\`with.method\` must be one of ${HTTP_METHODS.join(', ')}`);
  }
  const url = fields.require('url') ? fields.string('url') : undefined;
  if (url !== undefined && !fields.isTemplate(url) && !isHttpUrl(url)) {
    fields.report('url', '`with.url` must be an http:// or https:// URL');
  }
  fields.scalarMap('headers', false);
  fields.scalarMap('query', true);
  fields.scalarMap('form', true);
  if (fields.has('body') && fields.has('form')) fields.report('form', '`with.body` and `with.form` cannot be used together');
  const sign = fields.map('sign', ['secret']);
  if (sign && !sign.has('secret')) fields.report('sign', '`with.sign` needs `secret`');
  if (sign?.has('secret')) sign.string('secret');
  for (const { value, at } of fields.scalars('expect')) {
    const ok = (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) || (typeof value === 'string' && EXPECT.test(value));
    if (!ok) fields.reportAt(at, '`with.expect` must be statuses such as 200, 404, 2xx or 200-299');
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const SCALAR_OR_LIST = { type: ['string', 'number', 'boolean', 'array'] } as const;

export const httpStepKind = declareStepKind({
  kind: 'http',
  article: 'an',
  title: 'HTTP request',
  icon: 'globe',
  description: 'Calls any HTTP API; an object body is sent as JSON. Optionally signed with Standard Webhooks.',
  order: 10,
  withSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      method: { type: 'string', enum: HTTP_METHODS, default: 'POST', description: 'The HTTP method.' },
      url: { type: 'string', format: 'uri', description: 'An http:// or https:// URL.', examples: ['{{secrets.SHIPPING_URL}}/labels'] },
      headers: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, description: 'Request headers.' },
      query: { type: 'object', additionalProperties: SCALAR_OR_LIST, description: 'Query parameters added to the URL; a list repeats the parameter.' },
      body: { description: 'An object or list is sent as JSON, a string as text. Not with `form`.' },
      form: { type: 'object', additionalProperties: SCALAR_OR_LIST, description: 'Fields sent url-encoded. Not with `body`.' },
      sign: {
        type: 'object',
        additionalProperties: false,
        required: ['secret'],
        properties: { secret: { type: 'string', description: 'The Standard Webhooks signing secret.', examples: ['{{secrets.SIGNING_SECRET}}'] } },
        description: 'Signs the request with the Standard Webhooks headers.',
      },
      expect: {
        type: ['integer', 'string', 'array'],
        items: { type: ['integer', 'string'] },
        default: '2xx',
        description: 'The statuses that count as success, such as 200, 404, 2xx or 200-299.',
      },
    },
  },
  outputSchema: {
    type: 'object',
    properties: {
      status: { type: 'integer', description: "The answer's status." },
      headers: { type: 'object', additionalProperties: { type: 'string' }, description: "The answer's headers, lower case." },
      body: { description: "The answer's body, parsed when it is JSON." },
    },
  },
  hasEffects: true,
  validate,
  describePlan: (plan) => httpPlanText(plan.summary, planDetail(plan.detail)),
  connector: HttpConnector,
});
