import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MinuteCounts } from './minute-counts';

const at = (time: string) => new Date(`2026-12-03T${time}Z`);

describe(MinuteCounts.name, () => {
  it('adds attempts per destination and minute, with total and longest durations', () => {
    const counts = new MinuteCounts();
    counts.add('smtp', at('12:00:01'), true, 10);
    counts.add('smtp', at('12:00:59'), false, 30.4);
    counts.add('smtp', at('12:01:00'), true, 5);
    counts.add('https://a.example', at('12:00:30'), true, 1);
    assert.deepEqual(counts.drain(), {
      destinations: ['smtp', 'smtp', 'https://a.example'],
      minutes: [at('12:00:00'), at('12:01:00'), at('12:00:00')],
      successes: [1, 1, 1],
      failures: [1, 0, 0],
      totals: [40, 5, 1],
      maxima: [30, 5, 1],
    });
    assert.deepEqual(counts.drain().destinations, [], 'drained');
  });

  it('answers what is not yet stored for a window, and takes back a batch that could not be', () => {
    const counts = new MinuteCounts();
    counts.add('smtp', at('12:00:10'), false, 1);
    counts.add('smtp', at('12:03:10'), true, 1);
    assert.deepEqual(counts.since('smtp', at('12:01:30').getTime()), { successes: 1, failures: 0 });
    assert.deepEqual(counts.since('smtp', at('12:00:30').getTime()), { successes: 1, failures: 1 }, 'the minute that holds the start counts');
    const batch = counts.drain();
    counts.add('smtp', at('12:03:20'), false, 7);
    counts.restore(batch);
    const again = counts.drain();
    assert.deepEqual(again.successes, [1, 0]);
    assert.deepEqual(again.failures, [1, 1]);
    assert.deepEqual(again.maxima, [7, 1]);
  });
});
