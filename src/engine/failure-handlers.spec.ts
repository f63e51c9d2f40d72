import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { engineForTest, refused, workflowFrom } from './engine.fixture';
import { FailureHandlers } from './failure-handlers';

/** A one-attempt outbound step, with on_failure steps that put the failure in their output. */
const SHIP = workflowFrom(`
name: ship
on: { webhook: shop }
steps:
  - id: label
    uses: http
    with: { method: POST, url: "https://receiver.test/labels" }
    retry: { attempts: 2, backoff: fixed, initial: 1s }
on_failure:
  - id: report
    uses: set
    with: { what: "{{failure.workflow}}/{{failure.step}} after {{failure.attempts}}: {{failure.error}}", run: "{{failure.run_id}}" }
`);

const PLAIN = workflowFrom(`
name: plain
on: { webhook: shop }
steps:
  - id: label
    uses: http
    with: { method: POST, url: "https://receiver.test/labels" }
    retry: { attempts: 1 }
`);

const GLOBAL = workflowFrom(
  `
on_failure:
  - id: tell
    uses: set
    with: { text: "{{failure.workflow}} failed at {{failure.step}}" }
  - id: fail
    uses: http
    with: { method: POST, url: "https://receiver.test/pager" }
    retry: { attempts: 1 }
`,
  'on-failure.yaml',
);

describe(FailureHandlers.name, () => {
  before(() => Logger.overrideLogger(false));

  it('starts the on_failure steps of the version the run failed on, with the failure in their context', async () => {
    const engine = engineForTest(SHIP, GLOBAL);
    const { store, http, executor, clock } = engine;
    http.answer(refused(503), refused(500));
    const runId = store.addRun(SHIP);

    await executor.execute(runId, 'worker-1');
    clock.advance(1_000);
    await executor.execute(runId, 'worker-1');

    assert.equal(store.run(runId).status, 'failed');
    const handler = store.allRuns().find((run) => run.failedRunId === runId);
    assert.ok(handler, 'a failure run was stored with the failed run');
    assert.deepEqual(
      { workflow: handler.workflow, version: handler.workflowVersion, kind: handler.kind, status: handler.status, event: handler.eventId },
      { workflow: 'ship', version: SHIP.version, kind: 'on_failure', status: 'queued', event: store.run(runId).eventId },
    );
    await executor.execute(handler.id, 'worker-1');
    assert.equal(store.run(handler.id).status, 'succeeded');
    assert.deepEqual(store.step(handler.id, 'report')?.output, { what: 'ship/label after 2: HTTP 500', run: runId });
    assert.equal(store.step(handler.id, 'label'), undefined, 'the failure run runs only the on_failure steps');
  });

  it('hands a workflow without on_failure to on-failure.yaml, and a failing failure run to nobody', async () => {
    const engine = engineForTest(PLAIN, GLOBAL);
    const { store, http, executor } = engine;
    http.answer(refused(400), refused(503));
    const runId = store.addRun(PLAIN);

    await executor.execute(runId, 'worker-1');
    const [handler, ...others] = store.allRuns().filter((run) => run.kind === 'on_failure');
    assert.deepEqual(others, []);
    assert.deepEqual([handler.workflow, handler.workflowVersion, handler.failedRunId], ['on-failure', GLOBAL.version, runId]);

    await executor.execute(handler.id, 'worker-1');
    assert.deepEqual(store.step(handler.id, 'tell')?.output, { text: 'plain failed at label' });
    assert.equal(store.run(handler.id).status, 'failed');
    assert.equal(store.allRuns().length, 2, 'the failed failure run started nothing');
  });

  it('starts nothing for a run that succeeds, or without any on_failure steps', async () => {
    const engine = engineForTest(PLAIN);
    const { store, http, executor } = engine;
    http.answer(refused(400));
    const runId = store.addRun(PLAIN);
    await executor.execute(runId, 'worker-1');
    assert.equal(store.run(runId).status, 'failed');
    assert.equal(store.allRuns().length, 1);
  });
});
