import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
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
    hookflow = await startTestApp({ files: { 'sources.yaml': SOURCES, 'deliver.yaml': DELIVER_WORKFLOW }, env: { HOOKFLOW_ROLE: 'ingress', RECEIVER: 'http://127.0.0.1:9' } });
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
      await other.query(`UPDATE runs SET status = 'running', lease_owner = 'other-process', lease_until = clock_timestamp() - interval '150 ms' WHERE id = $1`, [runId]);
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
});
