import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from './heap-growth';

describe('heapGrowthFlag', () => {
  it('limits the growth of the old generation by default', () => {
    assert.equal(heapGrowthFlag(['--enable-source-maps']), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  });

  it('leaves a value given on the command line alone', () => {
    assert.equal(heapGrowthFlag(['--heap-growing-percent=200']), undefined);
  });
});
