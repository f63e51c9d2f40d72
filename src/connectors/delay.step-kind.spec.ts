import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DelayConnector } from './delay.step-kind';
import { stepContext } from './step-context.fixture';

const NOW = new Date('2030-01-31T09:00:00.000Z');

describe(DelayConnector.name, () => {
  const connector = new DelayConnector();
  const run = (input: Record<string, unknown>) => connector.execute(input, input, stepContext({ now: () => NOW }));

  /** Each value of `field` fails the step for good, with an error matching its pattern. */
  async function assertRefused(field: 'for' | 'until', cases: Array<[unknown, RegExp]>): Promise<void> {
    for (const [value, error] of cases) {
      const outcome = await run({ [field]: value });
      assert.equal(outcome.kind, 'failed', `${field}: ${String(value)}`);
      assert.equal(outcome.retryable, false);
      assert.match(outcome.error, error);
    }
  }

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

  it('fails without retrying on every value an event can put in `for`, naming the field and the value', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [1e300, /`with\.for` must be at most 365d, got 1e\+300/],
      [-5, /`with\.for` must be a duration .*, got -5$/],
      ['soon', /`with\.for` must be a duration .*, got "soon"/],
      [null, /`with\.for` must be a duration .*, got null/],
      [{ minutes: 5 }, /`with\.for` must be a duration .*, got a map/],
      [[10], /`with\.for` must be a duration .*, got a list/],
      [true, /`with\.for` must be a duration .*, got a boolean/],
      [Infinity, /`with\.for` must be a duration .*, got Infinity/],
      [Number.NaN, /`with\.for` must be a duration .*, got NaN/],
      ['366d', /`with\.for` must be at most 365d, got "366d"/],
      ['9999999999999999999999d', /`with\.for` must be at most 365d/],
    ];
    await assertRefused('for', cases);
  });

  it('fails without retrying on every value an event can put in `until`, naming the field and the value', async () => {
    const cases: Array<[unknown, RegExp]> = [
      ['9999999-01-01', /`with\.until` must be an ISO 8601 time .*, got "9999999-01-01"/],
      ['+275760-09-13T00:00:00Z', /`with\.until` must be an ISO 8601 time/],
      ['9999-12-31T23:59:59Z', /`with\.until` must be at most 365d from now, got "9999-12-31T23:59:59Z"/],
      ['2031-02-01T09:00:00Z', /`with\.until` must be at most 365d from now/],
      ['2030-02-31T00:00:00Z', /`with\.until` must be an ISO 8601 time/],
      ['1', /`with\.until` must be an ISO 8601 time/],
      [1e300, /`with\.until` must be an ISO 8601 time .*, got 1e\+300/],
      [null, /`with\.until` must be an ISO 8601 time .*, got null/],
      [{ at: 'noon' }, /`with\.until` must be an ISO 8601 time .*, got a map/],
    ];
    await assertRefused('until', cases);
  });

  it('waits up to the limit itself', async () => {
    assert.deepEqual(await run({ for: '365d' }), { kind: 'wait', until: new Date('2031-01-31T09:00:00.000Z') });
    assert.deepEqual(await run({ for: 365 * 86_400_000 }), { kind: 'wait', until: new Date('2031-01-31T09:00:00.000Z') });
    assert.deepEqual(await run({ until: '2031-01-31T09:00:00Z' }), { kind: 'wait', until: new Date('2031-01-31T09:00:00.000Z') });
    assert.deepEqual(await run({ for: 0 }), { kind: 'wait', until: NOW });
  });

  it('reads a time without offset as UTC and a leap day as a date', async () => {
    assert.deepEqual(await run({ until: '2030-02-01T10:00:00' }), { kind: 'wait', until: new Date('2030-02-01T10:00:00.000Z') });
    assert.deepEqual(await run({ until: '2030-02-01 10:00+0100' }), { kind: 'wait', until: new Date('2030-02-01T09:00:00.000Z') });
    assert.deepEqual(await run({ until: '2030-02-01T10:00:00.5Z' }), { kind: 'wait', until: new Date('2030-02-01T10:00:00.500Z') });
    const leap = new DelayConnector().execute({ until: '2032-02-29' }, {}, stepContext({ now: () => new Date('2032-01-01T00:00:00Z') }));
    assert.deepEqual(await leap, { kind: 'wait', until: new Date('2032-02-29T00:00:00.000Z') });
  });

  it('plans the wait', () => {
    assert.equal(connector.plan({ for: '10m' }, { now: () => NOW }).summary, 'wait 10m');
    assert.equal(connector.plan({ for: 1500 }, { now: () => NOW }).summary, 'wait 1500ms');
    assert.equal(connector.plan({ until: '2030-02-01T00:00:00Z' }, { now: () => NOW }).summary, 'wait until 2030-02-01T00:00:00.000Z');
  });
});
