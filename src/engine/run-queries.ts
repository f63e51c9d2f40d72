import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { decodeCursor, encodeCursor, pageEndTime } from '../common/page-cursor';
import { WorkflowVersions } from './workflow-versions';
import { RunKind, RunStatus, UNFINISHED_RUN_STATUSES, UnfinishedRunStatus } from './run.entity';
import { definitionForKind } from './failure-handoff';
import { StepStatus } from './step-run.entity';
import { parseItemKey } from './for-each-items';

export interface RunListFilter {
  workflow?: string;
  status?: RunStatus;
  event?: string;
  cursor?: string;
  limit: number;
}

/** The runs list's filters, narrowed to runs a cancel can stop. */
export interface UnfinishedRunFilter {
  workflow?: string;
  status?: UnfinishedRunStatus;
  event?: string;
}

export interface RunSummary {
  id: string;
  workflow: string;
  event_id: string;
  status: RunStatus;
  kind: RunKind;
  failed_run_id: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
}

/** The run and `workflow` step that started a run; `workflow` is null once retention pruned that run. */
export interface RunParent {
  run_id: string;
  step_id: string;
  workflow: string | null;
}

/** A run that a `workflow` step of this run started. */
export interface RunChild {
  run_id: string;
  workflow: string;
  status: RunStatus;
  step_id: string;
}

/** How many of a workflow's latest runs `recentByWorkflow` answers. */
const RECENT_RUNS = 10;

/** A workflow's latest runs (newest first) and its runs created in the last 24 hours, by outcome. */
export interface WorkflowRunStats {
  recent_runs: { id: string; status: RunStatus; created_at: Date }[];
  total: number;
  succeeded: number;
  failed: number;
}

/** A run as a time-travel comparison reads it: each step's state, stored input and output, and what its last attempt sent. */
export interface RunRecordForReplay {
  id: string;
  version: string;
  status: RunStatus;
  created_at: Date;
  steps: Map<string, { status: StepStatus; input: unknown; output: unknown; error: string | null; last_request: unknown }>;
}

