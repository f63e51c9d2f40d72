import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SystemClock } from '../common/clock';
import type { Settings } from '../config/settings';
import { HttpDeliveryClient } from '../delivery/http-delivery.client';
import { OutboundGuard } from '../delivery/outbound-guard';
import { closeReceivers, Receiver, startReceiver } from '../delivery/receiver.fixture';
import { SlackConnector } from './slack.step-kind';
import { stepContext } from './step-context.fixture';

const BOT_TOKEN = 'xoxb-1111-2222-abcdef';

describe(SlackConnector.name, () => {
  let client: HttpDeliveryClient;
  let connector: SlackConnector;
  let webhook: Receiver;
  let api: Receiver;
  /** What the Slack-shaped API answers to an authorised chat.postMessage. */
  let apiAnswer: Record<string, unknown>;
  let webhookStatus: number;

  before(async () => {
    client = new HttpDeliveryClient(new OutboundGuard({ HOOKFLOW_OUTBOUND_ALLOW: ['127.0.0.1'] } as Settings), new SystemClock());
    webhook = await startReceiver((_request, response) => {
      response.writeHead(webhookStatus, { 'content-type': 'text/html' });
      response.end(webhookStatus === 200 ? 'ok' : 'invalid_payload');
    });
    api = await startReceiver((request, response) => {
      const authorised = request.url === '/api/chat.postMessage' && request.headers.authorization === `Bearer ${BOT_TOKEN}`;
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(authorised ? apiAnswer : { ok: false, error: 'invalid_auth' }));
    });
    connector = new SlackConnector(client, `${api.url}/api/`);
  });

  after(async () => {
    await client.onModuleDestroy();
    await closeReceivers();
  });

  it('posts the message to an incoming webhook as JSON', async () => {
    webhookStatus = 200;
    const input = { webhook_url: `${webhook.url}/services/T1/B2/c3`, text: 'Order 1001 shipped: "TRACK-42" </script>' };

    const outcome = await connector.execute(input, { ...input, webhook_url: '[secret]' }, stepContext());

    assert.equal(outcome.kind, 'succeeded');
    assert.deepEqual(outcome.output, { status: 200, body: 'ok' });
    const request = webhook.received.at(-1)!;
    assert.equal(request.url, '/services/T1/B2/c3');
    assert.deepEqual(JSON.parse(request.body), { text: 'Order 1001 shipped: "TRACK-42" </script>' });
    assert.equal(outcome.attempt?.request.url, '[secret]');
  });

  it('fails without a retry when the incoming webhook refuses the payload', async () => {
    webhookStatus = 400;
    const input = { webhook_url: webhook.url, text: 'hi' };

    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.error, 'HTTP 400');
    assert.equal(outcome.retryable, false);
  });

  it('posts with the bot token to chat.postMessage and outputs the answer', async () => {
    apiAnswer = { ok: true, channel: 'C123', ts: '1700000000.000100' };
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*done*' } }];
    const input = { token: BOT_TOKEN, channel: '#ops', text: 'done', blocks };

    const outcome = await connector.execute(input, { ...input, token: '[secret]' }, stepContext());

    assert.equal(outcome.kind, 'succeeded');
    assert.deepEqual(outcome.output, { status: 200, body: apiAnswer });
    assert.deepEqual(JSON.parse(api.received.at(-1)!.body), { channel: '#ops', text: 'done', blocks });
    assert.equal(outcome.attempt?.request.headers.authorization, 'Bearer [secret]');
    assert.doesNotMatch(JSON.stringify(outcome.attempt), new RegExp(BOT_TOKEN));
  });

  it('fails without a retry when Slack answers 200 with ok: false', async () => {
    apiAnswer = { ok: false, error: 'channel_not_found' };
    const input = { token: BOT_TOKEN, channel: '#nowhere', text: 'hi' };

    const outcome = await connector.execute(input, { ...input, token: '[secret]' }, stepContext());

    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.error, 'slack: channel_not_found');
    assert.equal(outcome.retryable, false);
    assert.equal(outcome.attempt?.status, 200);
  });

  it('fails with a retry when Slack answers ratelimited', async () => {
    apiAnswer = { ok: false, error: 'ratelimited' };
    const input = { token: BOT_TOKEN, channel: '#ops', text: 'hi' };

    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.error, 'slack: ratelimited');
    assert.equal(outcome.retryable, true);
  });

  it('fails without a retry when the rendered blocks are not a list', async () => {
    const input = { webhook_url: webhook.url, blocks: '[{"type":"divider"}]' };

    const outcome = await connector.execute(input, input, stepContext());

    assert.deepEqual(outcome, { kind: 'failed', error: '`with.blocks` must be a list, got a string', retryable: false });
  });

  it('plans the chat.postMessage call with the token redacted', () => {
    const plan = connector.plan({ token: '[secret]', channel: '#ops', text: 'hi' }, stepContext({ idempotencyKey: 'run-3.notify' }));

    assert.equal(plan.summary, `POST ${api.url}/api/chat.postMessage`);
    assert.deepEqual(plan.detail, {
      method: 'POST',
      url: `${api.url}/api/chat.postMessage`,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        authorization: 'Bearer [secret]',
        'user-agent': 'Hookflow/0.1',
        'idempotency-key': 'run-3.notify',
      },
      body: '{"channel":"#ops","text":"hi"}',
    });
  });
});
