import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scaleSample } from './queue-depth';

describe(scaleSample.name, () => {
  it('scales the sampled shares of ready and scheduled jobs up to the estimated table size', () => {
    assert.deepEqual(scaleSample({ ready: 919, scheduled: 308, sampled: 1227 }, 100_000), { ready: 74_898, scheduled: 25_102 });
  });

  it('leaves out sampled rows that are neither (locked or out of attempts)', () => {
    assert.deepEqual(scaleSample({ ready: 10, scheduled: 0, sampled: 20 }, 200_000), { ready: 100_000, scheduled: 0 });
  });

  it('answers zero when the sample caught no rows', () => {
    assert.deepEqual(scaleSample({ ready: 0, scheduled: 0, sampled: 0 }, 150_000), { ready: 0, scheduled: 0 });
  });
});
