import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { QueueService } from '../queue/queue.service';

const CHECK_TIMEOUT_MS = 2000;

/** Ready means: the database answers and the queue's schema is in place. */
@Injectable()
export class HealthService {
  constructor(private readonly queue: QueueService) {}

  async readiness(): Promise<{ status: 'ready'; checks: Record<string, 'ok'> }> {
    try {
      await withTimeout(this.queue.checkReady(), CHECK_TIMEOUT_MS);
    } catch (error) {
      throw new DomainError('NOT_READY', `Database or queue not ready: ${(error as Error).message}`);
    }
    return { status: 'ready', checks: { database: 'ok', queue: 'ok' } };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
