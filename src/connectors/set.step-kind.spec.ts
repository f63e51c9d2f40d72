import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SetConnector } from './set.step-kind';
import { stepContext } from './step-context.fixture';

describe(SetConnector.name, () => {
  const connector = new SetConnector();

  it('outputs the rendered map, keeping the types of its values', async () => {
    const input = { order: { id: 1001, paid: true }, tags: ['a', 'b'], note: null };

    assert.deepEqual(await connector.execute(input, input, stepContext()), { kind: 'succeeded', output: input });
  });

  it('stores the map rendered with redacted secrets, and gives later steps the one with real secrets', async () => {
    const input = { auth: 'Token s3cr3t-value', lowered: 's3cr3t-value' };
    const redacted = { auth: 'Token [secret]', lowered: '[secret]' };

    assert.deepEqual(await connector.execute(input, redacted, stepContext()), { kind: 'succeeded', output: redacted });
    assert.deepEqual(connector.liveOutputOf(input), input);
  });

  it('plans the redacted map', () => {
    const plan = connector.plan({ token: '[secret]' }, stepContext());

    assert.deepEqual(plan, { kind: 'set', summary: 'set', detail: { token: '[secret]' } });
  });
});
