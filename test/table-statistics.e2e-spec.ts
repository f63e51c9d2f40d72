import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statisticsAreStale, TableStatisticsService, WATCHED_TABLES } from '../src/database/table-statistics.service';
import { DELIVER_WORKFLOW } from './support/order-workflows';
import { eventually } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

describe('table statistics', () => {
  it('are stale only when a queue backlog has outgrown what the planner believes', () => {
    const jobs = WATCHED_TABLES.get('graphile_worker._private_jobs')!;
    assert.equal(statisticsAreStale(-1, 50, jobs), false, 'a short queue is fast with any plan');
    assert.equal(statisticsAreStale(-1, 500, jobs), true, 'never analyzed');
    assert.equal(statisticsAreStale(0, 500, jobs), true, 'analyzed while empty');
    assert.equal(statisticsAreStale(100, 500, jobs), true);
    assert.equal(statisticsAreStale(200, 500, jobs), false, 'within four times');
    assert.equal(statisticsAreStale(5_000, 500, jobs), false, 'a shrinking queue is planned well already');
  });

  it('are stale when an engine table has doubled since it was analyzed', () => {
    const runs = WATCHED_TABLES.get('runs')!;
    assert.equal(statisticsAreStale(-1, 900, runs), false, 'a small table is fast with any plan');
    assert.equal(statisticsAreStale(-1, 1_000, runs), true, 'never analyzed');
    assert.equal(statisticsAreStale(600, 1_500, runs), true);
    assert.equal(statisticsAreStale(1_000, 1_900, runs), false, 'within twice');
    assert.equal(statisticsAreStale(2_000_000, 1_000_000, runs), false, 'pruned: overestimates are planned well');
    for (const table of ['runs', 'step_runs', 'step_attempts', 'events']) assert.ok(WATCHED_TABLES.has(table), table);
  });

  describe('in a worker process', () => {
    let hookflow: TestApp;
    let statistics: TableStatisticsService;
    const planned = async (table: string) =>
      Number((await hookflow.query<{ n: number }>(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = $1::regclass`, [table]))[0].n);

    before(async () => {
      hookflow = await startTestApp({
        files: { 'sources.yaml': SOURCES, 'deliver.yaml': DELIVER_WORKFLOW },
        env: { HOOKFLOW_ROLE: 'worker', RECEIVER: 'http://127.0.0.1:9' },
      });
      statistics = hookflow.app.get(TableStatisticsService);
    });
    after(() => hookflow?.close());

    it('analyzes the jobs table once a backlog builds up on statistics taken while it was empty', async () => {
      await hookflow.query(`ANALYZE graphile_worker._private_jobs`);
      assert.equal(await planned('graphile_worker._private_jobs'), 0);

      // Due in an hour, so that the workers leave them queued.
      await hookflow.query(
        `SELECT graphile_worker.add_jobs(array_agg(ROW('run', json_build_object('run_id', gen_random_uuid()), NULL, now() + interval '1 hour',
                  NULL, NULL, NULL, NULL)::graphile_worker.job_spec)) FROM generate_series(1, 600)`,
      );
      await hookflow.query(`SELECT pg_stat_force_next_flush()`);
      // Its own timer may get there first.
      await eventually(
        async () => (await statistics.check()).includes('graphile_worker._private_jobs') || (await planned('graphile_worker._private_jobs')) === 600,
        15_000,
        'the stale statistics to be refreshed',
      );
      assert.equal(await planned('graphile_worker._private_jobs'), 600);
      assert.deepEqual(await statistics.check(), [], 'fresh statistics are left alone');
    });

    it('analyzes runs and events once they outgrow statistics taken while they were nearly empty', async () => {
      await hookflow.query(`ANALYZE runs, events`);
      const before = { runs: await planned('runs'), events: await planned('events') };
      assert.ok(before.runs < 100 && before.events < 100, JSON.stringify(before));

      // Finished runs of stored events, as a busy hour leaves them: no job, nothing for the workers.
      await hookflow.query(
        `WITH e AS (
           INSERT INTO events (id, source, type, received_at, headers, body, body_format)
           SELECT gen_random_uuid(), 'shop', 'order.paid', now(), '{}', '\\x7b7d', 'json' FROM generate_series(1, 2500)
           RETURNING id)
         INSERT INTO runs (id, event_id, workflow, workflow_version, status, created_at, finished_at)
         SELECT gen_random_uuid(), id, 'deliver', 'v1', 'succeeded', now(), now() FROM e`,
      );
      await hookflow.query(`SELECT pg_stat_force_next_flush()`);
      await eventually(
        async () => {
          await statistics.check();
          return (await planned('runs')) >= 2_500 && (await planned('events')) >= 2_500;
        },
        15_000,
        'the statistics of runs and events to be refreshed',
      );
      assert.deepEqual(await statistics.check(), [], 'fresh statistics are left alone');
    });
  });
});
