import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DestinationGate } from './destination-gate';

describe(DestinationGate.name, () => {
  it('admits attempts to a destination up to its limit and refuses the next one', () => {
    const gate = new DestinationGate(2);
    assert.equal(gate.tryEnter('http://slow:1'), true);
    assert.equal(gate.tryEnter('http://slow:1'), true);
    assert.equal(gate.tryEnter('http://slow:1'), false);
    assert.equal(gate.inFlightTo('http://slow:1'), 2);
  });

  it('keeps destinations apart: a full one does not refuse another', () => {
    const gate = new DestinationGate(1);
    assert.equal(gate.tryEnter('http://slow:1'), true);
    assert.equal(gate.tryEnter('http://fast:2'), true);
  });

  it('frees a place when an attempt leaves, and forgets idle destinations', () => {
    const gate = new DestinationGate(1);
    gate.tryEnter('http://slow:1');
    gate.leave('http://slow:1');
    assert.equal(gate.inFlightTo('http://slow:1'), 0);
    assert.equal(gate.tryEnter('http://slow:1'), true);
    gate.leave('http://slow:1');
    gate.leave('http://slow:1');
    assert.equal(gate.inFlightTo('http://slow:1'), 0, 'an extra leave does not go negative');
  });
});
