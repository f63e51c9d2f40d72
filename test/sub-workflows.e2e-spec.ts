import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const LABEL_TOKEN = 'label-token-never-stored-0815';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
  orders:
    verify: { scheme: none }
    dedupe_key: "order-{{event.body.order}}"
`;

/** Starts `ship` for the order, waits for its output and sends it on. */
const ORDER_PAID = `
name: order-paid
on: { webhook: shop, event: order.paid }
steps:
  - id: ship
    uses: workflow
    with: { name: ship, wait: true, event: { order: "{{event.body.order}}" } }
  - id: notify
    uses: http
    with: { url: "{{secrets.RECEIVER}}/notify", body: { shipped: "{{steps.ship.output}}" } }
`;

const SHIP = `
name: ship
on: { webhook: shop, event: never }
steps:
  - id: label
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/labels"
      headers: { Authorization: "Bearer {{secrets.LABEL_TOKEN}}" }
      body: { order: "{{event.body.order}}" }
output:
  order: "{{event.body.order}}"
  tracking: "{{steps.label.output.body.tracking}}"
  token: "{{secrets.LABEL_TOKEN}}"
`;

/** One waited-for child per order, two at a time; the list of their outputs goes on. */
const BATCH_PAID = `
name: batch-paid
on: { webhook: shop, event: batch.paid }
steps:
  - id: ship
    uses: workflow
    for_each: "{{event.body.orders}}"
    max_parallel: 2
    with: { name: ship, wait: true, event: { order: "{{item}}" } }
  - id: notify
    uses: http
    with: { url: "{{secrets.RECEIVER}}/batch", body: { shipped: "{{steps.ship.output}}" } }
`;

const ORDER_REFUNDED = `
name: order-refunded
on: { webhook: shop, event: order.refunded }
steps:
  - id: refund
    uses: workflow
    with: { name: refund, wait: true }
  - id: never
    uses: http
    with: { url: "{{secrets.RECEIVER}}/notify" }
`;

const REFUND = `
name: refund
on: { webhook: shop, event: never }
steps:
  - id: call
    uses: http
    with: { url: "{{secrets.RECEIVER}}/refused" }
`;

const ORDER_HELD = `
name: order-held
on: { webhook: shop, event: order.held }
steps:
  - id: hold
    uses: workflow
    with: { name: hold, wait: true }
`;

const HOLD = `
name: hold
on: { webhook: shop, event: never }
steps:
  - id: long
    uses: delay
    with: { for: 1h }
`;

/** Hands an order to \`fulfil\` under the order's own key, waiting for it. */
const RECONCILE = `
name: reconcile
on: { webhook: shop, event: reconcile }
steps:
  - id: hand
    uses: workflow
    with: { name: fulfil, wait: true, dedupe_key: "order-{{event.body.order}}", event: { order: "{{event.body.order}}" } }
`;

const FULFIL = `
name: fulfil
on: { webhook: orders }
steps:
  - id: done
    uses: set
    with: { order: "{{event.body.order}}" }
