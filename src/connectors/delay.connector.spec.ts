import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DelayConnector } from './delay.connector';
import { stepContext } from './step-context.fixture';

const NOW = new Date('2030-01-31T09:00:00.000Z');

describe(DelayConnector.name, () => {
  const connector = new DelayConnector();
  const run = (input: Record<string, unknown>) => connector.execute(input, input, stepContext({ now: () => NOW }));

  it('waits for a duration counted from now', async () => {
    assert.deepEqual(await run({ for: '10m' }), { kind: 'wait', until: new Date('2030-01-31T09:10:00.000Z') });
    assert.deepEqual(await run({ for: '500ms' }), { kind: 'wait', until: new Date('2030-01-31T09:00:00.500Z') });
  });

  it('takes a number as milliseconds', async () => {
    assert.deepEqual(await run({ for: 1500 }), { kind: 'wait', until: new Date('2030-01-31T09:00:01.500Z') });
  });

  it('waits until a given time', async () => {
    assert.deepEqual(await run({ until: '2030-02-01T00:00:00+01:00' }), { kind: 'wait', until: new Date('2030-01-31T23:00:00.000Z') });
  });

  it('continues at once when the time has already passed', async () => {
    assert.deepEqual(await run({ until: '2020-01-01T00:00:00Z' }), { kind: 'wait', until: NOW });
  });

  it('fails without retrying on a duration it cannot read', async () => {
    const outcome = await run({ for: 'ten minutes' });

    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.retryable, false);
    assert.match(outcome.error, /`with\.for` must be a duration/);
  });

  it('fails without retrying on a time it cannot read or a negative number', async () => {
    const notATime = await run({ until: 'tomorrow' });
    const negative = await run({ for: -5 });

    assert.equal(notATime.kind === 'failed' && notATime.retryable, false);
    assert.match(notATime.kind === 'failed' ? notATime.error : '', /`with\.until` must be an ISO 8601 time/);
    assert.equal(negative.kind, 'failed');
  });

  it('plans the wait', () => {
    assert.equal(connector.plan({ for: '10m' }, { now: () => NOW }).summary, 'wait 10m');
    assert.equal(connector.plan({ for: 1500 }, { now: () => NOW }).summary, 'wait 1500ms');
    assert.equal(connector.plan({ until: '2030-02-01T00:00:00Z' }, { now: () => NOW }).summary, 'wait until 2030-02-01T00:00:00.000Z');
  });
});
