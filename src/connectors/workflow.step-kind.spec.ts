import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowConnector, workflowStepKind } from './workflow.step-kind';
import { stepContext } from './step-context.fixture';

describe(WorkflowConnector.name, () => {
  const connector = new WorkflowConnector();

  it('asks the engine to start the named workflow with the rendered event', async () => {
    const input = { name: 'ship-order', event: { order_id: 1001 } };

    assert.deepEqual(await connector.execute(input, input, stepContext()), {
      kind: 'start-workflow',
      workflow: 'ship-order',
      event: { order_id: 1001 },
      wait: false,
      dedupeKey: null,
      idempotencyKey: 'run-7f1c2d9e.notify',
    });
  });

  it('starts the child with the redacted event, since events are stored', async () => {
    const outcome = await connector.execute(
      { name: 'child', event: { token: 's3cr3t-value' } },
      { name: 'child', event: { token: '[secret]' } },
      stepContext(),
    );

    assert.deepEqual(outcome, {
      kind: 'start-workflow',
      workflow: 'child',
      event: { token: '[secret]' },
      wait: false,
      dedupeKey: null,
      idempotencyKey: 'run-7f1c2d9e.notify',
    });
  });

  it('sends an empty event when none is given', async () => {
    const outcome = await connector.execute({ name: 'nightly' }, { name: 'nightly' }, stepContext());

    assert.deepEqual(outcome, { kind: 'start-workflow', workflow: 'nightly', event: {}, wait: false, dedupeKey: null, idempotencyKey: 'run-7f1c2d9e.notify' });
  });

  it('asks to wait, with the dedupe key from the redacted input and the idempotency key of the step as given', async () => {
    const outcome = await connector.execute(
      { name: 'ship', wait: true, dedupe_key: 'order-s3cr3t' },
      { name: 'ship', wait: true, dedupe_key: 'order-[secret]' },
      stepContext({ idempotencyKey: 'run-1:ship:2' }),
    );

    assert.deepEqual(outcome, { kind: 'start-workflow', workflow: 'ship', event: {}, wait: true, dedupeKey: 'order-[secret]', idempotencyKey: 'run-1:ship:2' });
  });

  it('reads a number as a dedupe key and refuses an empty or structured one', async () => {
    const numeric = await connector.execute({ name: 'ship', dedupe_key: 1001 }, { name: 'ship', dedupe_key: 1001 }, stepContext());
    const empty = await connector.execute({ name: 'ship', dedupe_key: ' ' }, { name: 'ship', dedupe_key: ' ' }, stepContext());
    const map = await connector.execute({ name: 'ship', dedupe_key: { id: 1 } }, { name: 'ship', dedupe_key: { id: 1 } }, stepContext());

    assert.equal(numeric.kind === 'start-workflow' && numeric.dedupeKey, '1001');
    assert.deepEqual(empty, { kind: 'failed', error: '`with.dedupe_key` rendered empty', retryable: false });
    assert.deepEqual(map, { kind: 'failed', error: '`with.dedupe_key` must render a string, got object', retryable: false });
  });

  it('fails without retrying when the rendered name is not a string', async () => {
    const outcome = await connector.execute({ name: 42 }, { name: 42 }, stepContext());

    assert.deepEqual(outcome, { kind: 'failed', error: '`with.name` must be a string, got a number', retryable: false });
  });

  it('plans the start with the redacted event', () => {
    const plan = connector.plan({ name: 'ship-order', event: { token: '[secret]' } });

    assert.deepEqual(plan, { kind: 'workflow', summary: 'start workflow ship-order', detail: { workflow: 'ship-order', event: { token: '[secret]' } } });
  });

  it('plans a wait and a dedupe key, and says the output is unknown in a dry run', () => {
    const plan = connector.plan({ name: 'ship', wait: true, dedupe_key: 'order-1' });

    assert.equal(plan.summary, 'start workflow ship unless key order-1 was seen and wait for its output');
    assert.deepEqual(plan.detail, { workflow: 'ship', event: {}, wait: true, dedupe_key: 'order-1' });
    assert.match(workflowStepKind.describePlan(plan), /output is unknown in a dry run/);
  });
});
