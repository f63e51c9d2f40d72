import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { RunStore } from '../engine/run-store';
import { Metrics } from '../observability/metrics';
import { PauseRecord, PauseStore } from '../pauses/pause-store';
import { PauseKind } from '../pauses/pause.entity';
import { PausedSet } from '../pauses/paused-set';
import { WorkflowRegistry } from '../workflows/workflow-registry';

/** Who pauses when the caller does not say. */
const DEFAULT_PAUSED_BY = 'api';

/**
 * Pausing and resuming workflows and sources. A pause is a row in `pauses`; every process
 * sees it through its PausedSet. Pausing a workflow parks its queued runs in the transaction
 * that stores the pause (runs under way park themselves: RunExecutor); resuming queues its
 * paused runs again in the transaction that ends it.
 */
@Injectable()
export class PauseCommands {
  private readonly logger = new Logger('Pauses');

  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly store: PauseStore,
    private readonly pausedSet: PausedSet,
    private readonly runs: RunStore,
    private readonly metrics: Metrics,
  ) {}

  async pause(kind: PauseKind, name: string, options: { by?: string; reason?: string }) {
    if (!this.isKnown(kind, name)) throw unknown(kind, name);
    const by = options.by?.trim() || DEFAULT_PAUSED_BY;
    const {
      pause,
      changed,
      result: pausedRuns,
    } = await this.store.pause(kind, name, by, options.reason?.trim() || null, (manager) =>
      kind === 'workflow' ? this.runs.pauseQueuedRuns(manager, name) : Promise.resolve(0),
    );
    await this.pausedSet.reload();
    if (changed) {
      this.metrics.pauseChanged(kind, 'pause');
      this.logger.log({ msg: `Paused ${kind} ${name}`, kind, name, by, reason: pause.reason, ...(kind === 'workflow' && { paused_runs: pausedRuns }) });
    }
    return { name, paused: pauseModelOf(pause), ...(kind === 'workflow' && { paused_runs: pausedRuns }) };
  }

  /** Ends the pause; a workflow's paused runs are queued again, in arrival order. Also for a name no longer loaded that is still paused. */
  async resume(kind: PauseKind, name: string) {
    if (!this.isKnown(kind, name) && !this.pausedSet.isPaused(kind, name)) throw unknown(kind, name);
    const { wasPaused, result: resumedRuns } = await this.store.resume(kind, name, (manager) =>
      kind === 'workflow' ? this.runs.resumePausedRuns(manager, name) : Promise.resolve(0),
    );
    await this.pausedSet.reload();
    if (wasPaused) {
      this.metrics.pauseChanged(kind, 'resume');
      this.logger.log({ msg: `Resumed ${kind} ${name}`, kind, name, ...(kind === 'workflow' && { resumed_runs: resumedRuns }) });
    }
    return { name, paused: null, ...(kind === 'workflow' && { resumed_runs: resumedRuns }) };
  }

  /** The pauses in force, read from the database (exact, unlike a process's PausedSet between a change and its notification). */
  async pausesOf(kind: PauseKind): Promise<Map<string, ReturnType<typeof pauseModelOf>>> {
    const records = await this.store.list();
    return new Map(records.filter((record) => record.kind === kind).map((record) => [record.name, pauseModelOf(record)]));
  }

  private isKnown(kind: PauseKind, name: string): boolean {
    return kind === 'workflow' ? this.registry.getWorkflow(name) !== undefined : this.registry.getSource(name) !== undefined;
  }
}

export function pauseModelOf(pause: PauseRecord) {
  return { since: pause.since, by: pause.by, reason: pause.reason };
}

function unknown(kind: PauseKind, name: string): DomainError {
  return kind === 'workflow' ? new DomainError('UNKNOWN_WORKFLOW', `No workflow ${name}`) : new DomainError('UNKNOWN_SOURCE', `No source ${name}`);
}
