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

  it('hides a password wherever the PostgreSQL client would read one', () => {
    const cases: [string, string][] = [
      ['postgres://:s3cret@db/x', 'postgres://:***@db/x'],
      ['postgres://u:s3c@ret@db/x', 'postgres://u:***@db/x'],
      ['postgres://u:s3c:ret@db:5432/x', 'postgres://u:***@db:5432/x'],
      ['postgresql://u@db/x?sslmode=require&password=s3cret', 'postgresql://u@db/x?sslmode=require&password=***'],
      ['postgres://u@db/x?sslpassword=s3cret&application_name=a', 'postgres://u@db/x?sslpassword=***&application_name=a'],
      ['postgres://u@db:5432/x', 'postgres://u@db:5432/x'],
    ];
    for (const [url, safe] of cases) {
      assert.equal(new DatabaseConnection(url).safeUrl, safe);
      assert.ok(!new DatabaseConnection(url).address.includes('s3c'));
    }
  });
});