/** Reads runs for the API and the console; newest first, with opaque keyset cursors. */
@Injectable()
export class RunQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly versions: WorkflowVersions,
  ) {}

  async list(filter: RunListFilter): Promise<{ items: RunSummary[]; next_cursor: string | null }> {
    const after = filter.cursor ? decodeCursor(filter.cursor) : null;
    const rows = await this.dataSource.query<(RunSummary & { page_end: string })[]>(
      `SELECT id, workflow, event_id, status, kind, failed_run_id, created_at, started_at, finished_at, error, ${pageEndTime('created_at')} AS page_end
         FROM runs
        WHERE ($1::text IS NULL OR workflow = $1)
          AND ($2::text IS NULL OR status = $2)
          AND ($3::uuid IS NULL OR event_id = $3)
          AND ($4::timestamptz IS NULL OR (created_at, id) < ($4::timestamptz, $5::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $6`,
      [filter.workflow ?? null, filter.status ?? null, filter.event ?? null, after?.at ?? null, after?.id ?? null, filter.limit + 1],
    );
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    const items = page.map(({ page_end: _, ...run }) => run);
    return { items, next_cursor: rows.length > filter.limit && last ? encodeCursor({ at: last.page_end, id: last.id }) : null };
  }

  /** The run's status; undefined when there is no such run. */
  async status(runId: string): Promise<RunStatus | undefined> {
    const rows = await this.dataSource.query<{ status: RunStatus }[]>(`SELECT status FROM runs WHERE id = $1`, [runId]);
    return rows[0]?.status;
  }

  /** Ids of the newest `limit` failed runs, of `workflow` when given, newest first. */
  async failedIds(workflow: string | undefined, limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM runs WHERE status = 'failed' AND ($1::text IS NULL OR workflow = $1) ORDER BY created_at DESC, id DESC LIMIT $2`,
      [workflow ?? null, limit],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Ids of the newest `limit` unfinished runs that match `filter` (of one status of them when
   * it names one), newest first.
   */
  async unfinishedIds(filter: UnfinishedRunFilter, limit: number): Promise<string[]> {
    const statuses = filter.status ? [filter.status] : [...UNFINISHED_RUN_STATUSES];
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM runs
        WHERE status = ANY($1::text[])
          AND ($2::text IS NULL OR workflow = $2)
          AND ($3::uuid IS NULL OR event_id = $3)
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [statuses, filter.workflow ?? null, filter.event ?? null, limit],
    );
    return rows.map((row) => row.id);
  }

  /** The latest runs and 24-hour counts of each named workflow, each read from `runs_workflow_created_at_idx`. */
  async recentByWorkflow(names: string[]): Promise<Map<string, WorkflowRunStats>> {
    if (names.length === 0) return new Map();
    const rows = await this.dataSource.query<
      (Omit<WorkflowRunStats, 'recent_runs'> & { name: string; recent_runs: { id: string; status: RunStatus; created_at: string }[] })[]
    >(
      `SELECT w.name, recent.runs AS recent_runs, day.total, day.succeeded, day.failed
         FROM unnest($1::text[]) AS w(name)
         CROSS JOIN LATERAL (
           SELECT coalesce(json_agg(json_build_object('id', r.id, 'status', r.status, 'created_at', r.created_at)
                                    ORDER BY r.created_at DESC, r.id DESC), '[]') AS runs
             FROM (SELECT id, status, created_at FROM runs WHERE workflow = w.name
                    ORDER BY created_at DESC, id DESC LIMIT ${RECENT_RUNS}) r) recent
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS total,
                  (count(*) FILTER (WHERE status = 'succeeded'))::int AS succeeded,
                  (count(*) FILTER (WHERE status = 'failed'))::int AS failed
             FROM runs WHERE workflow = w.name AND created_at >= now() - interval '24 hours') day`,
      [names],
    );
    // `created_at` comes out of JSON as a string.
    return new Map(
      rows.map(({ name, recent_runs, ...counts }) => [
        name,
        { ...counts, recent_runs: recent_runs.map((run) => ({ ...run, created_at: new Date(run.created_at) })) },
      ]),
    );
  }

  /** The latest run of `workflow` for the event (from `runs_event_id_idx`), with what it stored per step; undefined when it has none. */
  async latestForEvent(workflow: string, eventId: string): Promise<RunRecordForReplay | undefined> {
    const runs = await this.dataSource.query<{ id: string; version: string; status: RunStatus; created_at: Date }[]>(
      `SELECT id, workflow_version AS version, status, created_at FROM runs
        WHERE event_id = $1 AND workflow = $2 AND kind = 'steps' ORDER BY created_at DESC, id DESC LIMIT 1`,
      [eventId, workflow],
    );
    if (runs.length === 0) return undefined;
    const run = runs[0];
    const steps = await this.dataSource.query<
      { step_id: string; status: StepStatus; input: unknown; output: unknown; error: string | null; request: unknown }[]
    >(
      `SELECT s.step_id, s.status, s.input, s.output, s.error, last.request
         FROM step_runs s
         LEFT JOIN LATERAL (SELECT request FROM step_attempts a WHERE a.run_id = s.run_id AND a.step_id = s.step_id ORDER BY n DESC LIMIT 1) last ON true
        WHERE s.run_id = $1`,
      [run.id],
    );
    const byId = new Map(steps.map(({ step_id, request, ...step }) => [step_id, { ...step, last_request: request ?? null }]));
    return { ...run, steps: byId };
  }

  async get(runId: string) {
    const runs = await this.dataSource.query<
      (RunSummary & {
        workflow_version: string;
        concurrency_key: string | null;
        deadline: Date | null;
        failure: unknown;
        failure_run_ids: string[];
        output: unknown;
        parent: RunParent | null;
        children: RunChild[];
      })[]
    >(
      `SELECT id, workflow, workflow_version, event_id, status, kind, failed_run_id, failure, concurrency_key, deadline, created_at, started_at, finished_at, error,
              array(SELECT f.id FROM runs f WHERE f.failed_run_id = r.id ORDER BY f.created_at, f.id) AS failure_run_ids,
              output,
              CASE WHEN parent_run_id IS NOT NULL THEN json_build_object(
                'run_id', parent_run_id, 'step_id', parent_step_id,
                'workflow', (SELECT p.workflow FROM runs p WHERE p.id = r.parent_run_id)) END AS parent,
              coalesce((SELECT json_agg(json_build_object('run_id', c.id, 'workflow', c.workflow, 'status', c.status, 'step_id', c.parent_step_id)
                                        ORDER BY c.created_at, c.id)
                          FROM runs c WHERE c.parent_run_id = r.id), '[]'::json) AS children
         FROM runs r WHERE id = $1`,
      [runId],
    );
    if (runs.length === 0) throw new DomainError('NOT_FOUND', `No run ${runId}`);
    const run = runs[0];
    const [steps, attempts, definition] = await Promise.all([
      this.dataSource.query<StepRow[]>(
        `SELECT step_id, status, attempts, input, output, error, next_attempt_at, started_at, finished_at FROM step_runs WHERE run_id = $1`,
        [runId],
      ),
      this.dataSource.query<AttemptRow[]>(
        `SELECT step_id, n, status, started_at, duration_ms, request, response_status, response_headers, response_body, error
           FROM step_attempts WHERE run_id = $1 ORDER BY step_id, n`,
        [runId],
      ),
      this.versions.get(run.workflow, run.workflow_version),
    ]);
    const definedSteps = definition && definitionForKind(definition, run.kind).steps;
    const stepOrder = definedSteps ? definedSteps.map((step) => step.id) : steps.flatMap((step) => (parseItemKey(step.step_id) ? [] : [step.step_id]));
    const byId = new Map(steps.map((step) => [step.step_id, step]));
    const attemptsById = groupBy(attempts, (attempt) => attempt.step_id);
    const itemsByStep = groupBy(
      steps.flatMap((step) => {
        const key = parseItemKey(step.step_id);
        return key ? [{ ...key, step }] : [];
      }),
      (item) => item.stepId,
    );
    return {
      ...run,
      steps: stepOrder.map((id) => {
        const forEach = definedSteps ? definedSteps.some((step) => step.id === id && step.forEach) : itemsByStep.has(id);
        const items = (itemsByStep.get(id) ?? []).sort((a, b) => a.index - b.index);
        return {
          id,
          ...stepStateView(byId.get(id), attemptsById.get(id)),
          items: forEach ? items.map(({ index, step }) => ({ index, ...stepStateView(step, attemptsById.get(step.step_id)) })) : null,
        };
      }),
    };
  }
}

function groupBy<T>(entries: T[], keyOf: (entry: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const entry of entries) {
    const key = keyOf(entry);
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  return groups;
}

/** A step's or an item's state and attempts, as the API shows them. */
function stepStateView(step: StepRow | undefined, attempts: AttemptRow[] = []) {
  return {
    status: step?.status ?? 'pending',
    input: step?.input ?? null,
    output: step?.output ?? null,
    error: step?.error ?? null,
    next_attempt_at: step?.next_attempt_at ?? null,
    started_at: step?.started_at ?? null,
    finished_at: step?.finished_at ?? null,
    attempts: attempts.map((attempt) => ({
      n: attempt.n,
      status: attempt.status,
      started_at: attempt.started_at,
      duration_ms: attempt.duration_ms,
      request: attempt.request,
      response: attempt.response_status === null ? null : { status: attempt.response_status, headers: attempt.response_headers, body: attempt.response_body },
      error: attempt.error,
    })),
  };
}

interface StepRow {
  step_id: string;
  status: string;
  attempts: number;
  input: unknown;
  output: unknown;
  error: string | null;
  next_attempt_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
}

interface AttemptRow {
  step_id: string;
  n: number;
  status: string;
  started_at: Date;
  duration_ms: number;
  request: unknown;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  error: string | null;
}
