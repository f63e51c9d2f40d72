import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StepDefinition } from '../workflows/workflow.types';
import { awaitedChildOf, childRunResult } from './child-run-wait';

const CHILD = '0190a000-0000-7000-8000-000000000001';

function step(wait: unknown): StepDefinition {
  return { id: 'ship', uses: 'workflow', with: { name: 'ship', wait }, continueOnError: false, position: { line: 1, column: 1 } };
}

describe('waiting for a child run', () => {
  it('knows the child a waiting step waits for from its stored start', () => {
    const waiting = { status: 'running' as const, attempts: 1, nextAttemptAt: new Date(), output: { workflow: 'ship', run_id: CHILD }, error: null };

    assert.equal(awaitedChildOf(step(true), waiting), CHILD);
    assert.equal(awaitedChildOf(step(false), waiting), undefined, 'without wait the step never waits');
    assert.equal(awaitedChildOf(step(true), { ...waiting, status: 'succeeded' }), undefined);
    assert.equal(awaitedChildOf(step(true), { ...waiting, output: null }), undefined, 'not started yet: the step starts its child');
  });

  it("answers the child's output when it succeeded, and nothing new when it declares none", () => {
    const child = { id: CHILD, workflow: 'ship', error: null };

    assert.deepEqual(childRunResult(CHILD, { ...child, status: 'succeeded', output: { tracking: 'T-1' } }), {
      status: 'succeeded',
      output: { tracking: 'T-1' },
    });
    assert.deepEqual(childRunResult(CHILD, { ...child, status: 'succeeded', output: null }), { status: 'succeeded', output: undefined });
  });

  it('fails with the child run and its error when it failed, was cancelled or is gone', () => {
    assert.deepEqual(childRunResult(CHILD, { id: CHILD, workflow: 'ship', status: 'failed', error: 'label: 500', output: null }), {
      status: 'failed',
      error: `run ${CHILD} of workflow ship failed: label: 500`,
    });
    assert.deepEqual(childRunResult(CHILD, { id: CHILD, workflow: 'ship', status: 'cancelled', error: null, output: null }), {
      status: 'failed',
      error: `run ${CHILD} of workflow ship was cancelled`,
    });
    assert.equal(childRunResult(CHILD, undefined)?.status, 'failed');
  });

  it('keeps waiting while the child is unfinished', () => {
    for (const status of ['queued', 'running', 'paused'] as const) {
      assert.equal(childRunResult(CHILD, { id: CHILD, workflow: 'ship', status, error: null, output: null }), undefined);
    }
  });
});
