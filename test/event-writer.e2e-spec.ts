import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import { syntheticEvent } from '../src/events/inbound-event';
import { EventWriter, PendingEvent } from '../src/events/event-writer';
import { WorkflowRegistry } from '../src/workflows/workflow-registry';
import { DELIVER_WORKFLOW } from './support/order-workflows';
import { withClient } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

describe(EventWriter.name, () => {
  let hookflow: TestApp;
  let writer: EventWriter;
  let version: string;

  before(async () => {
    // Ingress only: runs stay queued, and none is handed to an engine in this process.
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'deliver.yaml': DELIVER_WORKFLOW },
      env: { HOOKFLOW_ROLE: 'ingress', RECEIVER: 'http://127.0.0.1:9' },
    });
    writer = hookflow.app.get(EventWriter);
    version = hookflow.app.get(WorkflowRegistry).getWorkflow('deliver')!.version;
  });
  after(() => hookflow?.close());

  /** An event with one run of `deliver`, as ingress hands it to the writer. */
  function pendingEvent(extra: Partial<PendingEvent> = {}): PendingEvent {
    return {
      event: syntheticEvent({ source: 'shop', type: 'order.paid', body: { type: 'order.paid' } }),
      dedupeKey: null,
      matchNotes: [],
      runs: [{ id: uuidv7(), workflow: 'deliver', workflowVersion: version, concurrencyKey: null, timeoutMs: null }],
      ...extra,
    };
  }

  /** The stored events among `ids`, each with its transaction and the transactions of its runs. */
  async function stored(ids: string[]): Promise<{ id: string; xmin: string; runs: string[] }[]> {
    return hookflow.query(
      `SELECT e.id, e.xmin::text AS xmin, coalesce(array_agg(r.xmin::text) FILTER (WHERE r.id IS NOT NULL), '{}') AS runs
         FROM events e LEFT JOIN runs r ON r.event_id = e.id
        WHERE e.id = ANY($1::uuid[]) GROUP BY e.id, e.xmin ORDER BY e.id`,
      [ids],
    );
  }

  it('writes events handed in together, with their runs, in one transaction, and answers each caller its own event', async () => {
    const events = Array.from({ length: 40 }, () => pendingEvent());

    const outcomes = await Promise.all(events.map((event) => writer.write(event)));

    assert.deepEqual(
      outcomes,
      events.map((event) => ({ eventId: event.event.id, runs: 1, duplicate: false })),
    );
    const rows = await stored(events.map((event) => event.event.id));
    assert.equal(rows.length, 40);
    assert.equal(new Set(rows.flatMap((row) => [row.xmin, ...row.runs])).size, 1, 'events and runs share one transaction');
  });

  it('stores one event for a dedupe key repeated within one batch, and answers the repeat with its id, starting nothing', async () => {
    const [first, repeat, other] = [pendingEvent({ dedupeKey: 'in-batch' }), pendingEvent({ dedupeKey: 'in-batch' }), pendingEvent()];

    const outcomes = await Promise.all([first, repeat, other].map((event) => writer.write(event)));

    const original = outcomes.find((outcome) => !outcome.duplicate);
    assert.ok(original, 'one of the two is stored');
    assert.deepEqual(
      outcomes
        .slice(0, 2)
        .map((outcome) => [outcome.eventId, outcome.duplicate ? 'duplicate' : 'new', outcome.runs])
        .sort(),
      [
        [original.eventId, 'duplicate', 0],
        [original.eventId, 'new', 1],
      ].sort(),
    );
    assert.deepEqual(outcomes[2], { eventId: other.event.id, runs: 1, duplicate: false });
    const rows = await stored([first.event.id, repeat.event.id, other.event.id]);
    assert.deepEqual(
      rows.map((row) => [row.id, row.runs.length]).sort(),
      [
        [original.eventId, 1],
        [other.event.id, 1],
      ].sort(),
    );
  });

  it('answers a dedupe key stored by an earlier batch with the stored event, writing nothing', async () => {
    const first = pendingEvent({ dedupeKey: 'across-batches' });
    assert.equal((await writer.write(first)).duplicate, false);
    const repeat = pendingEvent({ dedupeKey: 'across-batches' });

    assert.deepEqual(await writer.write(repeat), { eventId: first.event.id, runs: 0, duplicate: true });

    assert.deepEqual(await stored([repeat.event.id]), []);
    const [{ runs }] = await hookflow.query<{ runs: string }>(`SELECT count(*) AS runs FROM runs WHERE id = $1`, [repeat.runs[0].id]);
    assert.equal(runs, '0');
  });

  it('writes nothing of a batch the database refuses, and fails each of its callers', async () => {
    const good = pendingEvent();
    // Two events whose runs share an id: the runs' insert fails after the events' insert succeeded.
    const clashing = pendingEvent();
    const clash = pendingEvent({ runs: [{ ...clashing.runs[0] }] });

    const outcomes = await Promise.allSettled([good, clashing, clash].map((event) => writer.write(event)));

    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.equal((outcome.reason as { code?: string }).code, 'STORAGE_UNAVAILABLE');
    }
    assert.deepEqual(await stored([good.event.id, clashing.event.id, clash.event.id]), []);
    const next = pendingEvent();
    assert.deepEqual(await writer.write(next), { eventId: next.event.id, runs: 1, duplicate: false }, 'the next batch is written');
  });

  it('fails only the batch whose connection is lost, writes the batch waiting behind it, and keeps writing afterwards', async () => {
    await withClient(hookflow.databaseUrl, async (blocker) => {
      // Holds the statement of the first batch on a lock, so that the next batch forms behind it.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE');
      const lost = [pendingEvent(), pendingEvent()];
      const lostOutcomes = Promise.allSettled(lost.map((event) => writer.write(event)));
      const pid = await waitingStatement(blocker);
      const behind = [pendingEvent(), pendingEvent()];
      const behindOutcomes = Promise.all(behind.map((event) => writer.write(event)));

      await blocker.query('SELECT pg_terminate_backend($1)', [pid]);
      await blocker.query('COMMIT');

      for (const outcome of await lostOutcomes) {
        assert.equal(outcome.status, 'rejected');
        assert.equal((outcome.reason as { code?: string }).code, 'STORAGE_UNAVAILABLE');
      }
      assert.deepEqual(
        await behindOutcomes,
        behind.map((event) => ({ eventId: event.event.id, runs: 1, duplicate: false })),
      );
      assert.deepEqual(await stored(lost.map((event) => event.event.id)), []);
      assert.equal((await stored(behind.map((event) => event.event.id))).length, 2);
    });
    const next = pendingEvent();
    assert.deepEqual(await writer.write(next), { eventId: next.event.id, runs: 1, duplicate: false });
  });
});

/** The server process of the statement waiting for the lock `blocker` holds. */
async function waitingStatement(blocker: { query(sql: string): Promise<{ rows: { pid: number }[] }> }): Promise<number> {
  for (let tries = 0; tries < 500; tries++) {
    const { rows } = await blocker.query(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
    );
    if (rows.length === 1) return rows[0].pid;
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error('the batch never started waiting for the lock');
}
