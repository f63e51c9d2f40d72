import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { createdAtOfRunId } from './run-reporter';

describe(createdAtOfRunId.name, () => {
  it('reads the creation time out of a UUIDv7 run id', () => {
    const at = Date.UTC(2026, 10, 26, 12, 0, 0, 123);
    assert.equal(createdAtOfRunId(uuidv7({ msecs: at })), at);
  });

  it('answers undefined for ids that carry no time', () => {
    assert.equal(createdAtOfRunId(uuidv4()), undefined);
    assert.equal(createdAtOfRunId('not-a-uuid'), undefined);
  });
});
