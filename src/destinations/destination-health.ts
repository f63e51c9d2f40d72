import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Subscription } from 'rxjs';
import { Clock } from '../common/clock';
import { queryRows } from '../database/query-rows';
import { StepOutcome } from '../connectors/connector';
import { Metrics } from '../observability/metrics';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { breakerVerdict, DestinationView, isBreakerFailure, openingReason, WAIT_BACKSTOP_MS } from './breaker';
import { DestinationPolicies, DestinationPolicy } from './destination-policy';
import { DestinationState } from './destination.entity';
import * as sql from './destination-statements';
import { MinuteCounts } from './minute-counts';

/** How often a process reads the destinations others changed, and wakes due probes. */
export const DESTINATION_POLL_MS = 1_000;
const FLUSH_MS = 5_000;
/** Outcomes per minute are kept this long, for the console's day chart. */
const KEEP_MINUTES_HOURS = 25;
/**
 * A run whose rate limit slot is further off than `SLOT_WAIT_IN_WORKER_MS` lets its worker
 * go and is picked up again this long before the slot: the queue finds jobs due later by
 * polling every 500 ms.
 */
const SLOT_WAKE_AHEAD_MS = 1_000;
/** A slot at most this far off is waited for in the worker: a run woken ahead of its slot waits out the rest. */
const SLOT_WAIT_IN_WORKER_MS = 1_500;

/** Whether a step may make its attempt now, and if not, until when it waits or why it fails. */
export type Admission = { kind: 'go'; probe: boolean } | { kind: 'wait'; until: Date; reason: string } | { kind: 'fail'; reason: string };

export interface StepRef {
  runId: string;
  stepId: string;
  /** How long the attempt may take: the probe holds its place this long, and a little more. */
  timeoutMs: number;
}

interface ViewRow {
  id: string;
  state: DestinationState;
  held_manually: boolean;
  consecutive_failures: number;
  opened_at: Date | null;
  probe_at: Date | null;
  probe_until: Date | null;
  version: string;
}

/** A destination's state as last learnt by this process (`Clock.monotonicMs()`). */
interface KnownView extends DestinationView {
  learntAt: number;
}

const GO: Admission = Object.freeze({ kind: 'go', probe: false });
const PROBE_GRACE_MS = 5_000;

/**
 * The circuit breaker and rate limit of every destination, shared by all processes through
 * PostgreSQL. A healthy destination without a rate limit costs nothing per attempt: each
 * process keeps the few destinations that are failing or open in memory (refreshed every
 * second, and at once by its own changes), and only failures, probes and rate-limited
 * attempts touch the database. Outcomes are counted per minute in memory and added to
 * `destination_minutes` every few seconds.
 */
@Injectable()
export class DestinationHealth implements OnModuleDestroy {
  private readonly logger = new Logger('Destinations');
  private readonly views = new Map<string, KnownView>();
  private readonly minutes = new MinuteCounts();
  private policies: DestinationPolicies;
  private readonly policyChanges: Subscription;
  private pollTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private lastPrune = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: WorkflowRegistry,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {
    this.policies = new DestinationPolicies(registry.destinationSettings());
    this.policyChanges = registry.changes$.subscribe(() => (this.policies = new DestinationPolicies(registry.destinationSettings())));
  }

