import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DestinationGate } from './destination-gate';

describe(DestinationGate.name, () => {
  const at = (time: { now: number }) => () => time.now;

  it('lets a destination that keeps answering go beyond its fair share', () => {
    const time = { now: 0 };
    const gate = new DestinationGate(2, 1_000, at(time));
    gate.tryEnter('http://busy:1');
    gate.tryEnter('http://busy:1');
    time.now = 900;
    assert.ok(gate.tryEnter('http://busy:1'), 'its oldest attempt is younger than a second');
    assert.equal(gate.inFlightTo('http://busy:1'), 3);
  });

  it('refuses a slow destination beyond its fair share, and only that one', () => {
    const time = { now: 0 };
    const gate = new DestinationGate(2, 1_000, at(time));
    gate.tryEnter('http://slow:1');
    gate.tryEnter('http://slow:1');
    time.now = 1_001;
    assert.equal(gate.tryEnter('http://slow:1'), undefined);
    assert.ok(gate.tryEnter('http://fast:2'), 'another destination is not held back');
  });

  it('always admits a slow destination up to its fair share', () => {
    const time = { now: 0 };
    const gate = new DestinationGate(2, 1_000, at(time));
    gate.tryEnter('http://slow:1');
    time.now = 60_000;
    assert.ok(gate.tryEnter('http://slow:1'));
  });

  it('judges by the oldest attempt still in flight, and forgets idle destinations', () => {
    const time = { now: 0 };
    const gate = new DestinationGate(2, 1_000, at(time));
    const first = gate.tryEnter('http://slow:1')!;
    time.now = 500;
    const second = gate.tryEnter('http://slow:1')!;
    time.now = 1_200;
    assert.equal(gate.tryEnter('http://slow:1'), undefined, 'the first attempt is 1.2 s old');
    gate.leave(first);
    assert.ok(gate.tryEnter('http://slow:1'), 'the oldest left is 0.7 s old');
    gate.leave(second);
    gate.leave(second);
    assert.equal(gate.inFlightTo('http://slow:1'), 1, 'a pass given back twice counts once');
  });
});
