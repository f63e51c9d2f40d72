import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { Settings } from '../config/settings';
import { MatchNote } from '../events/event.entity';
import { syntheticEvent } from '../events/inbound-event';
import { deadlineAfter } from '../events/pending-run';
import { TriggerMatcher } from '../events/trigger-matcher';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { enqueueRun } from '../queue/run-job';
import { ScheduleClock, ScheduledTick, TICK_GRACE_MS } from './schedule-clock';

/** Source and type of the synthetic events that scheduled runs start from. */
export const SCHEDULE_SOURCE = 'schedule';

/** setTimeout overflows past ~24.8 days; far ticks are reached in hops of this. */
const MAX_TIMER_MS = 3_600_000;
/** A tick whose statement failed (database unreachable) is tried again this often, within the grace. */
const RETRY_MS = 5_000;

export interface FiredTick {
  workflow: string;
  tickAt: Date;
  /** The run this process started; `null` when another process had already started the tick. */
  runId: string | null;
}

/**
 * Starts the runs of scheduled workflows (`on: { schedule, timezone }`) in every process
 * whose role runs workers. Each tick is claimed by inserting its `schedule_ticks` row in the
 * same statement that stores the run's event, run and queue job, so any number of processes
 * start exactly one run per tick, and a tick is never recorded without its run.
 *
 * Ticks that fell due while no process was running are not backfilled; a tick that a timer
 * reaches less than a minute late (busy event loop, short pause) still fires.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(SchedulerService.name);
  private readonly schedule = new ScheduleClock();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly wakeUps = new Set<() => void>();
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly matcher: TriggerMatcher,
    private readonly settings: Settings,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.replan();
    this.subscription = this.registry.changes$.subscribe(() => this.replan());
  }

  /** The first shutdown hook: from here on no tick fires. */
  onModuleDestroy(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
    clearTimeout(this.timer);
    for (const wakeUp of this.wakeUps) wakeUp();
  }

  /** Lets a statement already sent finish before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    this.onModuleDestroy();
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Starts the run of every tick due at `now` that this process has not taken yet. The timer
   * calls it with the current time; tests call it to force the tick of a chosen time. Rejects
   * when a tick could not be stored within its grace (already logged).
   */
  async fireDue(now: Date): Promise<FiredTick[]> {
    if (this.stopped) return [];
    const { due, missed } = this.schedule.take(now);
    for (const tick of missed) {
      this.logger.warn(`Skipped ticks of ${tick.workflow.name} from ${tick.at.toISOString()}: over a minute late (ticks are not backfilled)`);
    }
    this.arm();
    return Promise.all(due.map((tick) => this.track(this.fire(tick, now))));
  }

  private replan(): void {
    for (const problem of this.schedule.plan(this.registry.workflows(), this.clock.now())) this.logger.error(problem);
    this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    const next = this.schedule.next();
    if (this.stopped || !next) return;
    const delay = Math.min(Math.max(next.getTime() - this.clock.now().getTime(), 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => void this.fireDue(this.clock.now()).catch(() => undefined), delay).unref();
  }

  private async fire(tick: ScheduledTick, now: Date): Promise<FiredTick> {
    const deadline = this.clock.now().getTime() + TICK_GRACE_MS - (now.getTime() - tick.at.getTime());
    for (;;) {
      try {
        return await this.start(tick);
      } catch (error) {
        const retry = !this.stopped && this.clock.now().getTime() + RETRY_MS < deadline;
        if (retry) await this.pause(RETRY_MS);
        if (!retry || this.stopped) {
          this.logger.error(`Could not start the ${tick.at.toISOString()} tick of ${tick.workflow.name}: ${(error as Error).message}`);
          throw error;
        }
      }
    }
  }

  /** One statement: claims the tick and, only if this process claimed it, stores its event, run and job. */
  private async start({ workflow, at }: ScheduledTick): Promise<FiredTick> {
    const body = { workflow: workflow.name, scheduled_for: at.toISOString() };
    const event = syntheticEvent({ source: SCHEDULE_SOURCE, type: SCHEDULE_SOURCE, body, receivedAt: this.clock.now() });
    const notes: MatchNote[] = [];
    const run = this.matcher.startRun(event, workflow, this.settings.secrets, notes);
    const [{ started }] = await this.dataSource.query<{ started: number }[]>(START_SCHEDULED_RUN, [
      workflow.name,
      at.toISOString(),
      event.id,
      event.receivedAt.toISOString(),
      event.rawBody,
      JSON.stringify(notes),
      run.id,
      run.workflowVersion,
      run.concurrencyKey,
      run.timeoutMs,
    ]);
    if (started === 0) return { workflow: workflow.name, tickAt: at, runId: null };
    this.logger.log(`Started run ${run.id} of ${workflow.name} for its ${at.toISOString()} tick`);
    return { workflow: workflow.name, tickAt: at, runId: run.id };
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const forget = () => this.inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Waits `ms`, or less if shutdown begins meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wakeUp = () => {
        clearTimeout(timer);
        this.wakeUps.delete(wakeUp);
        resolve();
      };
      const timer = setTimeout(wakeUp, ms).unref();
      this.wakeUps.add(wakeUp);
    });
  }
}

/**
 * The tick row is the claim: when another process inserted it first, nothing else is
 * written. Otherwise the event, the run and its job follow in the same transaction.
 */
const START_SCHEDULED_RUN = `
  WITH tick AS (
    INSERT INTO schedule_ticks (workflow, tick_at, run_id) VALUES ($1::text, $2::timestamptz, $7::uuid)
    ON CONFLICT (workflow, tick_at) DO NOTHING
    RETURNING run_id
  ),
  event AS (
    INSERT INTO events (id, source, type, dedupe_key, received_at, headers, query, content_type, body,
                        body_format, runs_count, match_notes)
    SELECT $3::uuid, '${SCHEDULE_SOURCE}', '${SCHEDULE_SOURCE}', NULL, $4::timestamptz, '{}'::jsonb, '',
           'application/json', $5::bytea, 'json', 1, $6::jsonb
      FROM tick
    RETURNING id
  ),
  run AS (
    INSERT INTO runs (id, event_id, workflow, workflow_version, status, concurrency_key, created_at, timeout_ms, deadline)
    SELECT $7::uuid, event.id, $1::text, $8::text, 'queued', $9::text, now(), $10::bigint, ${deadlineAfter('$10::bigint')} FROM event
    RETURNING id
  ),
  job AS (
    SELECT ${enqueueRun('run.id', 'now()')} AS job FROM run
  )
  SELECT (SELECT count(*) FROM job)::int AS started`;