  /** Starts following the shared state: processes that execute steps call this once. */
  startWatching(): void {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => void this.poll(), DESTINATION_POLL_MS).unref();
    this.flushTimer = setInterval(() => void this.flush(), FLUSH_MS).unref();
    void this.poll();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.pollTimer);
    clearInterval(this.flushTimer);
    this.policyChanges.unsubscribe();
    await this.polling;
    await this.flush();
  }

  policyOf(destination: string): DestinationPolicy {
    return this.policies.of(destination);
  }

  /** Asks the breaker, then the rate limit, whether the step may make its attempt to `destination` now. */
  async admit(destination: string, step: StepRef): Promise<Admission> {
    const policy = this.policies.of(destination);
    let verdict = breakerVerdict(this.views.get(destination), policy.breaker, this.clock.now());
    if (verdict.kind === 'pass' && !policy.rateLimit) return GO;
    if (verdict.kind === 'disable') {
      await this.disable(destination, policy.breaker!.disableAfterMs);
      verdict = breakerVerdict(this.views.get(destination), policy.breaker, this.clock.now());
    }
    if (verdict.kind === 'fail') return verdict;
    if (verdict.kind === 'wait' || verdict.kind === 'disable') {
      const waiting = verdict.kind === 'wait' ? verdict : this.backstop(destination, 'its circuit is open');
      if (await this.recordWait(destination, step)) return waiting;
      verdict = { kind: 'pass' };
    }
    if (policy.rateLimit) {
      const slotWait = await this.takeSlot(destination, step, policy.rateLimit.perMs / policy.rateLimit.attempts);
      if (slotWait) return slotWait;
    }
    if (verdict.kind === 'pass') return GO;
    const [taken] = await this.rows<ViewRow>(sql.TAKE_PROBE, [destination, step.timeoutMs + PROBE_GRACE_MS]);
    if (!taken) {
      await this.refresh(destination);
      return (await this.recordWait(destination, step)) ? this.backstop(destination, 'another step is probing it') : GO;
    }
    this.remember(taken);
    this.logger.log({ msg: 'Destination half-open: one probe attempt goes through', destination });
    this.changed('half_open');
    return { kind: 'go', probe: true };
  }

  /** Counts the attempt's outcome; a failure may open the circuit, a probe's outcome closes or reopens it. */
  async record(destination: string, step: StepRef, outcome: StepOutcome, durationMs: number, probe: boolean, error: string | null): Promise<void> {
    const failed = isBreakerFailure(outcome);
    this.minutes.add(destination, this.clock.now(), !failed, durationMs);
    const policy = this.policies.of(destination);
    if (outcome.kind === 'failed' && outcome.attempt?.status === 429 && outcome.retryAfterMs && policy.rateLimit) {
      await this.rows(sql.SLOW_DOWN, [destination, outcome.retryAfterMs]);
    }
    if (probe) {
      if (failed) await this.probeFailed(destination, policy, error);
      else await this.close(destination, ['half_open'], 'its probe succeeded', step);
      return;
    }
    if (!failed) {
      if ((this.views.get(destination)?.consecutiveFailures ?? 0) > 0) this.rememberFirst(await this.rows<ViewRow>(sql.CLEAR_FAILURES, [destination]));
      return;
    }
    if (!policy.breaker) return;
    const [row] = await this.rows<ViewRow>(sql.COUNT_FAILURE, [destination, error]);
    const view = this.remember(row);
    if (view.state !== 'closed') return;
    const minutes = Math.ceil(policy.breaker.windowMs / 60_000);
    const window = view.consecutiveFailures >= policy.breaker.consecutiveFailures ? undefined : await this.windowCounts(destination, minutes);
    const reason = openingReason(view, policy.breaker, window);
    if (!reason) return;
    const [opened] = await this.rows<ViewRow>(sql.OPEN, [destination, policy.breaker.coolDownMs]);
    if (!opened) return;
    this.remember(opened);
    this.logger.warn({ msg: 'Destination circuit opened: its steps wait without spending attempts', destination, reason, probe_at: opened.probe_at });
    this.changed('open');
  }

  /** Opens the circuit by hand: steps for the destination wait until it is closed by hand. */
  async holdOpen(destination: string): Promise<void> {
    const [row] = await this.rows<ViewRow>(sql.HOLD_OPEN, [destination]);
    this.remember(row);
    this.logger.warn({ msg: 'Destination circuit opened by hand', destination });
    this.changed('open');
  }

  /** Closes the circuit (`from` the states given) and sends the waiting steps out in the order they came; false when it was not in one of them. */
  async close(destination: string, from: DestinationState[], why: string, prober?: StepRef): Promise<boolean> {
    const [row] = await this.locked<ViewRow & { woken: number }>(destination, sql.CLOSE_AND_WAKE, [
      destination,
      from,
      prober?.runId ?? null,
      prober?.stepId ?? null,
    ]);
    if (!row) {
      await this.refresh(destination);
      return false;
    }
    this.remember(row);
    this.logger.log({ msg: `Destination circuit closed: ${why}`, destination, steps_woken: row.woken });
    this.changed('closed');
    return true;
  }

  private async probeFailed(destination: string, policy: DestinationPolicy, error: string | null): Promise<void> {
    const coolDownMs = (policy.breaker ?? { coolDownMs: 30_000 }).coolDownMs;
    const [row] = await this.rows<ViewRow>(sql.PROBE_FAILED, [destination, coolDownMs, error]);
    if (!row) return void (await this.refresh(destination));
    this.remember(row);
    this.logger.warn({ msg: 'Destination probe failed: the circuit stays open', destination, probe_at: row.probe_at, error });
    this.changed('open');
  }

  private async disable(destination: string, disableAfterMs: number): Promise<void> {
    const [row] = await this.locked<ViewRow & { woken: number }>(destination, sql.DISABLE_AND_WAKE, [destination, disableAfterMs]);
    if (!row) return void (await this.refresh(destination));
    this.remember(row);
    this.logger.error({ msg: 'Destination disabled: open too long; its waiting steps fail', destination, steps_woken: row.woken });
    this.changed('disabled');
  }

  /**
   * Records that the step waits for `destination`; false, with the view refreshed, when the
   * circuit closed meanwhile (the step may go).
   */
  private async recordWait(destination: string, step: StepRef): Promise<boolean> {
    if ((await this.rows(sql.WAIT, [step.runId, step.stepId, destination])).length > 0) return true;
    await this.refresh(destination);
    return false;
  }

  private backstop(destination: string, why: string): Admission {
    return { kind: 'wait', until: new Date(this.clock.now().getTime() + WAIT_BACKSTOP_MS), reason: `waiting for ${destination}: ${why}` };
  }

  /** Waits in this worker for a slot close by; a slot further off is kept while the run lets its worker go. */
  private async takeSlot(destination: string, step: StepRef, spacingMs: number): Promise<Admission | undefined> {
    const [{ slot }] = await this.rows<{ slot: Date; held: boolean }>(sql.TAKE_SLOT, [destination, step.runId, step.stepId, spacingMs]);
    const waitMs = slot.getTime() - this.clock.now().getTime();
    if (waitMs <= SLOT_WAIT_IN_WORKER_MS) {
      if (waitMs > 0) await sleep(waitMs);
      return undefined;
    }
    await this.rows(sql.HOLD_SLOT, [step.runId, step.stepId, destination, slot]);
    const until = new Date(slot.getTime() - SLOT_WAKE_AHEAD_MS);
    return { kind: 'wait', until, reason: `waiting for ${destination}: its rate limit gives this step a slot at ${slot.toISOString()}` };
  }

  private async windowCounts(destination: string, minutes: number): Promise<{ successes: number; failures: number }> {
    const [stored] = await this.rows<{ successes: number; failures: number }>(sql.WINDOW_COUNTS, [destination, minutes]);
    const local = this.minutes.since(destination, this.clock.now().getTime() - minutes * 60_000);
    return { successes: stored.successes + local.successes, failures: stored.failures + local.failures };
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = this.pollOnce()
      .catch((error: Error) => this.logger.warn(`Could not read the destinations' state: ${error.message}`))
      .finally(() => (this.polling = undefined));
    await this.polling;
  }

  private async pollOnce(): Promise<void> {
    const startedAt = this.clock.monotonicMs();
    const rows = await this.rows<ViewRow>(sql.INTERESTING_DESTINATIONS);
    const seen = new Set<string>();
    for (const row of rows) seen.add(this.remember(row).id);
    // Absent rows were closed and clean when read; what this process learnt since is newer.
    for (const [id, view] of this.views) if (!seen.has(id) && view.learntAt < startedAt) this.views.delete(id);
    const now = this.clock.now();
    for (const view of this.views.values()) {
      const verdict = breakerVerdict(view, this.policies.of(view.id).breaker, now);
      if (verdict.kind === 'disable') await this.disable(view.id, this.policies.of(view.id).breaker!.disableAfterMs);
      else if (verdict.kind === 'probe') await this.rows(sql.WAKE_PROBE, [view.id]);
    }
  }

  private async flush(): Promise<void> {
    const batch = this.minutes.drain();
    try {
      if (batch.destinations.length > 0) {
        await this.rows(sql.ADD_MINUTES, [batch.destinations, batch.minutes, batch.successes, batch.failures, batch.totals, batch.maxima]);
      }
      if (Date.now() - this.lastPrune > 3_600_000) {
        this.lastPrune = Date.now();
        await this.rows(sql.PRUNE_MINUTES, [KEEP_MINUTES_HOURS]);
      }
    } catch (error) {
      this.minutes.restore(batch);
      this.logger.warn(`Could not store the destinations' outcomes: ${(error as Error).message}`);
    }
  }

  private async refresh(destination: string): Promise<void> {
    const [row] = await this.rows<ViewRow>(sql.DESTINATION, [destination]);
    if (row) this.remember(row);
    else this.views.delete(destination);
  }

  private rememberFirst(rows: ViewRow[]): void {
    if (rows[0]) this.remember(rows[0]);
  }

  /** Keeps the newer of what is known and `row`. */
  private remember(row: ViewRow): KnownView {
    const known = this.views.get(row.id);
    const version = Number(row.version);
    if (known && known.version > version) return known;
    const view: KnownView = {
      learntAt: this.clock.monotonicMs(),
      id: row.id,
      state: row.state,
      heldManually: row.held_manually,
      consecutiveFailures: row.consecutive_failures,
      openedAt: row.opened_at,
      probeAt: row.probe_at,
      probeUntil: row.probe_until,
      version,
    };
    this.views.set(view.id, view);
    return view;
  }

  /** Runs `statement` holding the destination's row lock (see `LOCK_DESTINATION`). */
  private locked<Row>(destination: string, statement: string, values: unknown[]): Promise<Row[]> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(sql.LOCK_DESTINATION, [destination]);
      return manager.query<Row[]>(statement, values);
    });
  }

  private rows<Row = unknown>(statement: string, values: unknown[] = []): Promise<Row[]> {
    return queryRows<Row>(this.dataSource, statement, values);
  }

  private changed(state: DestinationState): void {
    this.metrics.destinationStateChanged(state);
  }
}
