import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = 'sources:\n  quiet:\n    verify: { scheme: none }\n';

/** First version: two steps one after the other. */
const FIRST = `name: orders
on: { webhook: quiet, event: order }
steps:
  - id: label
    uses: set
    with: { label: one }
  - id: notify
    uses: set
    with: { sent: true }
`;

/** Second version: a third step that waits for the first two, and a comment. */
const SECOND = `# orders: now with a summary
name: orders
on: { webhook: quiet, event: order }
steps:
  - id: label
    uses: set
    with: { label: two }
  - id: notify
    uses: set
    needs: []
    with: { sent: true }
  - id: summary
    uses: set
    needs: [label, notify]
    with: { done: true }
`;

const GONE = `name: gone
on: { webhook: quiet, event: gone }
steps:
  - id: only
    uses: set
    with: { x: 1 }
`;

function revisionOf(text: string): string {
  return createHash('sha256').update(Buffer.from(text)).digest('hex').slice(0, 16);
}

describe('versions of a workflow through the API', () => {
  let hookflow: TestApp;
  const first = revisionOf(FIRST);
  const second = revisionOf(SECOND);
  let firstRun: string;

  async function send(type: string): Promise<string> {
    const answer = await post(`${hookflow.baseUrl}/hooks/quiet`, JSON.stringify({ type }));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const runs = await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE event_id = $1`, [answer.body.event_id]);
    assert.equal(runs.length, 1);
    return runs[0].id;
  }

  before(async () => {
    hookflow = await startTestApp({ files: { 'sources.yaml': SOURCES, 'orders.yaml': FIRST, 'gone.yaml': GONE } });
    firstRun = await send('order');
    const saved = await hookflow.api('PUT', '/api/workflows/orders', { yaml: SECOND, base_revision: first });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    await send('order');
    await send('order');
  });

  after(() => hookflow.close());

  it('lists every version that was in force, newest first, with its runs and which one is in force', async () => {
    const answer = await hookflow.api('GET', '/api/workflows/orders/versions');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const items = answer.body.items as { revision: string; first_seen: string; runs: number; in_force: boolean }[];
    assert.deepEqual(
      items.map(({ revision, runs, in_force }) => ({ revision, runs, in_force })),
      [
        { revision: second, runs: 2, in_force: true },
        { revision: first, runs: 1, in_force: false },
      ],
    );
    assert.ok(Date.parse(items[0].first_seen) >= Date.parse(items[1].first_seen), 'newest first');
    assert.match(items[0].first_seen, /^\d{4}-\d\d-\d\dT/);
  });

  it('gives each version its YAML and graph, the one in force the same graph as the workflow', async () => {
    const old = await hookflow.api('GET', `/api/workflows/orders/versions/${first}`);
    assert.equal(old.status, 200, JSON.stringify(old.body));
    assert.equal(old.body.name, 'orders');
    assert.equal(old.body.revision, first);
    assert.equal(old.body.file, 'orders.yaml');
    assert.equal(old.body.yaml, FIRST);
    assert.equal(old.body.in_force, false);
    assert.deepEqual(old.body.graph, {
      nodes: [
        { id: 'trigger', kind: 'trigger', label: 'quiet: order' },
        { id: 'label', kind: 'set', label: 'label' },
        { id: 'notify', kind: 'set', label: 'notify' },
      ],
      edges: [
        { from: 'trigger', to: 'label' },
        { from: 'label', to: 'notify' },
      ],
    });
    assert.deepEqual(
      old.body.steps.map((step: { id: string; needs: string[] }) => [step.id, step.needs]),
      [
        ['label', []],
        ['notify', ['label']],
      ],
    );
    assert.equal(old.body.trigger.webhook, 'quiet');

    const current = await hookflow.api('GET', `/api/workflows/orders/versions/${second}`);
    const workflow = await hookflow.api('GET', '/api/workflows/orders');
    assert.equal(current.body.yaml, SECOND);
    assert.equal(current.body.in_force, true);
    assert.deepEqual(current.body.graph, workflow.body.graph);
    assert.deepEqual(current.body.steps, workflow.body.steps);
  });

  it('records on each run the version it was made from, which the versions API answers', async () => {
    const run = await hookflow.api('GET', `/api/runs/${firstRun}`);
    assert.equal(run.body.workflow_version, first);
    const version = await hookflow.api('GET', `/api/workflows/orders/versions/${run.body.workflow_version}`);
    assert.equal(version.status, 200);
    assert.deepEqual(
      version.body.graph.nodes.map((node: { id: string }) => node.id),
      ['trigger', ...run.body.steps.map((step: { id: string }) => step.id)],
    );
  });

  it('moves "in force" back to an older version when the file returns to it, keeping when it was first seen', async () => {
    const before = (await hookflow.api('GET', '/api/workflows/orders/versions')).body.items;
    await hookflow.writeWorkflowFile('orders.yaml', FIRST);
    try {
      const after = (await hookflow.api('GET', '/api/workflows/orders/versions')).body.items;
      assert.deepEqual(
        after.map(({ revision, in_force }: { revision: string; in_force: boolean }) => [revision, in_force]),
        [
          [second, false],
          [first, true],
        ],
      );
      assert.equal(after[1].first_seen, before[1].first_seen);
    } finally {
      await hookflow.writeWorkflowFile('orders.yaml', SECOND);
    }
  });

  it('keeps the versions of a deleted workflow readable, none of them in force', async () => {
    const gone = revisionOf(GONE);
    await send('gone');
    const deleted = await hookflow.api('DELETE', `/api/workflows/gone?revision=${gone}`);
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    assert.equal((await hookflow.api('GET', '/api/workflows/gone')).status, 404);

    const list = await hookflow.api('GET', '/api/workflows/gone/versions');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.map(({ revision, runs, in_force }: { revision: string; runs: number; in_force: boolean }) => ({ revision, runs, in_force })),
      [{ revision: gone, runs: 1, in_force: false }],
    );
    const version = await hookflow.api('GET', `/api/workflows/gone/versions/${gone}`);
    assert.equal(version.status, 200);
    assert.equal(version.body.yaml, GONE);
    assert.equal(version.body.in_force, false);
    assert.equal(version.body.graph.nodes.length, 2);
  });

  it('answers 404 with a code of its own for a workflow that never was and for a revision it never had', async () => {
    const unknown = await hookflow.api('GET', '/api/workflows/never-was/versions');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'UNKNOWN_WORKFLOW');

    const unknownOne = await hookflow.api('GET', `/api/workflows/never-was/versions/${first}`);
    assert.equal(unknownOne.status, 404);
    assert.equal(unknownOne.body.error.code, 'UNKNOWN_WORKFLOW');

    const noSuchRevision = await hookflow.api('GET', `/api/workflows/orders/versions/${revisionOf('never written')}`);
    assert.equal(noSuchRevision.status, 404);
    assert.equal(noSuchRevision.body.error.code, 'UNKNOWN_WORKFLOW_VERSION');
    assert.match(noSuchRevision.body.error.message, /orders has no version/);

    // Another workflow's revision is not this one's.
    const otherWorkflows = await hookflow.api('GET', `/api/workflows/orders/versions/${revisionOf(GONE)}`);
    assert.equal(otherWorkflows.status, 404);
    assert.equal(otherWorkflows.body.error.code, 'UNKNOWN_WORKFLOW_VERSION');
  });

  it('refuses a revision that is not 16 hex digits before looking', async () => {
    for (const revision of ['abc', first.toUpperCase(), `${first}0`, 'zzzzzzzzzzzzzzzz']) {
      const answer = await hookflow.api('GET', `/api/workflows/orders/versions/${revision}`);
      assert.equal(answer.status, 400, revision);
      assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
      assert.match(answer.body.error.message, /revision must be a revision/);
    }
  });

  it('needs the admin token', async () => {
    const answer = await fetch(`${hookflow.baseUrl}/api/workflows/orders/versions`);
    assert.equal(answer.status, 401);
  });
});
