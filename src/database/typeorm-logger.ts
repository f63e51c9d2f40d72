import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's own messages, through Hookflow's logger (one JSON object per line) instead of
 * TypeORM's console output. A failed query is the caller's to report, with what it means
 * (`Heartbeat failed: deadlock detected`), so here it is only a debug line naming the
 * statement; its parameters are never logged, since they can carry event data.
 */
export class TypeOrmNestLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string, _parameters?: unknown): void {
    this.logger.debug(`Query failed (${typeof error === 'string' ? error : error.message}): ${statementStart(query)}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`Slow query (${time} ms): ${statementStart(query)}`);
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.debug(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}

/** The first 120 characters of a statement, whitespace folded. */
function statementStart(query: string): string {
  const folded = query.replace(/\s+/g, ' ').trim();
  return folded.length > 120 ? `${folded.slice(0, 120)}…` : folded;
}
