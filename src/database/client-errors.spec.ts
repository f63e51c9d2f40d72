import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Pool } from 'pg';
import { keepClientErrorsHandled } from './client-errors';

describe(keepClientErrorsHandled.name, () => {
  it('gives a client an error listener when it is checked out, once, so that a lost connection cannot end the process', () => {
    const pool = new EventEmitter();
    keepClientErrorsHandled(pool as unknown as Pool);
    const client = new EventEmitter();
    assert.throws(() => client.emit('error', new Error('before')), /before/, 'an unhandled error event throws');
    pool.emit('acquire', client);
    pool.emit('acquire', client);
    assert.equal(client.listenerCount('error'), 1);
    assert.doesNotThrow(() => client.emit('error', new Error('terminating connection due to administrator command')));
  });
});
