import { Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { QueueDepth } from '../queue/queue-depth';
import { QueueService } from '../queue/queue.service';
import { Metrics } from './metrics';

/**
 * `hookflow_queue_depth{state}` and `hookflow_queue_oldest_job_age_seconds`, read from
 * graphile-worker's jobs table when Prometheus scrapes (the queue is shared, so every
 * process reports the same figures). A scrape that cannot reach the database keeps the
 * last values rather than failing the other metrics.
 */
@Injectable()
export class QueueGauges {
  private readonly logger = new Logger(QueueGauges.name);
  private sampling?: Promise<QueueDepth | undefined>;

  constructor(
    metrics: Metrics,
    private readonly queue: QueueService,
  ) {
    const sample = () => this.sampleOnce();
    new Gauge({
      name: 'hookflow_queue_depth',
      help: 'Queue jobs by state: ready (runnable now, waiting for a worker) or scheduled (retries and delays due later)',
      labelNames: ['state'],
      registers: [metrics.registry],
      async collect() {
        const queue = await sample();
        if (!queue) return;
        this.set({ state: 'ready' }, queue.ready);
        this.set({ state: 'scheduled' }, queue.scheduled);
      },
    });
    new Gauge({
      name: 'hookflow_queue_oldest_job_age_seconds',
      help: 'How long the oldest runnable job has been waiting for a worker (0 when none waits)',
      registers: [metrics.registry],
      async collect() {
        const queue = await sample();
        if (queue) this.set(queue.oldestAgeSeconds);
      },
    });
  }

  /** Both gauges are collected at once by a scrape: they share one round of queries. */
  private sampleOnce(): Promise<QueueDepth | undefined> {
    this.sampling ??= this.queue
      .depth()
      .catch((error: Error) => {
        this.logger.warn(`Could not read the queue for /metrics: ${error.message}`);
        return undefined;
      })
      .finally(() => (this.sampling = undefined));
    return this.sampling;
  }
}
