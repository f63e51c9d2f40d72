import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SystemClock } from '../common/clock';
import type { Settings } from '../config/settings';
import { HttpDeliveryClient } from '../delivery/http-delivery.client';
import { OutboundGuard } from '../delivery/outbound-guard';
import { closeReceivers, Receiver, startReceiver } from '../delivery/receiver.fixture';
import { HttpConnector } from './http.step-kind';
import { stepContext } from './step-context.fixture';

const TOKEN = 'tok_live_7d1e0c';

interface HttpOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

describe(HttpConnector.name, () => {
  let client: HttpDeliveryClient;
  let connector: HttpConnector;
  let receiver: Receiver;
  /** What the receiver answers next: status, headers, body. */
  let answer: { status: number; headers?: Record<string, string>; body?: string };

  before(async () => {
    client = new HttpDeliveryClient(new OutboundGuard({ HOOKFLOW_OUTBOUND_ALLOW: ['127.0.0.1'] } as Settings), new SystemClock());
    connector = new HttpConnector(client);
    receiver = await startReceiver((_request, response) => {
      response.writeHead(answer.status, answer.headers ?? { 'content-type': 'application/json' });
      response.end(answer.body ?? '{"tracking_number":"TRACK-42"}');
    });
  });

  after(async () => {
    await client.onModuleDestroy();
    await closeReceivers();
  });

  const last = () => receiver.received.at(-1)!;

  it('sends an object as JSON, byte for byte, and outputs status, headers and the parsed body', async () => {
    answer = { status: 201 };
    const body = { order_id: 1001, total: 19.9, address: { city: 'Köln', lines: ['Main St 1'] }, gift: false, note: null };
    const input = { url: `${receiver.url}/labels`, body };

    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'succeeded');
    const output = outcome.output as HttpOutput;
    assert.deepEqual(Object.keys(output), ['status', 'headers', 'body']);
    assert.equal(output.status, 201);
    assert.equal(output.headers['content-type'], 'application/json');
    assert.deepEqual(output.body, { tracking_number: 'TRACK-42' });
    assert.equal(last().method, 'POST');
    assert.equal(last().url, '/labels');
    assert.equal(last().body, JSON.stringify(body));
    assert.equal(last().headers['content-type'], 'application/json');
    assert.equal(outcome.attempt?.status, 201);
  });

  it('keeps an event value with template syntax, quotes and markup verbatim inside the JSON', async () => {
    answer = { status: 200 };
    const hostile = '{{secrets.SHIPPING_TOKEN}}", "admin": true, "x": "\\"} </script><script>alert(1)</script> {{{raw}}}';
    const input = { url: receiver.url, body: { comment: hostile, nested: [hostile] } };

    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'succeeded');
    const arrived = JSON.parse(last().body) as Record<string, unknown>;
    assert.deepEqual(arrived, { comment: hostile, nested: [hostile] });
    assert.equal(Object.hasOwn(arrived, 'admin'), false);
  });

  it('sends a form url-encoded and appends the query to the URL', async () => {
    answer = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'thanks' };
    const input = {
      method: 'put',
      url: `${receiver.url}/orders?existing=1`,
      query: { q: 'a b&c=d', id: [1, 2], flag: true },
      form: { name: 'Zoë & Co', tags: ['x/y', 'z'], amount: 19.9 },
    };

    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'succeeded');
    assert.equal((outcome.output as HttpOutput).body, 'thanks');
    assert.equal(last().method, 'PUT');
    assert.equal(last().url, '/orders?existing=1&q=a+b%26c%3Dd&id=1&id=2&flag=true');
    assert.equal(last().headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(last().body, 'name=Zo%C3%AB+%26+Co&tags=x%2Fy&tags=z&amount=19.9');
  });

  it('sends a string body as plain text', async () => {
    answer = { status: 204, body: '' };
    const input = { url: receiver.url, body: 'line 1\n"quoted"' };

    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'succeeded');
    assert.equal(last().headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(last().body, 'line 1\n"quoted"');
  });

  it('counts the statuses listed in expect as success, and nothing else', async () => {
    answer = { status: 404 };
    const listed = { url: receiver.url, method: 'DELETE', expect: [200, '404', '409-410'] };
    assert.equal((await connector.execute(listed, listed, stepContext())).kind, 'succeeded');

    answer = { status: 201 };
    const exact = { url: receiver.url, expect: 200 };
    const outcome = await connector.execute(exact, exact, stepContext());
    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.error, 'HTTP 201');
    assert.equal(outcome.retryable, false);
  });

  it('fails with a retry on 503, honouring Retry-After', async () => {
    answer = { status: 503, headers: { 'retry-after': '7' }, body: 'busy' };
    const input = { url: receiver.url, body: { a: 1 } };

    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.error, 'HTTP 503');
    assert.equal(outcome.retryable, true);
    assert.equal(outcome.retryAfterMs, 7000);
    assert.equal(outcome.attempt?.status, 503);
  });

  it('fails without a retry on 404', async () => {
    answer = { status: 404, body: '{"error":"no such order"}' };
    const input = { url: receiver.url, body: { a: 1 } };

    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.error, 'HTTP 404');
    assert.equal(outcome.retryable, false);
    assert.equal(outcome.attempt?.responseBody, '{"error":"no such order"}');
  });

  it('sends the idempotency key and Standard Webhooks headers, recording only the redacted request', async () => {
    answer = { status: 200 };
    const context = stepContext({ idempotencyKey: 'run-9.label' });
    const input = {
      url: receiver.url,
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: { token: TOKEN },
      sign: { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    };
    const redacted = { url: receiver.url, headers: { Authorization: 'Bearer [secret]' }, body: { token: '[secret]' }, sign: { secret: '[secret]' } };

    const outcome = await connector.execute(input, redacted, context);

    assert.equal(outcome.kind, 'succeeded');
    assert.equal(last().headers['idempotency-key'], 'run-9.label');
    assert.equal(last().headers['webhook-id'], 'run-9.label');
    assert.match(String(last().headers['webhook-signature']), /^v1,/);
    assert.equal(last().headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(outcome.attempt?.request.headers.authorization, 'Bearer [secret]');
    assert.equal(outcome.attempt?.request.body, '{"token":"[secret]"}');
    assert.doesNotMatch(JSON.stringify(outcome.attempt), new RegExp(TOKEN));
  });

  it('fails without a retry, sending nothing, when a rendered value has the wrong type', async () => {
    const before = receiver.received.length;
    const input = { url: { href: receiver.url } };

    const outcome = await connector.execute(input, input, stepContext());

    assert.deepEqual(outcome, { kind: 'failed', error: '`with.url` must be a string, got a map', retryable: false });
    assert.equal(receiver.received.length, before);
  });

  it('plans the request from the redacted input, with the headers that will be added', () => {
    const redacted = {
      url: '[secret]/labels',
      headers: { Authorization: 'Bearer [secret]' },
      body: { order_id: 1001 },
      sign: { secret: '[secret]' },
    };

    const plan = connector.plan(redacted, stepContext({ idempotencyKey: 'run-9.label' }));

    assert.equal(plan.kind, 'http');
    assert.equal(plan.summary, 'POST [secret]/labels');
    assert.deepEqual(plan.detail, {
      method: 'POST',
      url: '[secret]/labels',
      headers: {
        Authorization: 'Bearer [secret]',
        'content-type': 'application/json',
        'user-agent': 'Hookflow/0.1',
        'idempotency-key': 'run-9.label',
        'webhook-id': 'run-9.label',
        'webhook-timestamp': '(added when sent)',
        'webhook-signature': '(added when sent)',
      },
      body: '{"order_id":1001}',
      expect: '2xx',
    });
  });
});
