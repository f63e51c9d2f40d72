import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger, LoggerService } from '@nestjs/common';
import { TypeOrmNestLogger } from './typeorm-logger';

function captured(): { lines: { level: string; message: string }[]; logger: LoggerService } {
  const lines: { level: string; message: string }[] = [];
  const record = (level: string) => (message: unknown) => void lines.push({ level, message: String(message) });
  return { lines, logger: { log: record('log'), error: record('error'), warn: record('warn'), debug: record('debug'), verbose: record('verbose') } };
}

describe(TypeOrmNestLogger.name, () => {
  it('reports a failed query at debug by its statement, never with its parameters', () => {
    const { lines, logger } = captured();
    Logger.overrideLogger(logger);
    try {
      new TypeOrmNestLogger().logQueryError(new Error('deadlock detected'), 'UPDATE runs\n   SET lease_until = now()  WHERE id = ANY($1)', [
        'body-with-a-customer-secret',
      ]);
      new TypeOrmNestLogger().logQuery();
    } finally {
      Logger.overrideLogger(false);
    }
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, 'debug');
    assert.equal(lines[0].message, 'Query failed (deadlock detected): UPDATE runs SET lease_until = now() WHERE id = ANY($1)');
    assert.ok(!lines.some((line) => line.message.includes('customer-secret')));
  });
});
