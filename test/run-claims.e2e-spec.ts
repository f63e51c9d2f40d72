import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import { RunCommands } from '../src/engine/run-commands';
import { RunStore } from '../src/engine/run-store';
import { post } from './support/http';
import { DELIVER_WORKFLOW } from './support/order-workflows';
import { withClient } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

describe('claiming a run', () => {
  let hookflow: TestApp;
  let runId: string;

  before(async () => {
    // Ingress only: the run stays queued, for this test to claim.
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'deliver.yaml': DELIVER_WORKFLOW },
      env: { HOOKFLOW_ROLE: 'ingress', RECEIVER: 'http://127.0.0.1:9' },
    });
    assert.equal((await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'order.paid', order: 7 }))).status, 202);
    [{ id: runId }] = await hookflow.query<{ id: string }>(`SELECT id FROM runs`);
  });
  after(() => hookflow?.close());

  it('asks to be tried again, not abandoned, when a lease lapses between the claim and the question why it failed', async () => {
    const store = hookflow.app.get(RunStore);
    await withClient(hookflow.databaseUrl, async (other) => {
      // Another process holds the row while the claim starts, then leaves a lease that is
      // still valid at the claim's start but lapsed a moment later.
      await other.query('BEGIN');
      await other.query(`SELECT 1 FROM runs WHERE id = $1 FOR UPDATE`, [runId]);
      const claim = store.claim(runId, 'this-process');
      await new Promise((done) => setTimeout(done, 300));
      await other.query(
        `UPDATE runs SET status = 'running', lease_owner = 'other-process', lease_until = clock_timestamp() - interval '150 ms' WHERE id = $1`,
        [runId],
      );
      await other.query('COMMIT');
      assert.equal(await claim, 'contended');
    });
    const claimed = await store.claim(runId, 'this-process');
    assert.equal(typeof claimed === 'object' && claimed.id, runId, 'claimed on the next try');
  });

  it('records one step beginning and another ending in one transaction, and answers each', async () => {
    const store = hookflow.app.get(RunStore);
    assert.equal((await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'order.paid', order: 8 }))).status, 202);
    const [{ id: otherRunId }] = await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE id <> $1`, [runId]);
    assert.equal(typeof (await store.claim(otherRunId, 'this-process')), 'object');
    assert.equal(await store.startStep(otherRunId, 'notify', { order: 8 }), 1);

    // Handed in together, they are written by one statement.
    const [attempt, runStatus] = await Promise.all([
      store.startStep(runId, 'notify', { order: 7 }),
      store.finishStep(otherRunId, 'notify', { status: 'succeeded', output: { ok: true }, attempts: 1 }, undefined, { outcome: 'succeeded', error: null }),
    ]);
    assert.equal(attempt, 1);
    assert.equal(runStatus, 'succeeded');
    const steps = await hookflow.query<{ run_id: string; status: string; attempts: number; xmin: string }>(
      `SELECT run_id, status, attempts, xmin::text FROM step_runs WHERE run_id = ANY($1::uuid[])`,
      [[runId, otherRunId]],
    );
    const byRun = new Map(steps.map((step) => [step.run_id, step]));
    assert.deepEqual([byRun.get(runId)?.status, byRun.get(runId)?.attempts], ['running', 1]);
    assert.deepEqual([byRun.get(otherRunId)?.status, byRun.get(otherRunId)?.attempts], ['succeeded', 1]);
    assert.equal(byRun.get(runId)?.xmin, byRun.get(otherRunId)?.xmin, 'one transaction');
    const [{ status }] = await hookflow.query<{ status: string }>(`SELECT status FROM runs WHERE id = $1`, [otherRunId]);
    assert.equal(status, 'succeeded');
  });

  it('creates the failure run in the transaction that records the failure, once, and none for a failure run that fails', async () => {
    const store = hookflow.app.get(RunStore);
    assert.equal((await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'order.paid', order: 9 }))).status, 202);
    const [failing] = await hookflow.query<{ id: string; workflow_version: string; event_id: string }>(
      `SELECT id, workflow_version, event_id FROM runs WHERE status = 'queued' ORDER BY created_at DESC LIMIT 1`,
    );
    assert.equal(typeof (await store.claim(failing.id, 'this-process')), 'object');
    const handoff = (failedRunId: string) => ({
      runId: randomUUID(),
      workflow: 'deliver',
      workflowVersion: failing.workflow_version,
      failure: { run_id: failedRunId, workflow: 'deliver', step: 'notify', error: 'HTTP 503', attempts: 3 },
    });
    const failed = { status: 'failed' as const, error: 'HTTP 503', attempts: 3 };
    const first = handoff(failing.id);
    assert.equal(
      await store.finishStep(failing.id, 'notify', failed, undefined, { outcome: 'failed', error: 'notify: HTTP 503', failureHandoff: first }),
      'failed',
    );

    const rows = await hookflow.query<{
      id: string;
      status: string;
      kind: string;
      failed_run_id: string | null;
      failure: unknown;
      event_id: string;
      xmin: string;
    }>(`SELECT id, status, kind, failed_run_id, failure, event_id, xmin::text FROM runs WHERE id = $1 OR failed_run_id = $1 ORDER BY kind DESC`, [failing.id]);
    assert.deepEqual(
      rows.map(({ xmin: _, ...row }) => row),
      [
        { id: failing.id, status: 'failed', kind: 'steps', failed_run_id: null, failure: null, event_id: failing.event_id },
        { id: first.runId, status: 'queued', kind: 'on_failure', failed_run_id: failing.id, failure: first.failure, event_id: failing.event_id },
      ],
    );
    assert.equal(rows[0].xmin, rows[1].xmin, 'one transaction');

    // The run is final: a repeated end (a write retried after a lost answer) hands off nothing more.
    await store.finishRun(failing.id, { outcome: 'failed', error: 'again', failureHandoff: handoff(failing.id) });
    assert.equal((await hookflow.query(`SELECT 1 FROM runs WHERE failed_run_id = $1`, [failing.id])).length, 1);

    // A failure run that fails hands off nothing, whatever it is handed.
    assert.equal(typeof (await store.claim(first.runId, 'this-process')), 'object');
    await store.finishRun(first.runId, { outcome: 'failed', error: 'tell: HTTP 500', failureHandoff: handoff(first.runId) });
    const handled = await hookflow.query<{ status: string }>(`SELECT status FROM runs WHERE id = $1`, [first.runId]);
    assert.equal(handled[0].status, 'failed');
    assert.equal((await hookflow.query(`SELECT 1 FROM runs WHERE failed_run_id = $1`, [first.runId])).length, 0);
  });
});

describe('leases and step writes', () => {
  let hookflow: TestApp;
  let store: RunStore;
  /** The RunStore of a second process on the same database. */
  let otherProcess: RunStore;
  let orders = 0;

  before(async () => {
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'deliver.yaml': DELIVER_WORKFLOW },
      env: { HOOKFLOW_ROLE: 'ingress', RECEIVER: 'http://127.0.0.1:9' },
    });
    store = hookflow.app.get(RunStore);
    otherProcess = new RunStore(hookflow.app.get(DataSource));
  });
  after(() => hookflow?.close());

  /** A new queued run. */
  async function newRun(): Promise<string> {
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'order.paid', order: ++orders }));
    assert.equal(answer.status, 202);
    const [{ id }] = await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE event_id = $1`, [(answer.body as { event_id: string }).event_id]);
    return id;
  }

  async function lease(runId: string): Promise<{ owner: string | null; live: boolean }> {
    const [row] = await hookflow.query<{ owner: string | null; live: boolean }>(
      `SELECT lease_owner AS owner, coalesce(lease_until > now(), false) AS live FROM runs WHERE id = $1`,
      [runId],
    );
    return row;
  }

  /** What a process that stalls for longer than its lease leaves behind. */
  const lapse = (runId: string) => hookflow.query(`UPDATE runs SET lease_until = now() - interval '1 second' WHERE id = $1`, [runId]);

  it('lets only one of two processes claiming a run at once have it; the other is told it is held', async () => {
    const runIds = await Promise.all(Array.from({ length: 8 }, () => newRun()));

    const claims = await Promise.all(runIds.map((id) => Promise.all([store.claim(id, 'process-a'), otherProcess.claim(id, 'process-b')])));

    for (const [index, [a, b]] of claims.entries()) {
      const winner = typeof a === 'object' ? 'process-a' : 'process-b';
      assert.equal([a, b].filter((claim) => typeof claim === 'object').length, 1, `one claim of run ${index} wins`);
      assert.equal(winner === 'process-a' ? b : a, 'held-by-another-process');
      assert.deepEqual(await lease(runIds[index]), { owner: winner, live: true });
    }
  });

  it('gives a run to one owner only when claims of two owners share a batch', async () => {
    const runId = await newRun();

    const [a, b] = await Promise.all([store.claim(runId, 'process-a'), store.claim(runId, 'process-b')]);

    const { owner } = await lease(runId);
    assert.deepEqual([typeof a, typeof b], owner === 'process-a' ? ['object', 'string'] : ['string', 'object']);
    assert.equal(owner === 'process-a' ? b : a, 'held-by-another-process');
  });

  it('hands a lapsed lease to the next claimant, after which the old owner can neither renew, suspend nor release the run', async () => {
    const runId = await newRun();
    assert.equal(typeof (await store.claim(runId, 'process-a')), 'object');
    assert.equal(await otherProcess.claim(runId, 'process-b'), 'held-by-another-process');
    await lapse(runId);
    assert.equal(typeof (await otherProcess.claim(runId, 'process-b')), 'object');

    assert.deepEqual(await store.renewLeases('process-a', [runId]), []);
    await store.suspend(runId, 'process-a', new Date(Date.now() + 3_600_000));
    await store.release(runId, 'process-a');

    assert.deepEqual(await lease(runId), { owner: 'process-b', live: true });
    assert.equal(await store.claim(runId, 'process-a'), 'held-by-another-process');
    assert.deepEqual(await otherProcess.renewLeases('process-b', [runId]), [runId]);
  });

  it('renews a lapsed lease that no other process took', async () => {
    const runId = await newRun();
    assert.equal(typeof (await store.claim(runId, 'process-a')), 'object');
    await lapse(runId);

    assert.deepEqual(await store.renewLeases('process-a', [runId]), [runId]);
    assert.deepEqual(await lease(runId), { owner: 'process-a', live: true });
  });

  it("answers each step end of a batch with its own run's status, so that a cancel is seen, and never revives a cancelled run", async () => {
    const [ending, continuing, cancelled] = await Promise.all([newRun(), newRun(), newRun()]);
    for (const runId of [ending, continuing, cancelled]) {
      assert.equal(typeof (await store.claim(runId, 'process-a')), 'object');
      assert.equal(await store.startStep(runId, 'notify', {}), 1);
    }
    await hookflow.app.get(RunCommands).cancelRun(cancelled);

    const succeeded = { status: 'succeeded' as const, output: { ok: true }, attempts: 1 };
    const runEnd = { outcome: 'succeeded' as const, error: null };
    const answers = await Promise.all([
      store.finishStep(ending, 'notify', succeeded, undefined, runEnd),
      store.finishStep(continuing, 'notify', { status: 'running', error: 'HTTP 503', nextAttemptAt: new Date(Date.now() + 60_000), attempts: 1 }),
      store.finishStep(cancelled, 'notify', succeeded, undefined, runEnd),
    ]);

    assert.deepEqual(answers, ['succeeded', 'running', 'cancelled']);
    const runs = await hookflow.query<{ id: string; status: string }>(`SELECT id, status FROM runs WHERE id = ANY($1::uuid[])`, [
      [ending, continuing, cancelled],
    ]);
    assert.deepEqual(
      new Map(runs.map((run) => [run.id, run.status])),
      new Map([
        [ending, 'succeeded'],
        [continuing, 'running'],
        [cancelled, 'cancelled'],
      ]),
    );
    const steps = await hookflow.query<{ xmin: string }>(`SELECT DISTINCT xmin::text FROM step_runs WHERE run_id = ANY($1::uuid[])`, [
      [ending, continuing, cancelled],
    ]);
    assert.equal(steps.length, 1, 'one transaction');
  });

  it('refuses to claim a finished run or one that does not exist', async () => {
    const runId = await newRun();
    assert.equal(typeof (await store.claim(runId, 'process-a')), 'object');
    await store.finishRun(runId, { outcome: 'succeeded', error: null });

    assert.equal(await store.claim(runId, 'process-a'), 'final');
    assert.equal(await store.claim('00000000-0000-4000-8000-000000000000', 'process-a'), 'missing');
  });
});
