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
});
