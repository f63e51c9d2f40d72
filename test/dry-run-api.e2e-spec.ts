import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hmacHex, post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SHOP_SECRET = 'shop-secret-for-the-dry-run-tests';
const SHIPPING_TOKEN = 'shipping-token-that-must-not-leak-99';

const SOURCES = `
sources:
  shop:
    verify:
      scheme: hmac-sha256
      secret: "{{secrets.SHOP_SECRET}}"
      header: x-shop-signature
    dedupe_key: "{{event.headers.x-event-id}}"
  quiet:
    verify: { scheme: none }
`;

const ORDER_PAID = `name: order-paid
on:
  webhook: shop
  event: order.paid
  if: "{{gt event.body.order.total 0}}"
steps:
  - id: label
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/labels"
      headers: { Authorization: "Bearer {{secrets.SHIPPING_TOKEN}}", X-Event: "{{event.id}}" }
      body:
        order_id: "{{event.body.order.id}}"
        note: "{{default event.body.order.note ''}}"
  - id: email
    uses: set
    if: "{{event.body.order.email}}"
    with: { to: "{{event.body.order.email}}", tracking: "{{steps.label.output.body.tracking_number}}" }
`;

const REFUNDS = `name: refunds
on: { webhook: shop, event: "order.refunded" }
steps:
  - id: tell
    uses: slack
    with: { webhook_url: "{{secrets.RECEIVER}}/slack", text: "Refund {{event.body.order.id}}" }
`;

