import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { delivered, engineForTest, refused, workflowFrom } from './engine.fixture';
import { RunExecutor } from './run-executor';
import { RUN_LEASE_SECONDS } from './run-store';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** An outbound step, then a step that only runs once the first is done. */
const SHIP = workflowFrom(`
name: ship
on: { webhook: shop }
steps:
  - id: label
    uses: http
    with: { method: POST, url: "https://receiver.test/labels" }
    retry: { attempts: 3, backoff: fixed, initial: 10s }
  - id: notify
    uses: set
    with: { tracking: "{{steps.label.output.body.tracking}}" }
`);

const at = (engine: ReturnType<typeof engineForTest>, ms: number) => new Date(engine.clock.now().getTime() + ms).toISOString();

describe(RunExecutor.name, () => {
  before(() => Logger.overrideLogger(false));

  it('runs every step of a run and finishes it', async () => {
    const engine = engineForTest(SHIP);
    const { store, http, executor, reporter } = engine;
    http.answer(delivered({ tracking: 'TRK-1' }));
    const runId = store.addRun(SHIP);

    await executor.execute(runId, 'worker-1');

    assert.deepEqual([store.run(runId).status, store.run(runId).leaseOwner], ['succeeded', null]);
    assert.deepEqual(store.step(runId, 'notify')?.output, { tracking: 'TRK-1' });
    assert.deepEqual(reporter.runsEnded, [{ runId, status: 'succeeded', error: null }]);
  });

  it('parks a run of a paused workflow when it is claimed, without an attempt, and runs it whole once resumed', async () => {
    const engine = engineForTest(SHIP);
    const { store, http, executor, reporter } = engine;
    store.pausedWorkflows.add('ship');
    const runId = store.addRun(SHIP);

    await executor.execute(runId, 'worker-1');
    assert.deepEqual(
      { status: store.run(runId).status, lease: store.run(runId).leaseOwner, job: store.run(runId).jobAt },
      { status: 'paused', lease: null, job: null },
    );
    assert.equal(http.attempts.length, 0);
    assert.deepEqual(reporter.runsPaused, [runId]);

    store.resume('ship');
    http.answer(delivered({ tracking: 'TRK-P' }));
    await executor.execute(runId, 'worker-1');
    assert.equal(store.run(runId).status, 'succeeded');
    assert.deepEqual(store.step(runId, 'notify')?.output, { tracking: 'TRK-P' });
  });

  it('lets the attempt in flight finish when the pause lands, then parks the run before its next step with the step states kept', async () => {
    const engine = engineForTest(SHIP);
    const { store, http, executor } = engine;
    const runId = store.addRun(SHIP);
    http.answer(() => {
      store.pausedWorkflows.add('ship');
      return Promise.resolve(delivered({ tracking: 'TRK-Q' }));
    });

    await executor.execute(runId, 'worker-1');
    assert.equal(store.run(runId).status, 'paused');
    assert.deepEqual([store.step(runId, 'label')?.status, store.step(runId, 'label')?.attempts], ['succeeded', 1]);
    assert.equal(store.step(runId, 'notify'), undefined, 'the next step did not start');

    store.resume('ship');
    await executor.execute(runId, 'worker-1');
    assert.equal(store.run(runId).status, 'succeeded');
    assert.equal(http.attempts.length, 1, 'nothing is sent twice');
    assert.deepEqual(store.step(runId, 'notify')?.output, { tracking: 'TRK-Q' });
  });

  it('runs on when its process still sees a pause that the database no longer has', async () => {
    const engine = engineForTest(SHIP);
    const { store, http, executor } = engine;
    const runId = store.addRun(SHIP);
    http.answer(delivered({ tracking: 'TRK-R' }));
    // The in-memory view says paused; the store's row check (PAUSE_RUN) finds none.
    const stalePause = { has: (name: string) => name === 'ship' };
    const realPause = store.pause.bind(store);
    store.pause = (id, owner, workflow) => (stalePause.has(workflow) ? Promise.resolve(false) : realPause(id, owner, workflow));
    store.pausedWorkflows.add('ship');

    await executor.execute(runId, 'worker-1');
    assert.equal(store.run(runId).status, 'succeeded');
  });

  it('lets a run wait for its retry without holding it, and resumes it when the retry is due, not before', async () => {
    const engine = engineForTest(SHIP);
    const { store, clock, http, executor } = engine;
    http.answer(refused(503), delivered({ tracking: 'TRK-2' }));
    const runId = store.addRun(SHIP);

    const retryAt = at(engine, 10 * SECOND);
    await executor.execute(runId, 'worker-1');
    assert.deepEqual(
      { status: store.run(runId).status, lease: store.run(runId).leaseOwner, job: store.run(runId).jobAt?.toISOString() },
      { status: 'running', lease: null, job: retryAt },
    );

    clock.advance(4 * SECOND);
    await executor.execute(runId, 'worker-1');
    assert.equal(http.attempts.length, 1, 'an early job makes no attempt');
    assert.equal(store.run(runId).jobAt?.toISOString(), retryAt, 'and looks again when the retry is due');

    clock.advance(6 * SECOND);
    await executor.execute(runId, 'worker-1');
    assert.equal(store.run(runId).status, 'succeeded');
    assert.deepEqual([store.step(runId, 'label')?.status, store.step(runId, 'label')?.attempts], ['succeeded', 2]);
    assert.deepEqual(store.step(runId, 'notify')?.output, { tracking: 'TRK-2' });
  });

  it('lets a run go for the length of a delay step and continues after it', async () => {
    const workflow = workflowFrom(`
name: remind
on: { webhook: shop }
steps:
  - id: wait
    uses: delay
    with: { for: 10m }
  - id: remind
    uses: set
    with: { reminded: true }
`);
    const engine = engineForTest(workflow);
    const { store, clock, executor } = engine;
    const runId = store.addRun(workflow);

    const wakeAt = at(engine, 10 * MINUTE);
    await executor.execute(runId, 'worker-1');
    assert.deepEqual(
      {
        wait: store.step(runId, 'wait')?.status,
        remind: store.step(runId, 'remind'),
        job: store.run(runId).jobAt?.toISOString(),
        lease: store.run(runId).leaseOwner,
      },
      { wait: 'running', remind: undefined, job: wakeAt, lease: null },
    );

    clock.advance(10 * MINUTE);
    await executor.execute(runId, 'worker-1');
    assert.deepEqual(store.step(runId, 'wait')?.output, { until: wakeAt });
    assert.deepEqual([store.step(runId, 'remind')?.status, store.run(runId).status], ['succeeded', 'succeeded']);
  });

  it('stops at a cancel that arrives mid-run: the step under way is recorded, nothing else starts, the run is let go', async () => {
    const engine = engineForTest(SHIP);
    const { store, http, executor, reporter } = engine;
    const runId = store.addRun(SHIP);
    http.answer(async () => {
      void store.cancel(runId);
      return delivered({ tracking: 'TRK-3' });
    });

    await executor.execute(runId, 'worker-1');

    assert.deepEqual([store.run(runId).status, store.run(runId).leaseOwner], ['cancelled', null]);
    assert.equal(store.step(runId, 'label')?.status, 'succeeded');
    assert.equal(store.step(runId, 'notify'), undefined);
    assert.deepEqual(reporter.runsEnded, []);
  });

  describe('leases', () => {
    it('leaves a run to the process that took it over while this one stalled', async () => {
      const engine = engineForTest(SHIP);
      const { store, clock, http, executor } = engine;
      const runId = store.addRun(SHIP);
      http.answer(async () => {
        clock.advance((RUN_LEASE_SECONDS + 5) * SECOND);
        assert.equal(typeof (await store.claim(runId, 'worker-2')), 'object', 'the lapsed lease is taken over');
        return delivered({ tracking: 'TRK-4' });
      });

      await executor.execute(runId, 'worker-1');

      assert.equal(store.step(runId, 'notify'), undefined, 'worker-1 starts no further step');
      assert.deepEqual([store.run(runId).status, store.run(runId).leaseOwner], ['running', 'worker-2']);
    });

    it('carries on after a stall when no other process took the run', async () => {
      const engine = engineForTest(SHIP);
      const { store, clock, http, executor } = engine;
      const runId = store.addRun(SHIP);
      http.answer(async () => {
        clock.advance((RUN_LEASE_SECONDS + 5) * SECOND);
        return delivered({ tracking: 'TRK-5' });
      });

      await executor.execute(runId, 'worker-1');

      assert.deepEqual([store.step(runId, 'notify')?.status, store.run(runId).status], ['succeeded', 'succeeded']);
    });

    it('asks to look again in a few seconds when another process holds the run', async () => {
      const engine = engineForTest(SHIP);
      const { store, http, executor } = engine;
      const runId = store.addRun(SHIP);
      await store.claim(runId, 'worker-2');

      const lookAgainAt = at(engine, 5 * SECOND);
      await executor.execute(runId, 'worker-1');

      assert.equal(http.attempts.length, 0);
      assert.deepEqual([store.run(runId).leaseOwner, store.run(runId).jobAt?.toISOString()], ['worker-2', lookAgainAt]);
    });

    it('renews the leases of the runs it is executing', async () => {
      const engine = engineForTest(SHIP);
      const { store, clock, http, executor } = engine;
      const runId = store.addRun(SHIP);
      let renewed: Date | null = null;
      http.answer(async () => {
        clock.advance(15 * SECOND);
        await executor.renewLeases('worker-1');
        renewed = store.run(runId).leaseUntil;
        return delivered({ tracking: 'TRK-6' });
      });
      const lease = at(engine, (15 + RUN_LEASE_SECONDS) * SECOND);

      await executor.execute(runId, 'worker-1');

      assert.equal((renewed as Date | null)?.toISOString(), lease);
      assert.deepEqual(executor.runsInProgress(), [], 'a finished run is no longer renewed');
    });
  });

  describe('continue_on_error', () => {
    const workflow = (continueOnError: boolean) =>
      workflowFrom(`
name: ship
on: { webhook: shop }
steps:
  - id: label
    uses: http
    with: { method: POST, url: "https://receiver.test/labels" }
    retry: { attempts: 1 }
    continue_on_error: ${continueOnError}
  - id: notify
    uses: set
    with: { shipped: false }
`);

    it('runs the steps after a failed step marked continue_on_error, and the run succeeds', async () => {
      const engine = engineForTest(workflow(true));
      const runId = engine.store.addRun(engine.workflow);
      engine.http.answer(refused(500));

      await engine.executor.execute(runId, 'worker-1');

      const { store } = engine;
      assert.deepEqual([store.step(runId, 'label')?.status, store.step(runId, 'notify')?.status], ['failed', 'succeeded']);
      assert.deepEqual([store.run(runId).status, store.run(runId).error], ['succeeded', null]);
    });

    it('without it, skips the steps after the failure and fails the run, naming the step', async () => {
      const engine = engineForTest(workflow(false));
      const runId = engine.store.addRun(engine.workflow);
      engine.http.answer(refused(500));

      await engine.executor.execute(runId, 'worker-1');

      const { store } = engine;
      assert.deepEqual([store.step(runId, 'notify')?.status, store.step(runId, 'notify')?.error], ['skipped', 'not run: step label failed']);
      assert.deepEqual([store.run(runId).status, store.run(runId).error], ['failed', 'label: HTTP 500']);
    });
  });

  it('fails a run whose workflow version is no longer available', async () => {
    const engine = engineForTest(SHIP);
    const runId = engine.store.addRun({ name: 'ship', version: 'gone' });

    await engine.executor.execute(runId, 'worker-1');

    assert.deepEqual([engine.store.run(runId).status, engine.store.run(runId).error], ['failed', 'workflow ship version gone is not available']);
    assert.equal(engine.http.attempts.length, 0);
  });

  describe('with a run timeout', () => {
    it('wakes a run waiting on a delay at its deadline, not when the delay ends, and cancels it then', async () => {
      const engine = engineForTest(
        workflowFrom(`
name: slow
on: { webhook: shop }
timeout: 2s
steps:
  - { id: wait, uses: delay, with: { for: 1h } }
  - { id: after, uses: set, with: { done: true } }
`),
      );
      const { store, executor, clock } = engine;
      const runId = store.addRun(engine.workflow);
      const deadline = at(engine, 2 * SECOND);

      await executor.execute(runId, 'worker-1');
      assert.equal(store.run(runId).jobAt?.toISOString(), deadline);

      clock.advance(2 * SECOND);
      await executor.execute(runId, 'worker-1');
      assert.deepEqual([store.run(runId).status, store.run(runId).error], ['cancelled', 'run timed out after 2000ms']);
      assert.deepEqual([store.step(runId, 'wait')?.status, store.step(runId, 'wait')?.error], ['skipped', 'run timed out']);
      assert.equal(store.step(runId, 'after'), undefined);
    });

    it('cancels a retrying step at the deadline instead of attempting it again', async () => {
      const engine = engineForTest(
        workflowFrom(`
name: flaky
on: { webhook: shop }
timeout: 15s
steps:
  - id: call
    uses: http
    with: { url: "https://receiver.test/" }
    retry: { attempts: 5, backoff: fixed, initial: 10s }
`),
      );
      const { store, executor, clock, http } = engine;
      const runId = store.addRun(engine.workflow);
      http.answer(refused(500), refused(500));

      await executor.execute(runId, 'worker-1');
      clock.advance(10 * SECOND);
      await executor.execute(runId, 'worker-1');
      assert.equal(store.run(runId).jobAt?.toISOString(), at(engine, 5 * SECOND), 'wakes at the deadline, before the retry due at 20s');

      clock.advance(5 * SECOND);
      await executor.execute(runId, 'worker-1');
      assert.equal(http.attempts.length, 2);
      assert.deepEqual([store.run(runId).status, store.run(runId).error], ['cancelled', 'run timed out after 15000ms']);
      assert.deepEqual([store.step(runId, 'call')?.status, store.step(runId, 'call')?.attempts], ['skipped', 2]);
    });

    it('cancels a run claimed past its deadline before any step', async () => {
      const engine = engineForTest(
        workflowFrom('name: late\non: { webhook: shop }\ntimeout: 1s\nsteps:\n  - { id: call, uses: http, with: { url: "https://receiver.test/" } }\n'),
      );
      const runId = engine.store.addRun(engine.workflow);
      engine.clock.advance(SECOND);

      await engine.executor.execute(runId, 'worker-1');
      assert.equal(engine.store.run(runId).status, 'cancelled');
      assert.equal(engine.http.attempts.length, 0);
    });
  });
});
