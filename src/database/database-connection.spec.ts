import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DatabaseConnection } from './database-connection';

describe(DatabaseConnection.name, () => {
  it('names host, port and database without the credentials', () => {
    const connection = new DatabaseConnection('postgres://hookflow:s3cret@db.internal:6543/events');
    assert.equal(connection.address, 'db.internal:6543/events');
    assert.equal(connection.safeUrl, 'postgres://hookflow:***@db.internal:6543/events');
  });

  it('assumes the default port, and falls back to the safe URL when there is no host', () => {
    assert.equal(new DatabaseConnection('postgres://u:p@localhost/hookflow').address, 'localhost:5432/hookflow');
    assert.equal(new DatabaseConnection('postgres://u:p@/hookflow?host=/var/run/postgresql').address, 'postgres://u:***@/hookflow?host=/var/run/postgresql');
  });
});
