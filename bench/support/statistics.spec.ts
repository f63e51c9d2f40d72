import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, percentile } from './statistics';

describe('median', () => {
  it('takes the middle of an odd count regardless of order', () => {
    assert.equal(median([9000, 3000, 5000]), 5000);
  });

  it('averages the two middle values of an even count', () => {
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });
});

describe('percentile', () => {
  it('answers the nearest-rank value of sorted latencies', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, index) => index + 1);
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile(sorted, 100), 100);
  });

  it('answers 0 when nothing succeeded', () => {
    assert.equal(percentile(new Float64Array(0), 99), 0);
  });
});