output: "{{steps.done.output.order}}"
`;

interface StepView {
  id: string;
  status: string;
  output: any;
  error: string | null;
}

describe('sub-workflows that return', () => {
  let hookflow: TestApp;
  const receiver = new Receiver();

  before(async () => {
    receiver
      .route('/labels', (request, response) => json(response, 201, { tracking: `T-${JSON.parse(request.body).order}` }))
      .route('/notify', (_, response) => json(response, 200, { ok: true }))
      .route('/batch', (_, response) => json(response, 200, { ok: true }))
      .route('/refused', (_, response) => json(response, 400, { error: 'refused' }));
    await receiver.start();
    hookflow = await startTestApp({
      files: {
        'sources.yaml': SOURCES,
        'order-paid.yaml': ORDER_PAID,
        'batch-paid.yaml': BATCH_PAID,
        'ship.yaml': SHIP,
        'order-refunded.yaml': ORDER_REFUNDED,
        'refund.yaml': REFUND,
        'order-held.yaml': ORDER_HELD,
        'hold.yaml': HOLD,
        'reconcile.yaml': RECONCILE,
        'fulfil.yaml': FULFIL,
      },
      env: { RECEIVER: receiver.url, LABEL_TOKEN, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
  });

  after(async () => {
    await hookflow.close();
    await receiver.stop();
  });

  async function send(source: string, body: Record<string, unknown>): Promise<string> {
    const answer = await post(`${hookflow.baseUrl}/hooks/${source}`, JSON.stringify(body));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return (answer.body as { event_id: string }).event_id;
  }

  async function finalRunOf(eventId: string): Promise<any> {
    const summary = await eventually(
      async () => {
        const [run] = (await hookflow.api('GET', `/api/runs?event=${eventId}`)).body.items;
        return run && ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
      },
      15_000,
      `a final run of event ${eventId}`,
    );
    return (await hookflow.api('GET', `/api/runs/${summary.id}`)).body;
  }

  const stepOf = (run: { steps: StepView[] }, id: string) => run.steps.find((step) => step.id === id)!;

  it("gives the parent's next step the child's output, and links parent and child both ways", async () => {
    const parent = await finalRunOf(await send('shop', { type: 'order.paid', order: 'A-1' }));

    assert.equal(parent.status, 'succeeded', JSON.stringify(parent.steps));
    const shipped = { order: 'A-1', tracking: 'T-A-1', token: '[secret]' };
    assert.deepEqual(stepOf(parent, 'ship').output, shipped);
    const [notify] = receiver.received('/notify');
    assert.deepEqual(JSON.parse(notify.body), { shipped });

    assert.equal(parent.children.length, 1);
    const [link] = parent.children;
    assert.deepEqual({ ...link, run_id: undefined }, { run_id: undefined, workflow: 'ship', status: 'succeeded', step_id: 'ship' });
    const child = (await hookflow.api('GET', `/api/runs/${link.run_id}`)).body;
    assert.deepEqual(child.parent, { run_id: parent.id, step_id: 'ship', workflow: 'order-paid' });
    assert.deepEqual(child.output, shipped, 'the output is stored with the child, its secret as [secret]');
    assert.equal(parent.parent, null);
    assert.equal((await hookflow.api('GET', `/api/runs/${link.run_id}`)).body.children.length, 0);

    const leaks = await hookflow.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM runs WHERE output::text LIKE $1) + (SELECT count(*) FROM step_runs WHERE output::text LIKE $1))::int AS n`,
      [`%${LABEL_TOKEN}%`],
    );
    assert.equal(leaks[0].n, 0);
  });

  it('waits for one child per for_each item, each woken when its child ends, and hands on the list of outputs', async () => {
    // The 15 s bound of finalRunOf is well under the 60 s look a step takes without a wake-up.
    const parent = await finalRunOf(await send('shop', { type: 'batch.paid', orders: ['B-1', 'B-2', 'B-3'] }));

    assert.equal(parent.status, 'succeeded', JSON.stringify(parent.steps));
    const shipped = ['B-1', 'B-2', 'B-3'].map((order) => ({ order, tracking: `T-${order}`, token: '[secret]' }));
    assert.deepEqual(stepOf(parent, 'ship').output, shipped);
    const [batch] = receiver.received('/batch');
    assert.deepEqual(JSON.parse(batch.body), { shipped });
    assert.deepEqual(parent.children.map((child: { step_id: string; status: string }) => [child.step_id, child.status]).sort(), [
      ['ship[0]', 'succeeded'],
      ['ship[1]', 'succeeded'],
      ['ship[2]', 'succeeded'],
    ]);
  });

  it('fails the parent step with the child run and its error when the child fails', async () => {
    const parent = await finalRunOf(await send('shop', { type: 'order.refunded' }));

    assert.equal(parent.status, 'failed');
    const [child] = parent.children;
    assert.equal(child.status, 'failed');
    const refund = stepOf(parent, 'refund');
    assert.equal(refund.status, 'failed');
    assert.match(refund.error ?? '', new RegExp(`^run ${child.run_id} of workflow refund failed: call: .*400`));
    assert.equal(stepOf(parent, 'never').status, 'skipped');
  });

  it('fails the parent step at once when the child it waits for is cancelled', async () => {
    const eventId = await send('shop', { type: 'order.held' });
    const child = await eventually(
      async () => {
        const [row] = await hookflow.query<{ id: string }>(
          `SELECT c.id FROM runs c JOIN runs p ON p.id = c.parent_run_id JOIN step_runs s ON s.run_id = c.id
            WHERE p.event_id = $1 AND s.step_id = 'long' AND s.status = 'running'`,
          [eventId],
        );
        return row;
      },
      10_000,
      'the child in its delay',
    );
    assert.equal((await hookflow.api('POST', `/api/runs/${child.id}/cancel`)).status, 202);

    const parent = await finalRunOf(eventId);
    assert.equal(parent.status, 'failed');
    assert.equal(stepOf(parent, 'hold').error, `run ${child.id} of workflow hold was cancelled`);
  });

  it('starts nothing, and does not wait, when the dedupe key is among the events of the target source or earlier starts', async () => {
    const sourceEvent = await send('orders', { order: 'B-1' });
    const seen = await finalRunOf(await send('shop', { type: 'reconcile', order: 'B-1' }));
    assert.equal(seen.status, 'succeeded');
    assert.deepEqual(stepOf(seen, 'hand').output, { workflow: 'fulfil', started: false, duplicate_of: sourceEvent });
    assert.deepEqual(seen.children, []);

    const first = await finalRunOf(await send('shop', { type: 'reconcile', order: 'B-2' }));
    assert.equal(first.status, 'succeeded');
    assert.equal(stepOf(first, 'hand').output, 'B-2', 'the missed order ran, and the step waited for its output');
    const [started] = first.children;
    const childEvent = (await hookflow.api('GET', `/api/runs/${started.run_id}`)).body.event_id;

    const again = await finalRunOf(await send('shop', { type: 'reconcile', order: 'B-2' }));
    assert.deepEqual(stepOf(again, 'hand').output, { workflow: 'fulfil', started: false, duplicate_of: childEvent });
    assert.deepEqual(again.children, []);
    const [{ n }] = await hookflow.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs WHERE workflow = 'fulfil'`);
    assert.equal(n, 2, 'the source event and the missed order: nothing else started');
  });
});

const PARENT = `
name: parent
on: { webhook: shop }
steps:
  - id: wait-for-child
    uses: workflow
    with: { name: slow-child, wait: true, event: { n: "{{event.body.n}}" } }
  - id: after
    uses: http
    with: { url: "{{secrets.RECEIVER}}/after", body: "{{steps.wait-for-child.output}}" }
`;

const SLOW_CHILD = `
name: slow-child
on: { webhook: shop, event: never }
steps:
  - id: pause
    uses: delay
    with: { for: 3s }
  - id: answer
    uses: set
    with: { doubled: "{{mul event.body.n 2}}" }
output: { doubled: "{{steps.answer.output.doubled}}" }
`;

describe('sub-workflows that return: a restart mid-wait', () => {
  const receiver = new Receiver();
  const files = { 'sources.yaml': SOURCES, 'parent.yaml': PARENT, 'slow-child.yaml': SLOW_CHILD };
  let first: TestApp;
  let second: TestApp | undefined;

  before(async () => {
    receiver.route('/after', (_, response) => json(response, 200, { ok: true }));
    await receiver.start();
    first = await startTestApp({ files, env: { RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' } });
  });

  after(async () => {
    await second?.close();
    await first.close();
    await receiver.stop();
  });

  it("wakes the parent with the child's output when the child ends in the next process", async () => {
    const answer = await post(`${first.baseUrl}/hooks/shop`, JSON.stringify({ n: 21 }));
    assert.equal(answer.status, 202);
    const waiting = await eventually(
      async () => {
        const rows = await first.query<{ run_id: string; workflow: string; step_id: string; status: string; error: string | null }>(
          `SELECT s.run_id, r.workflow, s.step_id, s.status, s.error FROM step_runs s JOIN runs r ON r.id = s.run_id`,
        );
        const parentWaits = rows.find((row) => row.step_id === 'wait-for-child' && row.status === 'running' && row.error?.startsWith('waiting for run'));
        const childDelays = rows.find((row) => row.step_id === 'pause' && row.status === 'running');
        return parentWaits && childDelays ? parentWaits : undefined;
      },
      10_000,
      'the parent waiting on its child, the child in its delay',
    );
    await first.stop();

    second = await startTestApp({ files, databaseUrl: first.databaseUrl, env: { RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' } });
    const [after] = await eventually(
      async () => (receiver.received('/after').length > 0 ? receiver.received('/after') : undefined),
      20_000,
      'the step after the wait',
    );
    assert.deepEqual(JSON.parse(after.body), { doubled: 42 });
    const parent = (await second.api('GET', `/api/runs/${waiting.run_id}`)).body;
    assert.equal(parent.status, 'succeeded');
    assert.equal(parent.children[0].status, 'succeeded');
  });
});
