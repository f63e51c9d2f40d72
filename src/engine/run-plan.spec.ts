import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETRY, StepDefinition, WorkflowDefinition } from '../workflows/workflow.types';
import { RunPlan, StepState } from './run-plan';

function step(id: string, extra: Partial<StepDefinition> = {}): StepDefinition {
  return { id, uses: 'set', with: {}, continueOnError: false, retry: DEFAULT_RETRY, position: { line: 1, column: 1 }, ...extra };
}

function workflow(...steps: StepDefinition[]): WorkflowDefinition {
  return { name: 'w', file: 'w.yaml', version: 'v1', yaml: '', on: { webhook: 's' }, steps };
}

function states(entries: Record<string, Partial<StepState> & { status: StepState['status'] }>): Map<string, StepState> {
  return new Map(Object.entries(entries).map(([id, state]) => [id, { attempts: 1, nextAttemptAt: null, output: null, error: null, ...state }]));
}

const now = new Date('2026-11-26T12:00:00Z');
const ids = (steps: StepDefinition[]) => steps.map((s) => s.id);

describe(RunPlan.name, () => {
  it('runs steps without needs in file order, one after the other', () => {
    const plan = new RunPlan(workflow(step('a'), step('b'), step('c')));
    assert.deepEqual(ids(plan.decide(states({}), now).ready), ['a']);
    assert.deepEqual(ids(plan.decide(states({ a: { status: 'succeeded' } }), now).ready), ['b']);
  });

  it('starts needs: [] steps with the trigger, in parallel, and joins on needs', () => {
    const plan = new RunPlan(workflow(step('a', { needs: [] }), step('b', { needs: [] }), step('c', { needs: ['a', 'b'] })));
    assert.deepEqual(ids(plan.decide(states({}), now).ready), ['a', 'b']);
    assert.deepEqual(ids(plan.decide(states({ a: { status: 'succeeded' } }), now).ready), ['b']);
    assert.deepEqual(ids(plan.decide(states({ a: { status: 'succeeded' }, b: { status: 'skipped' } }), now).ready), ['c']);
  });

  it('skips the steps after a failed need, transitively, and fails the run', () => {
    const plan = new RunPlan(workflow(step('a'), step('b'), step('c', { needs: ['b'] }), step('d', { needs: [] })));
    const decision = plan.decide(states({ a: { status: 'failed' }, d: { status: 'succeeded' } }), now);
    assert.deepEqual(
      decision.skip.map((s) => [s.step.id, s.reason]),
      [
        ['b', 'not run: step a failed'],
        ['c', 'not run: step b failed'],
      ],
    );
    assert.equal(decision.outcome, 'failed');
  });

  it('lets dependents run after a failure marked continue_on_error, and the run succeeds', () => {
    const plan = new RunPlan(workflow(step('a', { continueOnError: true }), step('b')));
    assert.deepEqual(ids(plan.decide(states({ a: { status: 'failed' } }), now).ready), ['b']);
    assert.equal(plan.decide(states({ a: { status: 'failed' }, b: { status: 'succeeded' } }), now).outcome, 'succeeded');
  });

  it('waits for a step whose next attempt is due later, and retries one that is due or was cut off', () => {
    const plan = new RunPlan(workflow(step('a', { needs: [] }), step('b', { needs: [] })));
    const later = new Date(now.getTime() + 5000);
    const decision = plan.decide(states({ a: { status: 'running', nextAttemptAt: later }, b: { status: 'succeeded' } }), now);
    assert.deepEqual(decision.ready, []);
    assert.equal(decision.wakeAt?.toISOString(), later.toISOString());
    assert.equal(decision.outcome, undefined);
    assert.deepEqual(ids(plan.decide(states({ a: { status: 'running', nextAttemptAt: null } }), now).ready), ['a', 'b']);
  });

  it('runs a for_each step when one of its items is due, though the step itself was due later', () => {
    const items = { items: '{{event.body.items}}', maxParallel: 1, maxItems: 1000 };
    const plan = new RunPlan(workflow(step('each', { forEach: items })));
    const later = new Date(now.getTime() + 60_000);
    const soon = new Date(now.getTime() + 5_000);
    const waiting = { status: 'running' as const, nextAttemptAt: later };

    const woken = plan.decide(states({ each: waiting, 'each[0]': waiting, 'each[1]': { status: 'running', nextAttemptAt: now } }), now);
    assert.deepEqual(ids(woken.ready), ['each']);
    const sooner = plan.decide(states({ each: waiting, 'each[0]': { status: 'running', nextAttemptAt: soon }, 'each[1]': { status: 'succeeded' } }), now);
    assert.deepEqual(sooner.ready, []);
    assert.equal(sooner.wakeAt?.toISOString(), soon.toISOString());
    assert.equal(plan.decide(states({ each: waiting, 'each[0]': { status: 'running', nextAttemptAt: null } }), now).ready.length, 1);
  });

  it('finishes a run whose steps are all final', () => {
    const plan = new RunPlan(workflow(step('a'), step('b')));
    assert.equal(plan.decide(states({ a: { status: 'succeeded' }, b: { status: 'skipped' } }), now).outcome, 'succeeded');
  });
});
