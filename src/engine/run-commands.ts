import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { Settings } from '../config/settings';
import { MatchNote } from '../ingress/event.entity';
import { PendingRun } from '../ingress/event-writer';
import { TriggerMatcher } from '../ingress/trigger-matcher';
import { QUEUE_SCHEMA, RUN_TASK } from '../queue/run-job';
import { ENQUEUE_RUN, WAKE_NEXT_IN_LINE } from './run-statements';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { eventContextOf } from './event-context';

/** Replay, retry and cancel: what an operator does to events and runs. */
@Injectable()
export class RunCommands {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: WorkflowRegistry,
    private readonly matcher: TriggerMatcher,
    private readonly settings: Settings,
  ) {}

  /**
   * New runs of the stored event against the workflows in force now: those whose trigger
   * matches it (for inbound sources) or the workflows it ran before (synthetic events).
   */
  async replayEvent(eventId: string): Promise<{ event_id: string; runs: { id: string; workflow: string }[]; notes: MatchNote[] }> {
    const rows = await this.dataSource.query<(Parameters<typeof eventContextOf>[1] & { id: string; previous: string[] })[]>(
      `SELECT e.id, e.source, e.type, e.received_at AS "receivedAt", e.headers, e.query, e.content_type AS "contentType", e.body,
              array(SELECT DISTINCT workflow FROM runs WHERE event_id = e.id) AS previous
         FROM events e WHERE e.id = $1`,
      [eventId],
    );
    if (rows.length === 0) throw new DomainError('NOT_FOUND', `No event ${eventId}`);
    const stored = rows[0];
    const event = eventContextOf(stored.id, stored);
    let runs: PendingRun[];
    let notes: MatchNote[] = [];
    if (this.registry.getSource(stored.source)) {
      ({ runs, notes } = this.matcher.match(event, this.registry.workflowsForSource(stored.source), this.settings.secrets));
    } else {
      const workflows = stored.previous.map((name) => this.registry.getWorkflow(name)).filter((w) => w !== undefined);
      runs = workflows.map((workflow) => this.matcher.startRun(event, workflow, this.settings.secrets, notes));
    }
    await this.insertRuns(eventId, runs);
    return { event_id: eventId, runs: runs.map((run) => ({ id: run.id, workflow: run.workflow })), notes };
  }

  /** Runs a failed (or cancelled) run again from the steps that did not succeed, keeping earlier outputs. */
  async retryRun(runId: string): Promise<{ id: string; status: 'queued' }> {
    const rows = await this.dataSource.query<unknown[]>(RETRY_RUN, [runId]);
    if (rows.length === 0) await this.explainRefusal(runId, 'retried', ['failed', 'cancelled']);
    return { id: runId, status: 'queued' };
  }

  /** Stops a run: steps in flight finish, nothing else starts. */
  async cancelRun(runId: string): Promise<{ id: string; status: 'cancelled' }> {
    const rows = await this.dataSource.query<unknown[]>(CANCEL_RUN, [runId]);
    if (rows.length === 0) await this.explainRefusal(runId, 'cancelled', ['queued', 'running']);
    return { id: runId, status: 'cancelled' };
  }

  private async insertRuns(eventId: string, runs: PendingRun[]): Promise<void> {
    if (runs.length === 0) return;
    await this.dataSource.query(
      `WITH new_runs AS (
         INSERT INTO runs (id, event_id, workflow, workflow_version, status, concurrency_key, created_at)
         SELECT id, $1, workflow, version, 'queued', concurrency_key, now()
           FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS r(id, workflow, version, concurrency_key)
         RETURNING id, workflow, concurrency_key)
       SELECT ${QUEUE_SCHEMA}.add_job('${RUN_TASK}', json_build_object('run_id', id)) FROM new_runs`,
      [eventId, runs.map((r) => r.id), runs.map((r) => r.workflow), runs.map((r) => r.workflowVersion), runs.map((r) => r.concurrencyKey)],
    );
  }

  private async explainRefusal(runId: string, verb: string, allowed: string[]): Promise<never> {
    const rows = await this.dataSource.query<{ status: string }[]>(`SELECT status FROM runs WHERE id = $1`, [runId]);
    if (rows.length === 0) throw new DomainError('NOT_FOUND', `No run ${runId}`);
    throw new DomainError('RUN_STATE_CONFLICT', `Run ${runId} is ${rows[0].status}; only ${allowed.join(' or ')} runs can be ${verb}`);
  }
}

const RETRY_RUN = `
  WITH retried AS (
    UPDATE runs SET status = 'queued', error = NULL, finished_at = NULL, updated_at = now(), lease_owner = NULL, lease_until = NULL
     WHERE id = $1 AND status IN ('failed', 'cancelled')
    RETURNING id, workflow, concurrency_key),
  reopened AS (
    UPDATE step_runs SET status = 'pending', attempts = 0, error = NULL, next_attempt_at = NULL, finished_at = NULL
     WHERE run_id IN (SELECT id FROM retried)
       AND (status IN ('failed', 'running', 'pending') OR (status = 'skipped' AND error LIKE 'not run: %'))
    RETURNING step_id)
  SELECT ${ENQUEUE_RUN('id', 'now()')}, (SELECT count(*) FROM reopened)
    FROM retried`;

const CANCEL_RUN = `
  WITH cancelled AS (
    UPDATE runs SET status = 'cancelled', finished_at = now(), updated_at = now()
     WHERE id = $1 AND status IN ('queued', 'running')
    RETURNING id, workflow, concurrency_key),
  stopped_steps AS (
    UPDATE step_runs SET status = 'skipped', error = 'run cancelled', next_attempt_at = NULL, finished_at = now()
     WHERE run_id IN (SELECT id FROM cancelled) AND status IN ('pending', 'running') AND next_attempt_at IS NOT NULL
    RETURNING step_id),
  woken AS (${WAKE_NEXT_IN_LINE('cancelled')})
  SELECT id, (SELECT count(*) FROM stopped_steps), (SELECT count(*) FROM woken) FROM cancelled`;
