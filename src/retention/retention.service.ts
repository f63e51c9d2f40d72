import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { Settings } from '../config/settings';
import { Metrics } from '../observability/metrics';
import { emptyReport, PRUNED_TABLES, PruneReport, RetentionPruner } from './retention-pruner';

/** About once a minute (±20%, so that several workers drift apart); the first pass soon after start. */
const PASS_INTERVAL_MS = 60_000;
const FIRST_PASS_MS = { min: 5_000, max: 20_000 };
const BATCH_SIZE = 1_000;
const PAUSE_BETWEEN_BATCHES_MS = 20;

/**
 * Prunes events, runs and their history older than `HOOKFLOW_RETENTION` on a timer. Mounted
 * only in processes whose role runs workers; with several, each prunes and row locks are
 * skipped, so they share the work instead of waiting on each other.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionService.name);
  private readonly pruner: RetentionPruner;
  private timer?: NodeJS.Timeout;
  private pass?: Promise<PruneReport>;
  private stopped = false;

  constructor(
    private readonly settings: Settings,
    metrics: Metrics,
    @InjectDataSource() dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    this.pruner = new RetentionPruner((sql, parameters) => dataSource.query(sql, parameters), {
      batchSize: BATCH_SIZE,
      pauseMs: PAUSE_BETWEEN_BATCHES_MS,
      stopping: () => this.stopped,
      removed: (table, rows) => metrics.retentionRemoved(table, rows),
    });
  }

  /** `HOOKFLOW_RETENTION=0` (or `off`) keeps everything. */
  get enabled(): boolean {
    return this.settings.HOOKFLOW_RETENTION > 0;
  }

  onApplicationBootstrap(): void {
    if (this.enabled) this.schedule(FIRST_PASS_MS.min + Math.random() * (FIRST_PASS_MS.max - FIRST_PASS_MS.min));
  }

  /** Stops the timer and lets a pass under way end after its current statement, before the database closes. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass?.catch(() => undefined);
  }

  /**
   * One pass, removing what is older than the retention at `now` (nothing when retention is
   * off). Passes run one after another, never side by side. The timer calls it; tests too.
   */
  async runPass(now: Date = this.clock.now()): Promise<PruneReport> {
    const previous = this.pass?.catch(() => undefined) ?? Promise.resolve();
    const pass = previous.then(() => this.prune(now));
    this.pass = pass;
    try {
      return await pass;
    } finally {
      if (this.pass === pass) this.pass = undefined;
    }
  }

  private async prune(now: Date): Promise<PruneReport> {
    if (!this.enabled) return emptyReport();
    const started = performance.now();
    const cutoff = new Date(now.getTime() - this.settings.HOOKFLOW_RETENTION);
    const report = await this.pruner.prune(cutoff);
    const removed = PRUNED_TABLES.reduce((sum, table) => sum + report[table], 0);
    const line = {
      msg: `Retention removed ${removed} rows older than ${cutoff.toISOString()}`,
      ...report,
      duration_ms: Math.round(performance.now() - started),
    };
    if (removed > 0) this.logger.log(line);
    else this.logger.debug(line);
    return report;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runPass()
        .catch((error: Error) => this.logger.warn(`Retention pass failed (tried again at the next one): ${error.message}`))
        .finally(() => this.schedule(PASS_INTERVAL_MS * (0.8 + Math.random() * 0.4)));
    }, delayMs).unref();
  }
}
