import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { RetentionPruner } from '../src/retention/retention-pruner';
import { RetentionService } from '../src/retention/retention.service';
import { spawnHookflow } from './support/hookflow-process';
import { post } from './support/http';
import { scrape } from './support/metrics';
import { DELIVER_WORKFLOW, okReceiver } from './support/order-workflows';
import { eventually, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const DAY_MS = 86_400_000;

const SOURCES = `
sources:
  shop:
    verify: { scheme: api-key, secret: "{{secrets.SHOP_KEY}}" }
`;

const WAIT = `
name: wait
on: { webhook: shop, event: order.wait }
steps:
  - id: pause
    uses: delay
    with: { for: 1h }
`;

const FILES = { 'sources.yaml': SOURCES, 'deliver.yaml': DELIVER_WORKFLOW, 'wait.yaml': WAIT };
const SHOP_KEY = 'retention-test-shop-key';

async function send(hookflow: TestApp, body: object, key = SHOP_KEY): Promise<string> {
  const answer = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify(body), { 'x-api-key': key });
  if (key === SHOP_KEY) assert.equal(answer.status, 202, JSON.stringify(answer.body));
  return answer.body.event_id;
}

/** Sends an `order.paid` event and waits until its run succeeded; answers the event and run ids. */
async function deliveredRun(hookflow: TestApp, order: number): Promise<{ eventId: string; runId: string }> {
  const eventId = await send(hookflow, { type: 'order.paid', order });
  const [run] = await eventually(
    async () => {
      const rows = await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE event_id = $1 AND status = 'succeeded'`, [eventId]);
      return rows.length > 0 && rows;
    },
    10_000,
    `run of order ${order} succeeded`,
  );
  return { eventId, runId: run.id };
}

/** Moves an event, and optionally its runs, `days` into the past. */
async function backdate(hookflow: TestApp, eventId: string, days: number, runsToo = true): Promise<void> {
  await hookflow.query(`UPDATE events SET received_at = received_at - make_interval(days => $2) WHERE id = $1`, [eventId, days]);
  if (runsToo) await hookflow.query(`UPDATE runs SET created_at = created_at - make_interval(days => $2) WHERE event_id = $1`, [eventId, days]);
}

async function countWhere(hookflow: TestApp, table: string, column: string, ids: string[]): Promise<number> {
  const [{ n }] = await hookflow.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${column}::text = ANY($1)`, [ids]);
  return n;
}

function startReceiver(): Promise<Receiver> {
  return okReceiver().start();
}

describe(RetentionPruner.name, () => {
  let receiver: Receiver;
  let hookflow: TestApp;
  const cutoff = () => new Date(Date.now() - 30 * DAY_MS);
  const pruner = (batchSize: number) => new RetentionPruner((sql, parameters) => hookflow.query(sql, parameters), { batchSize, pauseMs: 0 });

  before(async () => {
    receiver = await startReceiver();
    // Retention off: no timer of the app's own prunes while these tests drive the pruner.
    hookflow = await startTestApp({
      files: FILES,
      env: { SHOP_KEY, RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1', HOOKFLOW_RETENTION: 'off' },
    });
  });
  after(async () => {
    await hookflow?.close();
    await receiver?.stop();
  });

  it('removes old final runs with their history and old events in batches, and keeps recent rows and open runs', async () => {
    const old = [await deliveredRun(hookflow, 1), await deliveredRun(hookflow, 2), await deliveredRun(hookflow, 3)];
    const recent = await deliveredRun(hookflow, 4);
    const replayedRecently = await deliveredRun(hookflow, 5);
    const unmatched = await send(hookflow, { type: 'nobody.listens' });
    const open = await send(hookflow, { type: 'order.wait' });
    await eventually(
      async () =>
        (await hookflow.query(`SELECT 1 FROM step_runs s JOIN runs r ON r.id = s.run_id WHERE r.event_id = $1 AND s.status = 'running'`, [open])).length > 0,
      10_000,
      'the delay began',
    );
    await send(hookflow, { type: 'order.paid' }, 'wrong-key');
    await eventually(async () => (await hookflow.query(`SELECT 1 FROM signature_failures`)).length === 1, 5_000, 'the refusal was recorded');

    for (const { eventId } of old) await backdate(hookflow, eventId, 40);
    await backdate(hookflow, replayedRecently.eventId, 40, false);
    await backdate(hookflow, unmatched, 40);
    await backdate(hookflow, open, 40);
    await hookflow.query(`UPDATE signature_failures SET received_at = received_at - interval '40 days'`);
    await hookflow.query(`INSERT INTO schedule_ticks (workflow, tick_at) VALUES ('tick', now() - interval '40 days'), ('tick', now() - interval '1 day')`);
    // Jobs that used up their attempts: graphile-worker leaves them behind.
    await hookflow.query(
      `SELECT graphile_worker.add_job('run', json_build_object('run_id', gen_random_uuid()), run_at => now() + interval '1 day', max_attempts => 1)
         FROM generate_series(1, 2)`,
    );
    await hookflow.query(`UPDATE graphile_worker._private_jobs SET attempts = 1 WHERE max_attempts = 1`);
    await hookflow.query(
      `UPDATE graphile_worker._private_jobs SET updated_at = now() - interval '40 days' WHERE id = (SELECT min(id) FROM graphile_worker._private_jobs WHERE attempts >= max_attempts)`,
    );

    const report = await pruner(2).prune(cutoff());

    assert.deepEqual(
      { ...report },
      { runs: 3, step_runs: 3, step_attempts: 3, events: 4, signature_failures: 1, schedule_ticks: 1, queue_jobs: 1, batches: 2 + 3 + 1 + 1 + 1 },
    );
    const oldEvents = old.map((run) => run.eventId);
    const oldRuns = old.map((run) => run.runId);
    assert.equal(await countWhere(hookflow, 'events', 'id', [...oldEvents, unmatched]), 0);
    assert.equal(await countWhere(hookflow, 'runs', 'id', oldRuns), 0);
    assert.equal(await countWhere(hookflow, 'step_runs', 'run_id', oldRuns), 0);
    assert.equal(await countWhere(hookflow, 'step_attempts', 'run_id', oldRuns), 0);

    assert.equal(await countWhere(hookflow, 'events', 'id', [recent.eventId, replayedRecently.eventId, open]), 3, 'recent, recently run and open events stay');
    assert.equal(await countWhere(hookflow, 'runs', 'id', [recent.runId, replayedRecently.runId]), 2);
    assert.equal(await countWhere(hookflow, 'step_attempts', 'run_id', [recent.runId]), 1);
    assert.deepEqual(
      await hookflow.query(`SELECT status FROM runs WHERE event_id = $1`, [open]),
      [{ status: 'running' }],
      'an open run is never removed, however old',
    );
    assert.equal((await hookflow.query(`SELECT 1 FROM schedule_ticks`)).length, 1);
    assert.equal((await hookflow.query(`SELECT 1 FROM graphile_worker._private_jobs WHERE attempts >= max_attempts`)).length, 1);

    assert.deepEqual(
      { ...(await pruner(2).prune(cutoff())), batches: 0 },
      { runs: 0, step_runs: 0, step_attempts: 0, events: 0, signature_failures: 0, schedule_ticks: 0, queue_jobs: 0, batches: 0 },
    );
  });

  it('skips rows another transaction holds instead of waiting for them', async () => {
    const held = await deliveredRun(hookflow, 6);
    await backdate(hookflow, held.eventId, 40);
    const client = new Client({ connectionString: hookflow.databaseUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT 1 FROM runs WHERE id = $1 FOR UPDATE`, [held.runId]);
      const started = Date.now();
      const report = await pruner(1000).prune(cutoff());
      assert.ok(Date.now() - started < 5_000, 'the pass did not wait for the lock');
      assert.equal(report.runs, 0);
      assert.equal(report.events, 0, 'the event of a run still there stays');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    const report = await pruner(1000).prune(cutoff());
    assert.equal(report.runs, 1);
    assert.equal(report.events, 1);
  });
});

describe(RetentionService.name, () => {
  let receiver: Receiver;

  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver?.stop());

  it('prunes in worker processes and counts what it removed in /metrics', async () => {
    const hookflow = await startTestApp({
      files: FILES,
      env: { SHOP_KEY, RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1', HOOKFLOW_RETENTION: '7d' },
    });
    try {
      const service = hookflow.app.get(RetentionService);
      assert.equal(service.enabled, true);
      const kept = await deliveredRun(hookflow, 1);
      const pruned = [await deliveredRun(hookflow, 2), await deliveredRun(hookflow, 3)];
      await backdate(hookflow, kept.eventId, 6);
      for (const { eventId } of pruned) await backdate(hookflow, eventId, 8);

      await service.runPass();

      assert.equal(
        await countWhere(
          hookflow,
          'runs',
          'id',
          pruned.map((run) => run.runId),
        ),
        0,
      );
      assert.equal(await countWhere(hookflow, 'runs', 'id', [kept.runId]), 1, 'six days old is within 7d');
      // The timer's own first pass may have done part of the work: the counter adds up either way.
      const metrics = await scrape(hookflow.baseUrl);
      assert.equal(metrics.value('hookflow_retention_deleted_total', { table: 'runs' }), 2);
      assert.equal(metrics.value('hookflow_retention_deleted_total', { table: 'events' }), 2);
      assert.equal(metrics.value('hookflow_retention_deleted_total', { table: 'step_attempts' }), 2);
    } finally {
      await hookflow.close();
    }
  });

  it('keeps everything when HOOKFLOW_RETENTION is off', async () => {
    const hookflow = await startTestApp({
      files: FILES,
      env: { SHOP_KEY, RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1', HOOKFLOW_RETENTION: 'off' },
    });
    try {
      const run = await deliveredRun(hookflow, 1);
      await backdate(hookflow, run.eventId, 3650);
      const service = hookflow.app.get(RetentionService);
      assert.equal(service.enabled, false);
      assert.equal((await service.runPass()).runs, 0);
      assert.equal(await countWhere(hookflow, 'runs', 'id', [run.runId]), 1);
    } finally {
      await hookflow.close();
    }
  });

  it('is not mounted in processes without the worker role', async () => {
    const hookflow = await startTestApp({ files: FILES, env: { SHOP_KEY, HOOKFLOW_ROLE: 'ingress' } });
    try {
      assert.throws(() => hookflow.app.get(RetentionService));
    } finally {
      await hookflow.close();
    }
  });
});

describe('HOOKFLOW_RETENTION', () => {
  it('stops the start with one line naming the setting when the value is not a duration', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'hookflow-retention-'));
    try {
      const hookflow = await spawnHookflow(workDir, { HOOKFLOW_RETENTION: '30 days', HOOKFLOW_DATA_DIR: join(workDir, 'data') });
      assert.equal(await hookflow.exited, 1);
      assert.equal(
        hookflow.output(),
        'Invalid setting HOOKFLOW_RETENTION: must be a duration such as 30d or 12h, or 0 or off to keep everything (got "30 days")\n',
      );
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });
});
