import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hmacHex, post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { SmtpSink } from './support/smtp-sink';
import { startTestApp, TestApp } from './support/test-app';

const SHOP_SECRET = 'shop-secret-for-the-preview-tests';
const SHIPPING_TOKEN = 'shipping-token-that-must-not-leak-42';
const SIGNING_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const UNKNOWN_EVENT = '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b';

const SOURCES = `
sources:
  shop:
    verify:
      scheme: hmac-sha256
      secret: "{{secrets.SHOP_SECRET}}"
      header: x-shop-signature
`;

/** Signed label request, a Slack message, a `set` and an e-mail that read its output, and a step its `if` skips. */
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
      headers: { Authorization: "Bearer {{secrets.SHIPPING_TOKEN}}", X-Event: "{{event.id}}", X-Run: "{{run.id}}" }
      body:
        order_id: "{{event.body.order.id}}"
        total: "{{event.body.order.total}}"
      sign: { secret: "{{secrets.SIGNING_SECRET}}" }
  - id: notify
    uses: slack
    with:
      webhook_url: "{{secrets.RECEIVER}}/slack"
      text: "Order {{event.body.order.id}} ships as {{steps.label.output.body.tracking_number}}"
  - id: remember
    uses: set
    with: { order: "{{event.body.order.id}}", tracking: "{{steps.label.output.body.tracking_number}}" }
  - id: mail
    uses: email
    with:
      to: "{{event.body.order.email}}"
      subject: "Your order {{event.body.order.id}}"
      text: "Tracking number: {{steps.label.output.body.tracking_number}}"
  - id: gift
    uses: http
    if: "{{event.body.order.gift}}"
    with: { url: "{{secrets.RECEIVER}}/gifts", body: { order_id: "{{event.body.order.id}}" } }
`;

const REFUNDS = `name: refunds
on: { webhook: shop, event: order.refunded }
steps:
  - id: tell
    uses: slack
    with: { webhook_url: "{{secrets.RECEIVER}}/slack", text: "Refund {{event.body.order.id}}" }
