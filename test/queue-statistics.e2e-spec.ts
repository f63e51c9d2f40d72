import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueueStatisticsService, queueStatisticsAreStale } from '../src/queue/queue-statistics.service';
import { DELIVER_WORKFLOW } from './support/order-workflows';
import { eventually } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

describe('queue statistics', () => {
  it('are stale only when a real backlog has outgrown what the planner believes', () => {
    assert.equal(queueStatisticsAreStale(-1, 50), false, 'a short queue is fast with any plan');
    assert.equal(queueStatisticsAreStale(-1, 500), true, 'never analyzed');
    assert.equal(queueStatisticsAreStale(0, 500), true, 'analyzed while empty');
    assert.equal(queueStatisticsAreStale(100, 500), true);
    assert.equal(queueStatisticsAreStale(200, 500), false, 'within four times');
    assert.equal(queueStatisticsAreStale(5_000, 500), false, 'a shrinking queue is planned well already');
  });

  describe('in a worker process', () => {
    let hookflow: TestApp;

    before(async () => {
      hookflow = await startTestApp({
        files: { 'sources.yaml': SOURCES, 'deliver.yaml': DELIVER_WORKFLOW },
        env: { HOOKFLOW_ROLE: 'worker', RECEIVER: 'http://127.0.0.1:9' },
      });
    });
    after(() => hookflow?.close());

    it('analyzes the jobs table once a backlog builds up on statistics taken while it was empty', async () => {
      const statistics = hookflow.app.get(QueueStatisticsService);
      await hookflow.query(`ANALYZE graphile_worker._private_jobs`);
      const planned = async () =>
        Number((await hookflow.query<{ n: number }>(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'graphile_worker._private_jobs'::regclass`))[0].n);
      assert.equal(await planned(), 0);

      // Due in an hour, so that the workers leave them queued.
      await hookflow.query(
        `SELECT graphile_worker.add_jobs(array_agg(ROW('run', json_build_object('run_id', gen_random_uuid()), NULL, now() + interval '1 hour',
                  NULL, NULL, NULL, NULL)::graphile_worker.job_spec)) FROM generate_series(1, 600)`,
      );
      await hookflow.query(`SELECT pg_stat_force_next_flush()`);
      // Its own timer may get there first.
      await eventually(async () => (await statistics.check()) || (await planned()) === 600, 15_000, 'the stale statistics to be refreshed');
      assert.equal(await planned(), 600);
      assert.equal(await statistics.check(), false, 'fresh statistics are left alone');
    });
  });
});
