import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { QUEUE_SCHEMA } from '../queue/run-job';

const CHECK_TIMEOUT_MS = 2000;

/** Ready means: the database answers and the queue's schema is in place. */
@Injectable()
export class HealthService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async readiness(): Promise<{ status: 'ready'; checks: Record<string, 'ok'> }> {
    try {
      await withTimeout(this.dataSource.query(`SELECT 1 FROM ${QUEUE_SCHEMA}.migrations LIMIT 1`), CHECK_TIMEOUT_MS);
    } catch (error) {
      throw new DomainError('NOT_READY', `Database or queue not ready: ${(error as Error).message}`);
    }
    return { status: 'ready', checks: { database: 'ok', queue: 'ok' } };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}
