import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { HandedOverRun, RunHandOff, RunTaker } from '../events/run-hand-off';
import { RunExecutor } from './run-executor';
import { RUN_LEASE_SECONDS, RunStore } from './run-store';

/**
 * Handed-over runs in progress at once; beyond that ingress queues them as jobs, which the
 * workers take up at their own pace. The same as the workers' concurrency: each waiting run
 * holds its event in memory.
 */
export const DIRECT_RUNS_CAPACITY = 512;
/** A run whose execution failed (the database went away, say) is tried again by a queue job after this long. */
const FAILED_RUN_RETRY_MS = 2_000;
/**
 * Queueing it fails too while the database is away: try every second for about as long as
 * the claim holds. Past that, its claim lapses and a heartbeat queues it.
 */
const REQUEUE_TRIES = 15;
const REQUEUE_PAUSE_MS = 1_000;

/**
 * The engine's side of RunHandOff: executes the runs this process's ingress stored already
 * claimed for it, without a queue job. Started and stopped with the workers.
 */
@Injectable()
export class DirectRuns implements RunTaker {
  readonly leaseSeconds = RUN_LEASE_SECONDS;
  owner = '';
  private readonly logger = new Logger(DirectRuns.name);
  /** Reserved and executing runs. */
  private held = 0;
  private accepting = false;
  private readonly whenEmpty = new Set<() => void>();

  constructor(
    private readonly handOff: RunHandOff,
    private readonly executor: RunExecutor,
    private readonly store: RunStore,
    private readonly clock: Clock,
  ) {}

  /** Runs reserved or executing now. */
  get inProgress(): number {
    return this.held;
  }

  start(owner: string): void {
    this.owner = owner;
    this.accepting = true;
    this.handOff.attach(this);
  }

  /**
   * Takes no more runs and waits up to `graceMs` for those in progress. Any still running
   * then keep their claim until it lapses; another process's heartbeat puts them back on
   * the queue, as after a crash.
   */
  async stop(graceMs: number): Promise<void> {
    this.accepting = false;
    this.handOff.detach(this);
    if (this.held === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((done) => this.whenEmpty.add(done)), new Promise<void>((done) => (timer = setTimeout(done, graceMs)))]);
    clearTimeout(timer);
    if (this.held > 0) this.logger.warn(`${this.held} run(s) still in progress at shutdown; they resume elsewhere once their claim lapses`);
  }

  reserve(): boolean {
    if (!this.accepting || this.held >= DIRECT_RUNS_CAPACITY) return false;
    this.held++;
    return true;
  }

  unreserve(): void {
    this.held--;
    if (this.held > 0) return;
    for (const done of this.whenEmpty) done();
    this.whenEmpty.clear();
  }

  take({ run, event, claimedAt }: HandedOverRun): void {
    const claimed = {
      id: run.id,
      workflow: run.workflow,
      workflowVersion: run.workflowVersion,
      eventId: event.id,
      event,
      steps: new Map(),
      kind: 'steps' as const,
      failure: null,
      deadline: run.timeoutMs === null ? null : new Date(this.clock.now().getTime() + run.timeoutMs),
    };
    this.executor
      .executeClaimed(claimed, this.owner, claimedAt)
      .catch(async (error: Error) => {
        this.logger.warn({ msg: `Run ${run.id} stopped: ${error.message}; it will be tried again`, run_id: run.id, event_id: event.id });
        await this.requeue(run.id);
      })
      .finally(() => this.unreserve());
  }

  /** Hands a run whose execution failed to the queue, to be tried again as a failed job would be. */
  private async requeue(runId: string): Promise<void> {
    for (let tries = 1; tries <= REQUEUE_TRIES; tries++) {
      try {
        return await this.store.retryLater(runId, FAILED_RUN_RETRY_MS);
      } catch {
        if (tries < REQUEUE_TRIES) await new Promise((done) => setTimeout(done, REQUEUE_PAUSE_MS));
      }
    }
  }
}
