import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { Settings } from '../config/settings';
import { MatchNote } from '../events/event.entity';
import { storedEvent, StoredEventRow } from '../events/inbound-event';
import { PendingRun } from '../events/pending-run';
import { TriggerMatcher } from '../events/trigger-matcher';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { RunQueries } from './run-queries';
import { RunStore } from './run-store';

/** Replay, retry and cancel: what an operator does to events and runs. */
@Injectable()
export class RunCommands {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: WorkflowRegistry,
    private readonly matcher: TriggerMatcher,
    private readonly settings: Settings,
    private readonly store: RunStore,
    private readonly queries: RunQueries,
  ) {}

  /**
   * New runs of the stored event against the workflows in force now: those whose trigger
   * matches it (for inbound sources) or the workflows it ran before (synthetic events).
   */
  async replayEvent(eventId: string): Promise<{ event_id: string; runs: { id: string; workflow: string }[]; notes: MatchNote[] }> {
    const rows = await this.dataSource.query<(StoredEventRow & { previous: string[] })[]>(
      `SELECT e.id, e.source, e.type, e.received_at AS "receivedAt", e.headers, e.query, e.content_type AS "contentType", e.body,
              array(SELECT DISTINCT workflow FROM runs WHERE event_id = e.id) AS previous
         FROM events e WHERE e.id = $1`,
      [eventId],
    );
    if (rows.length === 0) throw new DomainError('NOT_FOUND', `No event ${eventId}`);
    const event = storedEvent(rows[0]);
    let runs: PendingRun[];
    let notes: MatchNote[] = [];
    if (this.registry.getSource(event.source)) {
      ({ runs, notes } = this.matcher.match(event, this.registry.workflowsForSource(event.source), this.settings.secrets));
    } else {
      const workflows = rows[0].previous.map((name) => this.registry.getWorkflow(name)).filter((w) => w !== undefined);
      runs = workflows.map((workflow) => this.matcher.startRun(event, workflow, this.settings.secrets, notes));
    }
    await this.store.insertQueuedRuns(eventId, runs);
    return { event_id: eventId, runs: runs.map((run) => ({ id: run.id, workflow: run.workflow })), notes };
  }

  /** Runs a failed (or cancelled) run again from the steps that did not succeed, keeping earlier outputs. */
  async retryRun(runId: string): Promise<{ id: string; status: 'queued' }> {
    if (!(await this.store.queueRetry(runId))) await this.explainRefusal(runId, 'retried', ['failed', 'cancelled']);
    return { id: runId, status: 'queued' };
  }

  /** Stops a run: steps in flight finish, nothing else starts. */
  async cancelRun(runId: string): Promise<{ id: string; status: 'cancelled' }> {
    if (!(await this.store.cancel(runId))) await this.explainRefusal(runId, 'cancelled', ['queued', 'running', 'paused']);
    return { id: runId, status: 'cancelled' };
  }

  private async explainRefusal(runId: string, verb: string, allowed: string[]): Promise<never> {
    const status = await this.queries.status(runId);
    if (status === undefined) throw new DomainError('NOT_FOUND', `No run ${runId}`);
    throw new DomainError('RUN_STATE_CONFLICT', `Run ${runId} is ${status}; only ${allowed.join(' or ')} runs can be ${verb}`);
  }
}
