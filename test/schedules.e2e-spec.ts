import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextTick } from '../src/engine/schedule-clock';
import { FiredTick, SchedulerService } from '../src/engine/scheduler.service';
import { eventually } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const TRIGGER = { schedule: '0 9 * * *', timezone: 'Europe/Berlin' };

const MORNING_REPORT = `
name: morning-report
on: { schedule: "${TRIGGER.schedule}", timezone: ${TRIGGER.timezone} }
concurrency: { key: "{{event.body.workflow}}" }
steps:
  - id: stamp
    uses: set
    with:
      workflow: "{{workflow.name}}"
      source: "{{event.source}}"
      scheduled_for: "{{event.body.scheduled_for}}"
`;

interface ScheduledRunRow {
  id: string;
  status: string;
  concurrency_key: string | null;
  source: string;
  type: string;
  content_type: string;
  headers: unknown;
  dedupe_key: string | null;
  body: unknown;
}

/**
 * Two application instances on one database play two Hookflow processes. Ticks are forced
 * through `fireDue` at the time of the tick, as each process's timer would call it then.
 */
describe('schedules', () => {
  let first: TestApp;
  let second: TestApp;

  before(async () => {
    first = await startTestApp({ files: { 'morning-report.yaml': MORNING_REPORT } });
    second = await startTestApp({ files: { 'morning-report.yaml': MORNING_REPORT }, databaseUrl: first.databaseUrl });
  });

  after(async () => {
    await second?.stop();
    await first?.close();
  });

  /** Both processes fire the same tick at once; answers what each of them did. */
  async function fireInBoth(tick: Date): Promise<FiredTick[]> {
    const fired = await Promise.all([first, second].map((hookflow) => hookflow.app.get(SchedulerService).fireDue(tick)));
    return fired.flat();
  }

  async function finished(runId: string): Promise<any> {
    return eventually(
      async () => {
        const answer = await first.api('GET', `/api/runs/${runId}`);
        return ['succeeded', 'failed', 'cancelled'].includes(answer.body.status) ? answer.body : undefined;
      },
      10_000,
      `run ${runId} to finish`,
    );
  }

  function scheduledRuns(): Promise<ScheduledRunRow[]> {
    return first.query<ScheduledRunRow>(
      `SELECT r.id, r.status, r.concurrency_key, e.source, e.type, e.content_type, e.headers, e.dedupe_key,
              convert_from(e.body, 'UTF8')::jsonb AS body
         FROM runs r JOIN events e ON e.id = r.event_id
        WHERE r.workflow = 'morning-report' ORDER BY r.created_at, r.id`,
    );
  }

  it('starts exactly one run for a tick that two processes fire at once, and runs it', async () => {
    const tick = nextTick(TRIGGER, new Date())!;
    assert.match(tick.toISOString(), /T0[78]:00:00\.000Z$/, '09:00 in Berlin');

    const fired = await fireInBoth(tick);
    assert.equal(fired.length, 2, 'both processes saw the tick due');
    const started = fired.filter((outcome) => outcome.runId !== null);
    assert.equal(started.length, 1, 'one of them started its run, the other found the tick taken');

    const ticks = await first.query<{ tick_at: Date; run_id: string }>(`SELECT tick_at, run_id FROM schedule_ticks WHERE workflow = 'morning-report'`);
    assert.deepEqual(
      ticks.map((row) => [row.tick_at.toISOString(), row.run_id]),
      [[tick.toISOString(), started[0].runId]],
    );

    const runs = await scheduledRuns();
    assert.equal(runs.length, 1);
    assert.equal(runs[0].id, started[0].runId);
    assert.deepEqual(
      { source: runs[0].source, type: runs[0].type, contentType: runs[0].content_type, headers: runs[0].headers, dedupeKey: runs[0].dedupe_key },
      { source: 'schedule', type: 'schedule', contentType: 'application/json', headers: {}, dedupeKey: null },
    );
    assert.deepEqual(runs[0].body, { workflow: 'morning-report', scheduled_for: tick.toISOString() });
    assert.equal(runs[0].concurrency_key, 'morning-report', 'the concurrency key is rendered from the schedule event');

    const run = await finished(runs[0].id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.deepEqual(run.steps[0].output, { workflow: 'morning-report', source: 'schedule', scheduled_for: tick.toISOString() });
  });

  it('starts a second run for the next tick', async () => {
    const [{ tick_at: previous }] = await first.query<{ tick_at: Date }>(`SELECT max(tick_at) AS tick_at FROM schedule_ticks`);
    const tick = nextTick(TRIGGER, previous)!;
    assert.ok(tick.getTime() - previous.getTime() >= 23 * 3_600_000, 'a day later');

    const started = (await fireInBoth(tick)).filter((outcome) => outcome.runId !== null);
    assert.equal(started.length, 1);
    const runs = await scheduledRuns();
    assert.deepEqual(
      runs.map((row) => (row.body as { scheduled_for: string }).scheduled_for),
      [previous.toISOString(), tick.toISOString()],
    );
    assert.equal((await finished(started[0].runId!)).status, 'succeeded');
    assert.deepEqual(await fireInBoth(tick), [], 'a tick already taken is not handed out again');
  });
});
