import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { headerMapProblem, MANUAL_HEADERS_MAX_BYTES, MANUAL_HEADERS_MAX_COUNT } from './workflows.dto';

describe(headerMapProblem.name, () => {
  it('takes an object of header names to strings within the bounds', () => {
    assert.equal(headerMapProblem({}), undefined);
    assert.equal(headerMapProblem({ 'X-Request-Id': 'r-1', accept: '*/*', 'x-tab': 'a\tb' }), undefined);
  });

  it('says what is wrong with anything else', () => {
    const cases: [unknown, RegExp][] = [
      [null, /must be an object/],
      [['x-a: 1'], /must be an object/],
      ['x-a: 1', /must be an object/],
      [{ 'x-a': 1 }, /value of x-a must be a string/],
      [{ 'x-a': null }, /value of x-a must be a string/],
      [{ 'bad name': 'v' }, /"bad name" is not a header name/],
      [{ '': 'v' }, /is not a header name/],
      [{ ['x'.repeat(101)]: 'v' }, /is not a header name/],
      [{ 'x-a': 'one\r\ntwo' }, /value of x-a has a control character/],
      [{ 'x-a': 'nul\0' }, /control character/],
      [Object.fromEntries(Array.from({ length: MANUAL_HEADERS_MAX_COUNT + 1 }, (_, n) => [`x-${n}`, 'v'])), /at most 50 entries/],
      [{ 'x-big': 'v'.repeat(MANUAL_HEADERS_MAX_BYTES) }, /at most 16384 bytes/],
    ];
    for (const [headers, problem] of cases) assert.match(headerMapProblem(headers) ?? 'accepted', problem, JSON.stringify(headers).slice(0, 80));
  });
});
