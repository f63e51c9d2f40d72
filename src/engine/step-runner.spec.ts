import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { StepDefinition } from '../workflows/workflow.types';
import { claimedRun, engineForTest, refused, workflowFrom } from './engine.fixture';
import { StepRunner } from './step-runner';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;

const LABEL = workflowFrom(`
name: ship
on: { webhook: shop }
steps:
  - id: label
    uses: http
    with: { method: POST, url: "https://receiver.test/labels" }
    timeout: 2s
    retry: { attempts: 3, backoff: exponential, initial: 10s, max: 1h }
`);

const label = (): StepDefinition => LABEL.steps[0];
const inSeconds = (engine: ReturnType<typeof engineForTest>, ms: number) => new Date(engine.clock.now().getTime() + ms).toISOString();

describe(StepRunner.name, () => {
  it('schedules the next attempt after a retryable failure, doubling the wait each time, and fails the run when attempts run out', async () => {
    const engine = engineForTest(LABEL);
    const { store, clock, http, runner } = engine;
    http.answer(refused(503), refused(503), refused(503));
    const run = await claimedRun(engine);

    const firstRetryAt = inSeconds(engine, 10 * SECOND);
    assert.equal(await runner.run(run, label()), 'running');
    assert.deepEqual(pick(store.step(run.id, 'label')), { status: 'running', attempts: 1, nextAttemptAt: firstRetryAt, error: 'HTTP 503' });

    clock.advance(10 * SECOND);
    const secondRetryAt = inSeconds(engine, 20 * SECOND);
    assert.equal(await runner.run(run, label()), 'running');
    assert.deepEqual(pick(store.step(run.id, 'label')), { status: 'running', attempts: 2, nextAttemptAt: secondRetryAt, error: 'HTTP 503' });

    clock.advance(20 * SECOND);
    assert.equal(await runner.run(run, label()), 'failed');
    assert.deepEqual(pick(store.step(run.id, 'label')), { status: 'failed', attempts: 3, nextAttemptAt: null, error: 'HTTP 503' });
    assert.deepEqual([store.run(run.id).status, store.run(run.id).error], ['failed', 'label: HTTP 503']);
    assert.equal(store.step(run.id, 'label')?.attemptRecords.length, 3);
    assert.deepEqual(
      http.attempts.map((attempt) => [attempt.attempt, attempt.idempotencyKey]),
      [1, 2, 3].map((n) => [n, `${run.id}:label`]),
      'every attempt carries the same idempotency key',
    );
  });

  it('waits at least the Retry-After an answer asks for, but never longer than the retry max', async () => {
    const engine = engineForTest(LABEL);
    const { store, clock, http, runner } = engine;
    http.answer(refused(429, { retryable: true, retryAfterMs: 90 * SECOND }), refused(503, { retryAfterMs: 5 * HOUR }));
    const run = await claimedRun(engine);

    const afterRetryAfter = inSeconds(engine, 90 * SECOND);
    await runner.run(run, label());
    assert.equal(store.step(run.id, 'label')?.nextAttemptAt?.toISOString(), afterRetryAfter, 'Retry-After beats the 10 s backoff');

    clock.advance(90 * SECOND);
    const atMax = inSeconds(engine, HOUR);
    await runner.run(run, label());
    assert.equal(store.step(run.id, 'label')?.nextAttemptAt?.toISOString(), atMax, 'capped at max: 1h');
  });

  it('fails the step at once on an answer not worth retrying', async () => {
    const engine = engineForTest(LABEL);
    engine.http.answer(refused(404));
    const run = await claimedRun(engine);

    assert.equal(await engine.runner.run(run, label()), 'failed');
    assert.deepEqual(pick(engine.store.step(run.id, 'label')), { status: 'failed', attempts: 1, nextAttemptAt: null, error: 'HTTP 404' });
    assert.equal(engine.http.attempts.length, 1);
  });

  describe('a step that outlives its timeout', () => {
    afterEach(() => mock.timers.reset());

    it('ends as a timed-out attempt worth retrying, even when its connector never answers', async () => {
      const engine = engineForTest(LABEL);
      engine.http.answer(() => new Promise(() => undefined));
      const run = await claimedRun(engine);
      mock.timers.enable({ apis: ['setTimeout'] });

      const retryAt = inSeconds(engine, 10 * SECOND);
      const ran = engine.runner.run(run, label());
      mock.timers.tick(2 * SECOND + 1 * SECOND);

      assert.equal(await ran, 'running');
      const step = engine.store.step(run.id, 'label');
      assert.deepEqual(pick(step), { status: 'running', attempts: 1, nextAttemptAt: retryAt, error: 'step label timed out after 2000 ms' });
      assert.equal(step?.attemptRecords[0].record.timedOut, true);
      assert.equal(engine.http.attempts[0].timeoutMs, 2 * SECOND, 'the connector is told its timeout');
    });
  });
});

function pick(step: { status: string; attempts: number; nextAttemptAt: Date | null; error: string | null } | undefined) {
  return step && { status: step.status, attempts: step.attempts, nextAttemptAt: step.nextAttemptAt?.toISOString() ?? null, error: step.error };
}
