import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { Runner } from 'graphile-worker';

/** Waits before starting the workers again, growing while the database stays away. */
const RESTART_DELAYS_MS = [500, 1_000, 2_000, 5_000];

export interface SupervisedRunnerOptions {
  /** Starts a graphile-worker runner that reports its pool and workers on `events`. */
  start(events: EventEmitter): Promise<Runner>;
  /** Hands the jobs held by these (stopped) workers back to the queue. */
  releaseJobsOf(workerIds: string[]): Promise<void>;
  restartDelaysMs?: number[];
}

interface Started {
  runner: Runner;
  /** Its pool's id and its workers' ids: the `locked_by` of the jobs it holds. */
  workerIds: Set<string>;
}

/**
 * Keeps graphile-worker's runner going for the life of the process. graphile-worker shuts
 * its worker pool down for good when it cannot record the end of a job (its batcher gives
 * up at the first failed statement, as when PostgreSQL restarts), and after several such
 * failures that shutdown never completes (the batcher's count of pending batches goes
 * wrong); the process would stay up, answer 2xx, and run nothing. So on the pool's fatal
 * error (or any end of the runner not asked for) the old runner is left to wind down on
 * its own, the jobs its workers held are handed back, and a new runner starts, retrying
 * with backoff while the database is away. A run whose job is handed back while an old
 * worker still executes it waits for that execution (RunExecutor runs a run once at a time).
 */
export class SupervisedRunner {
  private readonly logger = new Logger('Queue');
  private current?: Started;
  private stopping = false;
  private failures = 0;
  private restartTimer?: NodeJS.Timeout;

  constructor(private readonly options: SupervisedRunnerOptions) {}

  /** The ids of the running pool and workers (heartbeats are written for these). */
  get workerIds(): ReadonlySet<string> {
    return this.current?.workerIds ?? new Set();
  }

  async start(): Promise<void> {
    const workerIds = new Set<string>();
    const events = new EventEmitter();
    events.on('pool:create', ({ workerPool }: { workerPool: { id: string } }) => workerIds.add(workerPool.id));
    events.on('worker:create', ({ worker }: { worker: { workerId: string } }) => workerIds.add(worker.workerId));
    let started: Started | undefined;
    events.on('pool:fatalError', ({ error }: { error: unknown }) => this.ended(started, error));
    started = { runner: await this.options.start(events), workerIds };
    this.current = started;
    started.runner.promise.then(
      () => this.ended(started),
      (error: unknown) => this.ended(started, error),
    );
  }

  /** Stops the workers after their current jobs; no restart follows. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const current = this.current;
    this.current = undefined;
    await current?.runner.stop();
  }

  private ended(started: Started | undefined, error?: unknown): void {
    if (this.stopping || !started || this.current !== started) return;
    this.current = undefined;
    const reason = error === undefined ? '' : ` (${(error as Error)?.message ?? String(error)})`;
    this.logger.warn(`The queue workers stopped on their own${reason}; starting new ones`);
    this.restartLater([...started.workerIds]);
  }

  private restartLater(stoppedWorkers: string[]): void {
    const delays = this.options.restartDelaysMs ?? RESTART_DELAYS_MS;
    const delay = delays[Math.min(this.failures, delays.length - 1)];
    this.restartTimer = setTimeout(() => void this.restart(stoppedWorkers), delay);
  }

  private async restart(stoppedWorkers: string[]): Promise<void> {
    if (this.stopping) return;
    try {
      // Otherwise their jobs would wait until the heartbeat sweep finds them stale.
      if (stoppedWorkers.length > 0) await this.options.releaseJobsOf(stoppedWorkers);
      stoppedWorkers = [];
      await this.start();
    } catch (error) {
      this.failures++;
      this.logger.warn(`Could not start the queue workers again (${(error as Error).message}); retrying`);
      return this.restartLater(stoppedWorkers);
    }
    this.failures = 0;
    this.logger.warn('The queue workers run again');
    if (this.stopping) await this.stop();
  }
}
