import { Inject, Injectable, Optional } from '@nestjs/common';
import { USER_AGENT } from '../delivery/delivery-attempt';
import type { DeliveryResult } from '../delivery/delivery-result';
import { HttpDeliveryClient } from '../delivery/http-delivery.client';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from './connector';
import { outcomeFromDelivery } from './delivery-outcome';
import { originOf, outboundUrl, UrlCheck } from './http-request.builder';
import { failOnInvalidInput, InvalidStepInputError } from './invalid-step-input.error';
import { httpPlanText, planDetail } from './plan-text';
import { declareStepKind, StepWithFields } from './step-kind';
import { isPlainObject, StepInput } from './step-input';

/** Provider token for the Web API base URL; tests point it at a local Slack-shaped server. */
export const SLACK_API_URL = Symbol('SLACK_API_URL');
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api';

interface SlackRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** `chat.postMessage` answers 200 with `ok: false` on errors; an incoming webhook does not. */
  viaApi: boolean;
}

/** `slack`: an incoming webhook (`webhook_url`) or `chat.postMessage` (`token` + `channel`). */
@Injectable()
export class SlackConnector implements Connector {
  private readonly apiUrl: string;

  constructor(
    private readonly client: HttpDeliveryClient,
    @Optional() @Inject(SLACK_API_URL) apiUrl?: string,
  ) {
    this.apiUrl = (apiUrl ?? DEFAULT_SLACK_API_URL).replace(/\/+$/, '');
  }

  execute(input: Record<string, unknown>, redactedInput: Record<string, unknown>, context: StepExecutionContext): Promise<StepOutcome> {
    return failOnInvalidInput(async () => {
      const request = this.build(input, 'strict');
      const shown = this.build(redactedInput, 'lenient');
      const result = await this.client.send(
        {
          method: 'POST',
          url: request.url,
          headers: request.headers,
          body: request.body,
          timeoutMs: context.timeoutMs,
          signal: context.signal,
          idempotencyKey: context.idempotencyKey,
        },
        { url: shown.url, headers: shown.headers, body: shown.body },
      );
      return request.viaApi ? apiOutcome(result) : outcomeFromDelivery(result, output(result));
    });
  }

  destination(input: Record<string, unknown>): string | undefined {
    return originOf(input.webhook_url ?? this.apiUrl);
  }

  plan(redactedInput: Record<string, unknown>, context: Pick<StepExecutionContext, 'idempotencyKey'>): PlannedRequest {
    const request = this.build(redactedInput, 'lenient');
    const headers = { ...request.headers, 'user-agent': USER_AGENT, 'idempotency-key': context.idempotencyKey };
    return {
      kind: 'slack',
      summary: `POST ${request.url}`,
      detail: { method: 'POST', url: request.url, headers, body: request.body },
    };
  }

  private build(input: Record<string, unknown>, check: UrlCheck): SlackRequest {
    const fields = new StepInput(input);
    const message = readMessage(fields);
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    const webhookUrl = fields.optionalString('webhook_url');
    if (webhookUrl !== undefined) {
      return { url: outboundUrl(webhookUrl, 'webhook_url', check), headers, body: JSON.stringify(message), viaApi: false };
    }
    if (!fields.has('token')) throw new InvalidStepInputError('a slack step needs `with.webhook_url` or `with.token` + `with.channel`');
    const body = JSON.stringify({ channel: fields.string('channel'), ...message });
    headers.authorization = `Bearer ${fields.string('token')}`;
    return { url: `${this.apiUrl}/chat.postMessage`, headers, body, viaApi: true };
  }
}

function readMessage(fields: StepInput): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  const text = fields.optionalString('text');
  if (text !== undefined) message.text = text;
  const blocks = fields.optionalList('blocks');
  if (blocks !== undefined) message.blocks = blocks;
  const attachments = fields.optionalList('attachments');
  if (attachments !== undefined) message.attachments = attachments;
  if (text === undefined && blocks === undefined) throw new InvalidStepInputError('a slack step needs `with.text` or `with.blocks`');
  return message;
}

function output(result: DeliveryResult): { status?: number; body: unknown } {
  return { status: result.status, body: result.body };
}

/** The Web API reports most errors as 200 `{ ok: false, error }`; only rate limiting is worth a retry. */
function apiOutcome(result: DeliveryResult): StepOutcome {
  if (result.outcome !== 'delivered') return outcomeFromDelivery(result, output(result));
  if (isPlainObject(result.body) && result.body.ok === true) return outcomeFromDelivery(result, output(result));
  const reason = isPlainObject(result.body) && typeof result.body.error === 'string' ? result.body.error : 'unexpected answer';
  return {
    kind: 'failed',
    error: `slack: ${reason}`,
    retryable: reason === 'ratelimited',
    retryAfterMs: result.retryAfterMs,
    attempt: result.record,
  };
}

function validate(fields: StepWithFields): void {
  ['webhook_url', 'token', 'channel', 'text'].forEach((key) => fields.string(key));
  fields.listOrTemplate('blocks');
  fields.listOrTemplate('attachments');
  const viaWebhook = fields.has('webhook_url');
  const viaApi = fields.has('token') || fields.has('channel');
  if (viaWebhook && viaApi) fields.report('webhook_url', 'use either `with.webhook_url` or `with.token` + `with.channel`, not both');
  else if (!viaWebhook && !viaApi) fields.report(undefined, 'a slack step needs `with.webhook_url` or `with.token` + `with.channel`');
  else if (viaApi && !fields.has('token')) fields.report('channel', '`with.channel` needs `with.token`');
  else if (viaApi && !fields.has('channel')) fields.report('token', '`with.token` needs `with.channel`');
  if (!fields.has('text') && !fields.has('blocks')) fields.report(undefined, 'a slack step needs `with.text` or `with.blocks`');
}

export const slackStepKind = declareStepKind({
  kind: 'slack',
  article: 'a',
  title: 'Slack message',
  icon: 'hash',
  description: 'Posts a message through an incoming webhook, or with a bot token through chat.postMessage.',
  order: 20,
  withSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      webhook_url: {
        type: 'string',
        format: 'uri',
        description: 'An incoming-webhook URL. Not with `token` and `channel`.',
        examples: ['{{secrets.SLACK_WEBHOOK_URL}}'],
      },
      token: { type: 'string', description: 'A bot token for chat.postMessage; needs `channel`.', examples: ['{{secrets.SLACK_BOT_TOKEN}}'] },
      channel: { type: 'string', description: 'The channel chat.postMessage posts to; needs `token`.', examples: ['#ops'] },
      text: { type: 'string', description: 'The message text (or its fallback when `blocks` are given).' },
      blocks: { type: 'array', items: { type: 'object' }, description: 'Block Kit blocks.' },
      attachments: { type: 'array', items: { type: 'object' }, description: 'Legacy attachments.' },
    },
  },
  outputSchema: {
    type: 'object',
    properties: {
      status: { type: 'integer', description: "The answer's status." },
      body: { description: "The answer's body, parsed when it is JSON." },
    },
  },
  hasEffects: true,
  validate,
  describePlan: (plan) => httpPlanText(plan.summary, planDetail(plan.detail)),
  connector: SlackConnector,
});
