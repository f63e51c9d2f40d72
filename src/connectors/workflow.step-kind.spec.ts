import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowConnector } from './workflow.step-kind';
import { stepContext } from './step-context.fixture';

describe(WorkflowConnector.name, () => {
  const connector = new WorkflowConnector();

  it('asks the engine to start the named workflow with the rendered event', async () => {
    const input = { name: 'ship-order', event: { order_id: 1001 } };

    assert.deepEqual(await connector.execute(input, input, stepContext()), {
      kind: 'start-workflow',
      workflow: 'ship-order',
      event: { order_id: 1001 },
    });
  });

  it('starts the child with the redacted event, since events are stored', async () => {
    const outcome = await connector.execute(
      { name: 'child', event: { token: 's3cr3t-value' } },
      { name: 'child', event: { token: '[secret]' } },
      stepContext(),
    );

    assert.deepEqual(outcome, { kind: 'start-workflow', workflow: 'child', event: { token: '[secret]' } });
  });

  it('sends an empty event when none is given', async () => {
    const outcome = await connector.execute({ name: 'nightly' }, { name: 'nightly' }, stepContext());

    assert.deepEqual(outcome, { kind: 'start-workflow', workflow: 'nightly', event: {} });
  });

  it('fails without retrying when the rendered name is not a string', async () => {
    const outcome = await connector.execute({ name: 42 }, { name: 42 }, stepContext());

    assert.deepEqual(outcome, { kind: 'failed', error: '`with.name` must be a string, got a number', retryable: false });
  });

  it('plans the start with the redacted event', () => {
    const plan = connector.plan({ name: 'ship-order', event: { token: '[secret]' } });

    assert.deepEqual(plan, { kind: 'workflow', summary: 'start workflow ship-order', detail: { workflow: 'ship-order', event: { token: '[secret]' } } });
  });
});
