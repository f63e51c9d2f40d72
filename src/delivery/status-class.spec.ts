import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statusClassOf } from './status-class';

describe(statusClassOf.name, () => {
  it('groups answers by the first digit of their status', () => {
    assert.equal(statusClassOf({ status: 200 }), '2xx');
    assert.equal(statusClassOf({ status: 204 }), '2xx');
    assert.equal(statusClassOf({ status: 302 }), '3xx');
    assert.equal(statusClassOf({ status: 429 }), '4xx');
    assert.equal(statusClassOf({ status: 503 }), '5xx');
  });

  it('tells a timeout apart from other failures without an answer', () => {
    assert.equal(statusClassOf({ timedOut: true }), 'timeout');
    assert.equal(statusClassOf({}), 'error');
  });

  it('counts a body that timed out after its status arrived as a timeout', () => {
    assert.equal(statusClassOf({ status: 200, timedOut: true }), 'timeout');
  });

  it('counts a status outside HTTP (an SMTP reply code is in range; garbage is not) as error', () => {
    assert.equal(statusClassOf({ status: 250 }), '2xx');
    assert.equal(statusClassOf({ status: 999 }), 'error');
  });
});
