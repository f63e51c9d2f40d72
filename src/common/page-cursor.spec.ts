import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from './domain-error';
import { decodeCursor, encodeCursor } from './page-cursor';

const ID = '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b';
const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('page cursor', () => {
  it('gives back the page end it was made from, microseconds included', () => {
    const end = { at: '2024-02-29T23:59:59.999999Z', id: ID };
    assert.deepEqual(decodeCursor(encodeCursor(end)), end);
  });

  it('refuses with INVALID_CURSOR anything that is not a cursor it made, before it can reach SQL', () => {
    for (const cursor of [
      '',
      'not-a-cursor',
      forged(['2024-05-01 12:00:00+00', ID]),
      forged(['1', ID]),
      forged(['-100000-01-01T00:00:00.000000Z', ID]),
      forged(['2023-02-29T00:00:00.000000Z', ID]),
      forged(['2024-05-01T24:00:00.000000Z', ID]),
      forged(['2024-05-01T12:00:00.000000Z', 'not-a-uuid']),
      forged(['2024-05-01T12:00:00.000000Z', `${ID}'; --`]),
      forged(['2024-05-01T12:00:00.000000Z', ID, 'extra']),
      forged({ 0: '2024-05-01T12:00:00.000000Z', 1: ID, length: 2 }),
      forged([null, ID]),
    ]) {
      assert.throws(
        () => decodeCursor(cursor),
        (error: unknown) => error instanceof DomainError && error.code === 'INVALID_CURSOR',
        cursor,
      );
    }
  });
});
