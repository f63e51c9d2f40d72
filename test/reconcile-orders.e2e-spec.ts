import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hmacHex, post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

/** The shipped example files, as a user runs them. */
const example = (name: string) => readFileSync(join(__dirname, '..', '..', 'workflows', name), 'utf8');
const SHOP_SECRET = 'shop-secret-for-the-reconcile-test';
/** Orders without e-mail: the example's e-mail step is skipped, so no mail server is needed. */
const PAID_ORDERS = ['A-1', 'A-2', 'A-3'].map((id) => ({ id, total: 10, shipping_address: { name: 'Ada' } }));

interface RunSummary {
  id: string;
  workflow: string;
  status: string;
}

describe('reconcile-orders, the shipped example, end to end', () => {
  let hookflow: TestApp;
  const receiver = new Receiver();

  before(async () => {
    receiver
      .route('/orders', (_, response) => json(response, 200, { orders: PAID_ORDERS }))
      .route('/labels', (request, response) => json(response, 201, { tracking_number: `T-${JSON.parse(request.body).order_id}` }))
      .route('/slack', (_, response) => json(response, 200, { ok: true }));
    await receiver.start();
    hookflow = await startTestApp({
      files: {
        'sources.yaml': example('sources.yaml'),
        'order-paid.yaml': example('order-paid.yaml'),
        'reconcile-orders.yaml': example('reconcile-orders.yaml'),
      },
      env: {
        SHOP_WEBHOOK_SECRET: SHOP_SECRET,
        SHOP_API_URL: receiver.url,
        SHIPPING_URL: receiver.url,
        SHIPPING_TOKEN: 'shipping-token',
        SHIPPING_SIGNING_SECRET: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
        SLACK_WEBHOOK_URL: `${receiver.url}/slack`,
        HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1',
      },
    });
  });

  after(async () => {
    await hookflow.close();
    await receiver.stop();
  });

  async function finished(runId: string): Promise<{ status: string; steps: { id: string; status: string; error: string | null; output: unknown }[] }> {
    return eventually(
      async () => {
        const run = (await hookflow.api('GET', `/api/runs/${runId}`)).body;
        return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
      },
      15_000,
      `run ${runId} to end`,
    );
  }

  async function orderRuns(): Promise<RunSummary[]> {
    return ((await hookflow.api('GET', '/api/runs?workflow=order-paid&limit=100')).body.items as RunSummary[]).filter((run) => run.workflow === 'order-paid');
  }

  async function reconcile() {
    const answer = await hookflow.api('POST', '/api/workflows/reconcile-orders/runs', { body: {} });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return finished(answer.body.run_id as string);
  }

  it('starts order-paid only for the paid orders whose webhook never came, and nothing the second time', async () => {
    const webhook = JSON.stringify({ type: 'order.paid', order: PAID_ORDERS[1] });
    const sent = await post(`${hookflow.baseUrl}/hooks/shop`, webhook, { 'x-shop-signature': hmacHex(SHOP_SECRET, webhook) });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    await eventually(async () => (await orderRuns()).some((run) => run.status === 'succeeded') || undefined, 15_000, 'the webhook run');

    const first = await reconcile();
    assert.equal(first.status, 'succeeded', JSON.stringify(first.steps));
    const handed = first.steps.find((step) => step.id === 'reconcile')!.output as { started: boolean; duplicate_of?: string }[];
    assert.deepEqual(
      handed.map((start) => start.started),
      [true, false, true],
      'A-2 came in as a webhook: its start is a duplicate',
    );
    const runs = await eventually(
      async () => {
        const all = await orderRuns();
        return all.length === 3 && all.every((run) => run.status === 'succeeded') ? all : undefined;
      },
      15_000,
      'three order-paid runs, all succeeded',
    );
    assert.equal(runs.length, 3);
    const labelled = receiver.received('/labels').map((request) => JSON.parse(request.body).order_id as string);
    assert.deepEqual(labelled.sort(), ['A-1', 'A-2', 'A-3'], 'each order gets exactly one label');

    const second = await reconcile();
    assert.equal(second.status, 'succeeded');
    const again = second.steps.find((step) => step.id === 'reconcile')!.output as { started: boolean }[];
    assert.deepEqual(
      again.map((start) => start.started),
      [false, false, false],
    );
    assert.equal((await orderRuns()).length, 3, 'the second reconciliation starts nothing');
    assert.equal(receiver.received('/labels').length, 3);
  });
});
