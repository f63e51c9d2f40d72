import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventContextOf, syntheticEvent } from '../events/inbound-event';
import { TemplateEngine } from '../templates/template-engine';
import { WorkflowDefinition } from '../workflows/workflow.types';
import { RunOutputs } from './run-output';
import { StepState } from './run-plan';
import { WorkflowSecretScrubber } from './workflow-secret-scrubber';

function runOf(output: unknown, states: Record<string, Partial<StepState>>, kind: 'steps' | 'on_failure' = 'steps') {
  const workflow: WorkflowDefinition = { name: 'ship', file: 'ship.yaml', version: 'v1', yaml: '', on: {}, steps: [], output };
  const full = Object.entries(states).map(([id, state]): [string, StepState] => [
    id,
    { status: 'succeeded', attempts: 1, nextAttemptAt: null, output: null, error: null, ...state },
  ]);
  return {
    id: 'run-1',
    kind,
    workflow,
    states: new Map(full),
    event: eventContextOf(syntheticEvent({ source: 'workflow', type: 'workflow.parent', body: { order: { id: 7 } } })),
    scrubber: new WorkflowSecretScrubber('', {}),
  };
}

describe(RunOutputs.name, () => {
  const outputs = new RunOutputs(new TemplateEngine());
  const succeeded = { outcome: 'succeeded' as const, error: null };

  it("renders a succeeded run's output from its steps and event, typed values kept", () => {
    const run = runOf(
      { order: '{{event.body.order.id}}', tracking: 'T-{{steps.label.output.body.n}}', raw: '{{steps.label.output.body}}' },
      { label: { output: { body: { n: 5 } } } },
    );

    assert.deepEqual(outputs.complete(run, succeeded), { ...succeeded, output: { order: 7, tracking: 'T-5', raw: { n: 5 } } });
  });

  it('shows secrets as [secret]', () => {
    const run = runOf('{{secrets.API_TOKEN}}', {});

    assert.deepEqual(outputs.complete(run, succeeded), { ...succeeded, output: '[secret]' });
  });

  it('fails the run when the output cannot be rendered', () => {
    const run = runOf({ tracking: '{{steps.label.output.body.n}}' }, { label: { status: 'skipped' } });

    const end = outputs.complete(run, succeeded);
    assert.equal(end.outcome, 'failed');
    assert.match(end.error ?? '', /^output: /);
  });

  it('renders nothing for failed runs, failure runs and workflows without `output:`', () => {
    const failed = { outcome: 'failed' as const, error: 'label: 500' };
    assert.deepEqual(outputs.complete(runOf('x', {}), failed), failed);
    assert.deepEqual(outputs.complete(runOf('x', {}, 'on_failure'), succeeded), succeeded);
    assert.deepEqual(outputs.complete(runOf(undefined, {}), succeeded), succeeded);
  });
});
