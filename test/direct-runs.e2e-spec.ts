import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DirectRuns } from '../src/engine/direct-runs';
import { RunStore } from '../src/engine/run-store';
import { post } from './support/http';
import { DELIVER_WORKFLOW, okReceiver } from './support/order-workflows';
import { eventually } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
    dedupe_key: "{{event.body.delivery}}"
`;

const SERIAL_WORKFLOW = `
name: serial
on: { webhook: shop, event: order.shipped }
concurrency: { key: "{{event.body.customer}}" }
steps:
  - id: notify
    uses: http
    with: { url: "{{secrets.RECEIVER}}/ok", body: { order: "{{event.body.order}}" } }
`;

interface RunRow {
  id: string;
  status: string;
  lease_owner: string | null;
  started_in_its_insert: boolean;
}

/** A run a process took straight from its ingress and still held when it died: leased, with no job. */
async function insertHeldRun(hookflow: TestApp, leaseUntil: string): Promise<string> {
  const [{ id }] = await hookflow.query<{ id: string }>(
    `WITH e AS (
       INSERT INTO events (id, source, type, received_at, headers, body, body_format)
       VALUES (gen_random_uuid(), 'shop', 'order.paid', now(), '{}', convert_to('{"order": 99}', 'UTF8'), 'json')
       RETURNING id)
     INSERT INTO runs (id, event_id, workflow, workflow_version, status, created_at, started_at, lease_owner, lease_until)
     SELECT gen_random_uuid(), e.id, 'deliver', (SELECT version FROM workflow_versions WHERE workflow = 'deliver' LIMIT 1),
            'running', now(), now(), 'a-process-that-died', ${leaseUntil}
       FROM e
     RETURNING id`,
  );
  return id;
}

describe('runs taken straight from ingress (a process that accepts and runs)', () => {
  const receiver = okReceiver();
  let hookflow: TestApp;
  const runsOf = (workflow: string) =>
    hookflow.query<RunRow>(`SELECT id, status, lease_owner, started_at = created_at AS started_in_its_insert FROM runs WHERE workflow = $1`, [workflow]);
  const deliveredOrders = () => receiver.received('/ok').map((request) => String((JSON.parse(request.body) as { order: unknown }).order));

  before(async () => {
    await receiver.start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'deliver.yaml': DELIVER_WORKFLOW, 'serial.yaml': SERIAL_WORKFLOW },
      env: { RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
  });
  after(async () => {
    await hookflow?.close();
    await receiver.stop();
  });

  it('start in the transaction that stored them, claimed by this process, and deliver', async () => {
    assert.equal((await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'order.paid', order: 1, delivery: 'd-1' }))).status, 202);
    await eventually(async () => deliveredOrders().includes('1'), 10_000, 'the delivery');
    const [run] = await eventually(
      async () => {
        const runs = await runsOf('deliver');
        return runs[0]?.status === 'succeeded' ? runs : undefined;
      },
      10_000,
      'the run to succeed',
    );
    // A queued run starts when a worker claims it, in a later transaction than its insert.
    assert.equal(run.started_in_its_insert, true);
    assert.equal(run.lease_owner, null, 'the claim is let go when the run ends');
    assert.equal(hookflow.app.get(DirectRuns).inProgress, 0);
  });

  it('leave a run with a concurrency key to the queue, which keeps it in line', async () => {
    assert.equal(
      (await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'order.shipped', order: 2, customer: 'c-1', delivery: 'd-2' }))).status,
      202,
    );
    const [run] = await eventually(
      async () => {
        const runs = await runsOf('serial');
        return runs[0]?.status === 'succeeded' ? runs : undefined;
      },
      10_000,
      'the keyed run to succeed',
    );
    assert.equal(run.started_in_its_insert, false, 'claimed by a worker after the insert');
  });

  it('hold no room for the runs of a repeated delivery, which start nothing', async () => {
    const repeat = JSON.stringify({ type: 'order.paid', order: 3, delivery: 'd-3' });
    const answers = await Promise.all([1, 2, 3, 4].map(() => post(`${hookflow.baseUrl}/hooks/shop`, repeat)));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 200, 200, 202]);
    await eventually(async () => deliveredOrders().includes('3'), 10_000, 'the delivery');
    await eventually(async () => hookflow.app.get(DirectRuns).inProgress === 0, 10_000, 'every reservation to be given back');
    assert.equal(deliveredOrders().filter((order) => order === '3').length, 1);
  });

  it('are put back on the queue once the claim of a process that died with them lapses', async () => {
    const runId = await insertHeldRun(hookflow, `now() - interval '1 second'`);
    // The heartbeat does this every few seconds; whichever comes first puts it back, once.
    await hookflow.app.get(RunStore).requeueLapsedRuns();
    await eventually(async () => deliveredOrders().includes('99'), 10_000, 'the orphaned run to be delivered');
    const [run] = await eventually(
      async () => {
        const rows = await hookflow.query<RunRow>(`SELECT status, lease_owner FROM runs WHERE id = $1`, [runId]);
        return rows[0]?.status === 'succeeded' ? rows : undefined;
      },
      10_000,
      'the orphaned run to succeed',
    );
    assert.equal(run.lease_owner, null);
    assert.equal(await hookflow.app.get(RunStore).requeueLapsedRuns(), 0, 'nothing left to put back');
    assert.equal(deliveredOrders().filter((order) => order === '99').length, 1);
  });

  it('leave alone a claim that is still alive, and a lapsed one that has a job behind it', async () => {
    const alive = await insertHeldRun(hookflow, `now() + interval '1 hour'`);
    const withJob = await insertHeldRun(hookflow, `now() - interval '1 second'`);
    await hookflow.query(
      `SELECT graphile_worker.add_job('run', json_build_object('run_id', $1::uuid), run_at => now() + interval '1 hour', job_key => 'run:' || $1)`,
      [withJob],
    );

    assert.equal(await hookflow.app.get(RunStore).requeueLapsedRuns(), 0);
    const rows = await hookflow.query<{ id: string; lease_owner: string | null; status: string }>(
      `SELECT id, lease_owner, status FROM runs WHERE id = ANY($1::uuid[])`,
      [[alive, withJob]],
    );
    assert.deepEqual(
      rows.map((row) => [row.lease_owner, row.status]),
      [
        ['a-process-that-died', 'running'],
        ['a-process-that-died', 'running'],
      ],
    );
    const [{ due_in_minutes }] = await hookflow.query<{ due_in_minutes: number }>(
      `SELECT round(extract(epoch FROM run_at - now()) / 60)::int AS due_in_minutes FROM graphile_worker.jobs WHERE key = 'run:' || $1`,
      [withJob],
    );
    assert.equal(due_in_minutes, 60, 'its job was not touched');
  });
});