describe('POST /api/dry-run', () => {
  let hookflow: TestApp;
  const receiver = new Receiver();

  before(async () => {
    receiver.route('/labels', (_, response) => json(response, 201, { tracking_number: 'TRK-1' }));
    await receiver.start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'order-paid.yaml': ORDER_PAID, 'refunds.yaml': REFUNDS },
      env: { SHOP_SECRET, SHIPPING_TOKEN, RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
  });

  after(async () => {
    await hookflow.close();
    await receiver.stop();
  });

  const counts = async () =>
    (
      await hookflow.query<{ events: number; runs: number }>(`SELECT (SELECT count(*)::int FROM events) AS events, (SELECT count(*)::int FROM runs) AS runs`)
    )[0];

  const dryRun = (body: unknown) => hookflow.api('POST', '/api/dry-run', body);

  it('refuses a request without the admin token or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-admin-token-at-all' }] as Record<string, string>[]) {
      const response = await fetch(`${hookflow.baseUrl}/api/dry-run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ source: 'shop', body: { type: 'order.paid' } }),
      });
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    }
  });

  it('shows for a pasted event which workflows match and the exact request of each step, secrets as [secret], sending and storing nothing', async () => {
    const before = await counts();
    const answer = await dryRun({
      source: 'shop',
      headers: { 'X-Event-Id': 'evt-pasted' },
      body: { type: 'order.paid', order: { id: 'A-1', total: 12, email: 'ann@example.com', note: `token ${SHIPPING_TOKEN}` } },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.event, { id: null, source: 'shop', type: 'order.paid' });
    assert.deepEqual(answer.body.notes, []);
    assert.deepEqual(
      answer.body.matches.map((match: { workflow: string; matched: boolean }) => [match.workflow, match.matched]),
      [
        ['order-paid', true],
        ['refunds', false],
      ],
    );
    const [orderPaid, refunds] = answer.body.matches;
    assert.match(refunds.reason, /event type "order\.paid" does not match on\.event "order\.refunded"/);
    assert.deepEqual(refunds.steps, []);

    const [label, email] = orderPaid.steps;
    assert.equal(label.id, 'label');
    assert.equal(label.kind, 'http');
    assert.equal(label.status, 'would-run');
    assert.equal(label.request.method, 'POST');
    assert.equal(label.request.url, '[secret]/labels');
    assert.equal(label.request.headers.Authorization, 'Bearer [secret]');
    assert.equal(label.request.headers['X-Event'], 'dry-run');
    assert.equal(label.request.headers['idempotency-key'], 'dry-run:label');
    assert.deepEqual(JSON.parse(label.request.body), { order_id: 'A-1', note: 'token [secret]' });
    assert.equal(email.kind, 'set');
    assert.equal(email.status, 'would-run');
    assert.equal(email.request, undefined);
    assert.deepEqual(email.detail, { to: 'ann@example.com', tracking: '<steps.label.output.body.tracking_number>' });
    assert.match(email.note, /reads the output of label/);
    assert.deepEqual(
      orderPaid.secrets.map((secret: { name: string; set: boolean }) => [secret.name, secret.set]),
      [
        ['RECEIVER', true],
        ['SHIPPING_TOKEN', true],
      ],
    );

    assert.ok(!JSON.stringify(answer.body).includes(SHIPPING_TOKEN), 'no secret value anywhere in the answer');
    assert.ok(!JSON.stringify(answer.body).includes(receiver.url), 'not even the receiver URL, which is a secret here');
    assert.deepEqual(await counts(), before, 'nothing was stored');
    assert.equal(receiver.requests.length, 0, 'nothing was sent');
  });

  it('says why a workflow does not match when its `if` is false, and marks a step skipped by its own `if`', async () => {
    const zero = await dryRun({ source: 'shop', body: { type: 'order.paid', order: { id: 'A-2', total: 0 } } });
    assert.equal(zero.status, 200, JSON.stringify(zero.body));
    const orderPaid = zero.body.matches.find((match: { workflow: string }) => match.workflow === 'order-paid');
    assert.equal(orderPaid.matched, false);
    assert.match(orderPaid.reason, /on\.if \{\{gt event\.body\.order\.total 0\}\} is false/);
    assert.deepEqual(orderPaid.steps, []);

    const noEmail = await dryRun({ source: 'shop', type: 'order.paid', body: { order: { id: 'A-3', total: 5 } } });
    assert.equal(noEmail.body.event.type, 'order.paid', 'the type given wins over the body');
    const email = noEmail.body.matches[0].steps.find((step: { id: string }) => step.id === 'email');
    assert.equal(email.status, 'skipped');
    assert.equal(email.skipped, true);
    assert.equal(email.condition.result, 'missing');
    assert.match(email.note, /event\.body\.order\.email/);
  });

  it('tries a stored event again as it was received, under its own id', async () => {
    const raw = JSON.stringify({ type: 'order.paid', order: { id: 'S-1', total: 30, note: SHIPPING_TOKEN } });
    const sent = await post(`${hookflow.baseUrl}/hooks/shop`, raw, { 'x-shop-signature': hmacHex(SHOP_SECRET, raw), 'x-event-id': 'evt-stored' });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const eventId: string = sent.body.event_id;
    await eventually(
      async () => {
        const rows = await hookflow.query<{ status: string }>(`SELECT status FROM runs WHERE event_id = $1`, [eventId]);
        return rows.length > 0 && rows.every((row) => row.status === 'succeeded');
      },
      10_000,
      'the real run to end',
    );
    const before = await counts();
    const delivered = receiver.requests.length;

    const answer = await dryRun({ event_id: eventId });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.event, { id: eventId, source: 'shop', type: 'order.paid' });
    const label = answer.body.matches[0].steps[0];
    assert.equal(label.request.headers['X-Event'], eventId, 'templates see the stored event');
    assert.deepEqual(JSON.parse(label.request.body), { order_id: 'S-1', note: '[secret]' });
    assert.ok(!JSON.stringify(answer.body).includes(SHIPPING_TOKEN));
    assert.deepEqual(await counts(), before, 'nothing was stored');
    assert.equal(receiver.requests.length, delivered, 'nothing was sent');
  });

  it('answers a source nobody listens to with no match and a note', async () => {
    const answer = await dryRun({ source: 'quiet', body: 'plain text is a body too' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.matches, []);
    assert.deepEqual(answer.body.notes, ['no workflow listens on source quiet']);
  });

  it('answers 404 for an unknown event id', async () => {
    const answer = await dryRun({ event_id: '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b' });
    assert.equal(answer.status, 404);
    assert.equal(answer.body.error.code, 'NOT_FOUND');
  });

  it('answers 400 VALIDATION_FAILED to a body that is neither a stored nor a pasted event', async () => {
    const bad: unknown[] = [
      {},
      { source: 'shop' },
      { body: { type: 'order.paid' } },
      { event_id: 'not-a-uuid' },
      { event_id: '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b', source: 'shop', body: {} },
      { source: 'nowhere', body: {} },
      { source: 'shop', body: {}, headers: 'x-a: 1' },
      { source: 'shop', body: {}, unexpected: true },
      { source: 42, body: {} },
    ];
    for (const body of bad) {
      const answer = await dryRun(body);
      assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
    }
  });
});