`;

describe('POST /api/workflows/preview and /api/workflows/compare', () => {
  let hookflow: TestApp;
  const receiver = new Receiver();
  const smtp = new SmtpSink();
  let eventId: string;

  before(async () => {
    receiver.route('/labels', (_, response) => json(response, 201, { tracking_number: 'TRK-7' }));
    receiver.route('/slack', (_, response) => json(response, 200, { ok: true }));
    await receiver.start();
    await smtp.start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'order-paid.yaml': ORDER_PAID, 'refunds.yaml': REFUNDS },
      env: { SHOP_SECRET, SHIPPING_TOKEN, SIGNING_SECRET, RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1', HOOKFLOW_SMTP_URL: smtp.url },
    });
    const raw = JSON.stringify({ type: 'order.paid', order: { id: 'A-1', total: 30, email: 'ann@example.com' } });
    const sent = await post(`${hookflow.baseUrl}/hooks/shop`, raw, { 'x-shop-signature': hmacHex(SHOP_SECRET, raw) });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    eventId = sent.body.event_id;
    await eventually(
      async () => (await hookflow.query<{ status: string }>(`SELECT status FROM runs WHERE event_id = $1`, [eventId]))[0]?.status === 'succeeded',
      15_000,
      'the real run to succeed',
    );
    assert.equal(receiver.received('/labels').length, 1);
    assert.equal(receiver.received('/slack').length, 1);
    assert.equal(smtp.mails.length, 1);
  });

  after(async () => {
    await hookflow.close();
    await receiver.stop();
    await smtp.stop();
  });

  const preview = (body: unknown) => hookflow.api('POST', '/api/workflows/preview', body);
  const compare = (body: unknown) => hookflow.api('POST', '/api/workflows/compare', body);
  const counts = async () =>
    (
      await hookflow.query<{ events: number; runs: number; attempts: number }>(
        `SELECT (SELECT count(*)::int FROM events) AS events, (SELECT count(*)::int FROM runs) AS runs, (SELECT count(*)::int FROM step_attempts) AS attempts`,
      )
    )[0];
  const statuses = (steps: { id: string; status: string }[]) => steps.map((step) => [step.id, step.status]);

  it('previews an unsaved edit with a pasted event: the edit’s exact requests, secrets as [secret], nothing sent, stored or loaded', async () => {
    const before = await counts();
    const delivered = receiver.requests.length;
    const edited = ORDER_PAID.replace('X-Run: "{{run.id}}"', 'X-Run: "{{run.id}}", X-Draft: "yes"');
    const answer = await preview({
      yaml: edited,
      event: { source: 'shop', body: { type: 'order.paid', order: { id: 'P-1', total: 5, email: 'bo@example.com', gift: true } } },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.workflow, 'order-paid');
    assert.equal(answer.body.matched, true);
    assert.deepEqual(
      answer.body.steps.map((step: { id: string; status: string }) => [step.id, step.status]),
      [
        ['label', 'would-run'],
        ['notify', 'would-run'],
        ['remember', 'would-run'],
        ['mail', 'would-run'],
        ['gift', 'would-run'],
      ],
    );
    const label = answer.body.steps[0];
    assert.deepEqual(label.request, {
      method: 'POST',
      url: '[secret]/labels',
      headers: {
        Authorization: 'Bearer [secret]',
        'X-Event': 'dry-run',
        'X-Run': 'dry-run',
        'X-Draft': 'yes',
        'content-type': 'application/json',
        'user-agent': 'Hookflow/0.1',
        'idempotency-key': 'dry-run:label',
        'webhook-id': 'dry-run:label',
        'webhook-timestamp': '(added when sent)',
        'webhook-signature': '(added when sent)',
      },
      body: JSON.stringify({ order_id: 'P-1', total: 5 }),
    });
    assert.deepEqual(
      answer.body.secrets.map((secret: { name: string; set: boolean }) => [secret.name, secret.set]),
      [
        ['RECEIVER', true],
        ['SHIPPING_TOKEN', true],
        ['SIGNING_SECRET', true],
      ],
    );
    const text = JSON.stringify(answer.body);
    for (const secret of [SHIPPING_TOKEN, SIGNING_SECRET, receiver.url]) assert.ok(!text.includes(secret), `${secret} is not in the answer`);
    assert.deepEqual(await counts(), before, 'nothing was stored');
    assert.equal(receiver.requests.length, delivered, 'nothing was sent');
    const inForce = await hookflow.api('GET', '/api/workflows/order-paid');
    assert.equal(inForce.body.yaml, ORDER_PAID, 'nothing was saved or loaded');
  });

  it('previews an edit with a stored event, under the event’s own id', async () => {
    const answer = await preview({ yaml: ORDER_PAID, event_id: eventId });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.matched, true);
    assert.equal(answer.body.steps[0].request.headers['X-Event'], eventId);
    assert.equal(answer.body.steps[4].status, 'skipped');
    assert.match(answer.body.steps[4].note, /event\.body\.order\.gift/);
  });

  it('says why an edit does not match the event', async () => {
    const stricter = ORDER_PAID.replace('{{gt event.body.order.total 0}}', '{{gt event.body.order.total 100}}');
    const answer = await preview({ yaml: stricter, event_id: eventId });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.matched, false);
    assert.match(answer.body.reason, /on\.if \{\{gt event\.body\.order\.total 100\}\} is false/);
    assert.deepEqual(answer.body.steps, []);

    const elsewhere = await preview({ yaml: REFUNDS, event: { source: 'other', type: 'order.refunded', body: {} } });
    assert.equal(elsewhere.body.matched, false);
    assert.match(elsewhere.body.reason, /listens on source shop, the event came from other/);
  });

  it('refuses invalid YAML with 422 and the problem’s line and column, and an unknown event with 404', async () => {
    const invalid = ORDER_PAID.replace('uses: set', 'uses: teleport');
    const answer = await preview({ yaml: invalid, event_id: eventId });
    assert.equal(answer.status, 422, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, 'INVALID_WORKFLOW');
    assert.equal(answer.body.error.problems.length, 1);
    assert.match(answer.body.error.problems[0].message, /teleport/);
    const line = invalid.split('\n').findIndex((text) => text.includes('teleport')) + 1;
    assert.deepEqual([answer.body.error.problems[0].line, answer.body.error.problems[0].column], [line, 11]);

    const compared = await compare({ yaml: invalid, event_id: eventId });
    assert.equal(compared.status, 422);
    assert.deepEqual(compared.body.error.problems, answer.body.error.problems);

    for (const call of [preview, compare]) {
      const unknown = await call({ yaml: ORDER_PAID, event_id: UNKNOWN_EVENT });
      assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
      assert.equal(unknown.body.error.code, 'NOT_FOUND');
    }
  });

  it('answers 400 VALIDATION_FAILED to a body without an event, with both kinds of event, or with a bad one', async () => {
    const bad: unknown[] = [
      { yaml: ORDER_PAID },
      { yaml: ORDER_PAID, event_id: eventId, event: { source: 'shop', body: {} } },
      { yaml: ORDER_PAID, event_id: 'not-a-uuid' },
      { yaml: ORDER_PAID, event: null },
      { yaml: ORDER_PAID, event: { source: 'shop' } },
      { yaml: ORDER_PAID, event: { source: 'shop', body: {}, extra: 1 } },
      { event_id: eventId },
    ];
    for (const body of bad) {
      const answer = await preview(body);
      assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
    }
    const noEvent = await compare({ yaml: ORDER_PAID });
    assert.equal(noEvent.status, 400);
  });

  it('compares the unchanged saved YAML with the run it made: every step the same, the signature included', async () => {
    const before = await counts();
    const delivered = receiver.requests.length;
    const answer = await compare({ yaml: ORDER_PAID, event_id: eventId });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const run = (await hookflow.query<{ id: string; workflow_version: string }>(`SELECT id, workflow_version FROM runs WHERE event_id = $1`, [eventId]))[0];
    assert.equal(answer.body.workflow, 'order-paid');
    assert.equal(answer.body.event_id, eventId);
    assert.equal(answer.body.run_id, run.id);
    assert.equal(answer.body.run_version, run.workflow_version);
    assert.equal(answer.body.run_status, 'succeeded');
    assert.equal(answer.body.matched, true);
    assert.deepEqual(statuses(answer.body.steps), [
      ['label', 'same'],
      ['notify', 'same'],
      ['remember', 'same'],
      ['mail', 'same'],
      ['gift', 'same'],
    ]);
    for (const step of answer.body.steps) assert.deepEqual(step.changes, [], step.id);

    const label = answer.body.steps[0];
    const sentLabel = receiver.received('/labels')[0];
    assert.equal(label.before.headers['x-run'], run.id, 'before is what the run sent');
    assert.equal(label.after.headers['X-Run'], run.id, 'the edit is replayed as that run');
    assert.equal(label.before.headers['webhook-signature'], sentLabel.headers['webhook-signature']);
    assert.equal(label.after.headers['webhook-signature'], '(added when sent)');
    assert.equal(label.before.headers.authorization, 'Bearer [secret]');
    assert.equal(label.after.headers.Authorization, 'Bearer [secret]');
    const notify = answer.body.steps[1];
    assert.match(notify.after.body, /ships as TRK-7/, 'later steps read what the run’s steps output');
    assert.deepEqual(answer.body.steps[2].after, { order: 'A-1', tracking: 'TRK-7' });
    const mail = answer.body.steps[3];
    assert.equal(mail.before.method, 'SMTP', 'an e-mail is compared in the shape its attempts are stored in');
    assert.equal(mail.after.method, 'SMTP');
    assert.equal(mail.after.headers['message-id'], mail.before.headers['message-id']);
    assert.equal(mail.after.body, 'Tracking number: TRK-7');
    assert.deepEqual([answer.body.steps[4].before, answer.body.steps[4].after], [null, null]);

    const text = JSON.stringify(answer.body);
    for (const secret of [SHIPPING_TOKEN, SIGNING_SECRET, receiver.url]) assert.ok(!text.includes(secret), `${secret} is not in the answer`);
    assert.deepEqual(await counts(), before, 'nothing was stored');
    assert.equal(receiver.requests.length, delivered, 'nothing was sent');
  });

  it('names exactly the step and the field that one changed template changes', async () => {
    const edited = ORDER_PAID.replace('order_id: "{{event.body.order.id}}"\n        total', 'order_id: "order {{event.body.order.id}}"\n        total');
    assert.notEqual(edited, ORDER_PAID);
    const answer = await compare({ yaml: edited, event_id: eventId });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(statuses(answer.body.steps), [
      ['label', 'changed'],
      ['notify', 'same'],
      ['remember', 'same'],
      ['mail', 'same'],
      ['gift', 'same'],
    ]);
    assert.deepEqual(answer.body.steps[0].changes, [{ path: 'body.order_id', before: 'A-1', after: 'order A-1' }]);
  });

  it('reports a step the edit adds as added and one it removes as removed, where it stood', async () => {
    const withoutNotify = ORDER_PAID.replace(/ {2}- id: notify\n(?: {4}.*\n)+/, '');
    const withArchive = `${withoutNotify}  - id: archive\n    uses: set\n    with: { order: "{{event.body.order.id}}" }\n`;
    const answer = await compare({ yaml: withArchive, event_id: eventId });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(statuses(answer.body.steps), [
      ['label', 'same'],
      ['notify', 'removed'],
      ['remember', 'same'],
      ['mail', 'same'],
      ['gift', 'same'],
      ['archive', 'added'],
    ]);
    const [, removed, , , , added] = answer.body.steps;
    assert.equal(removed.before.url, '[secret]/slack');
    assert.equal(removed.after, null);
    assert.equal(added.before, null);
    assert.deepEqual(added.after, { order: 'A-1' });
  });

  it('calls a step that ran but that the edit skips changed, with a note', async () => {
    const skipping = ORDER_PAID.replace('  - id: remember\n    uses: set\n', '  - id: remember\n    uses: set\n    if: "{{event.body.order.gift}}"\n');
    const answer = await compare({ yaml: skipping, event_id: eventId });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const remember = answer.body.steps[2];
    assert.equal(remember.status, 'changed');
    assert.equal(remember.after, null);
    assert.match(remember.note, /the run sent it; the edit skipped it/);
  });

  it('answers 404 NO_RUN_TO_COMPARE when the event has no run of the workflow', async () => {
    const answer = await compare({ yaml: REFUNDS, event_id: eventId });
    assert.equal(answer.status, 404, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, 'NO_RUN_TO_COMPARE');
    assert.match(answer.body.error.message, new RegExp(`Event ${eventId} has no run of workflow refunds`));
  });
});
