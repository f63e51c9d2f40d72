import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Runner, WorkerUtils } from 'graphile-worker';
import { Pool } from 'pg';
import { DatabaseConnection } from '../database/database-connection';
import { createQueuePool } from '../queue/queue-pool';
import { QueueService } from '../queue/queue.service';
import { queueUtils, startRunWorkers } from '../queue/run-workers';
import { SupervisedRunner } from '../queue/supervised-runner';
import { DirectRuns } from './direct-runs';
import { RunExecutor } from './run-executor';
import { RunStore } from './run-store';

/**
 * Runs mostly wait on receivers; their database writes are batched, so many can be in
 * flight at once without many connections (a few dozen capped end-to-end delivery).
 * A waiting run costs a promise, so there are enough for receivers answering in 500 ms
 * at several hundred events a second; the destination gate keeps one that stops
 * answering from taking them all.
 */
export const CONCURRENT_RUNS = 512;
const HEARTBEAT_INTERVAL_MS = 5_000;
/** Overdue runs cancelled per statement by the heartbeat's sweep. */
const TIME_OUT_BATCH = 500;
/** A worker silent for this long is dead: its jobs are released for others. */
const STALE_AFTER_SECONDS = 15;
/** How long shutdown waits for the runs taken straight from ingress; graphile-worker waits as long for its jobs. */
const DIRECT_RUNS_GRACE_MS = 5_000;

/**
 * The queue workers of this process (graphile-worker), and the runs it takes straight from
 * its own ingress (DirectRuns). graphile-worker itself would leave a dead process's jobs
 * locked for hours; each process therefore writes a heartbeat for its workers, and every
 * process releases the jobs of workers whose heartbeat went stale and queues the runs whose
 * claim lapsed with no job behind them, so a crashed process's runs resume within about
 * 25 seconds.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Identifies this process in run leases and heartbeats. */
  readonly processId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly logger = new Logger(WorkerService.name);
  private readonly runner = new SupervisedRunner({
    start: (events) => this.startRunner(events),
    releaseJobsOf: (workerIds) => this.releaseJobsOf(workerIds),
  });
  private utils?: WorkerUtils;
  private pool?: Pool;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly connection: DatabaseConnection,
    private readonly executor: RunExecutor,
    private readonly directRuns: DirectRuns,
    private readonly store: RunStore,
    private readonly queue: QueueService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.pool = createQueuePool(this.connection.url, 14);
    this.utils = await queueUtils(this.pool);
    await this.runner.start();
    this.directRuns.start(this.processId);
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch((error: Error) => this.logger.warn(`Heartbeat failed: ${error.message}`)), HEARTBEAT_INTERVAL_MS);
    this.logger.log(`${CONCURRENT_RUNS} run workers started (${this.processId})`);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    const hadWorkers = this.runner.workerIds.size > 0;
    await Promise.all([this.directRuns.stop(DIRECT_RUNS_GRACE_MS), this.runner.stop()]);
    if (hadWorkers) {
      await this.queue.forgetProcess(this.processId).catch(() => undefined);
    }
    await this.utils?.release();
    this.utils = undefined;
    await this.pool?.end();
    this.pool = undefined;
  }

  /** graphile-worker's runner; SupervisedRunner starts a new one if it stops on its own. */
  private startRunner(events: EventEmitter): Promise<Runner> {
    if (!this.pool) throw new Error('The queue pool is not open');
    return startRunWorkers(this.pool, {
      concurrency: CONCURRENT_RUNS,
      events,
      execute: (runId) => this.executor.execute(runId, this.processId),
    });
  }

  /** Proves this process alive, renews its run leases, and frees the runs and jobs of dead ones. */
  private async beat(): Promise<void> {
    const ids = [...this.runner.workerIds];
    await this.queue.recordHeartbeat(ids, this.processId);
    await this.executor.renewLeases(this.processId);
    await this.releaseJobsOfDeadWorkers();
    const requeued = await this.store.requeueLapsedRuns();
    if (requeued > 0) this.logger.warn(`Put ${requeued} run(s) whose claim lapsed back on the queue`);
    await this.timeOutOverdueRuns();
  }

  /**
   * Runs that wake at their deadline are cancelled by their own job; this catches those no
   * job will wake (behind an earlier run with their key, paused) and those busy in an attempt.
   */
  private async timeOutOverdueRuns(): Promise<void> {
    for (;;) {
      const timedOut = await this.store.timeOutRuns(TIME_OUT_BATCH);
      if (timedOut.length > 0) this.logger.log(`Cancelled ${timedOut.length} run(s) past their workflow's timeout`);
      if (timedOut.length < TIME_OUT_BATCH) return;
    }
  }

  private async releaseJobsOfDeadWorkers(): Promise<void> {
    const silent = await this.queue.workersHoldingJobsSilentFor(STALE_AFTER_SECONDS);
    const dead = silent.filter((id) => !this.runner.workerIds.has(id));
    if (dead.length === 0) return;
    await this.releaseJobsOf(dead);
    this.logger.warn(`Released the jobs of ${dead.length} worker(s) that stopped answering: ${dead.join(', ')}`);
  }

  private async releaseJobsOf(workerIds: string[]): Promise<void> {
    if (!this.utils) return;
    await this.utils.forceUnlockWorkers(workerIds);
    await this.queue.forgetWorkers(workerIds);
  }
}
