import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidStepInputError } from './invalid-step-input.error';
import { parseExpectation } from './status-expectation';

const accepted = (expect: unknown, statuses: number[]) => statuses.filter((status) => parseExpectation(expect).matches(status));
const SAMPLE = [199, 200, 204, 299, 300, 404, 409, 500];

describe('parseExpectation', () => {
  it('counts any 2xx as success by default', () => {
    assert.deepEqual(accepted(undefined, SAMPLE), [200, 204, 299]);
  });

  it('reads exact statuses, classes, ranges and lists of them', () => {
    assert.deepEqual(accepted(404, SAMPLE), [404]);
    assert.deepEqual(accepted('4xx', SAMPLE), [404, 409]);
    assert.deepEqual(accepted('200-300', SAMPLE), [200, 204, 299, 300]);
    assert.deepEqual(accepted([200, '404', '409-409'], SAMPLE), [200, 404, 409]);
  });

  it('rejects anything else as invalid input', () => {
    for (const value of ['ok', 700, '300-200', [], { status: 200 }, '2xx,4xx', 200.5]) {
      assert.throws(() => parseExpectation(value), InvalidStepInputError, JSON.stringify(value));
    }
  });
});
