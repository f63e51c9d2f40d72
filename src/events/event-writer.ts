import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { GroupCommit, GroupCommitFullError, GroupCommitOptions } from '../database/group-commit';
import { preparedQuery } from '../database/prepared-query';
import { jsonbText } from '../database/storable-text';
import { MAX_BODY_LIMIT } from '../workflows/sources-validator';
import { enqueueNewRunsOfRows } from '../queue/run-job';
import { MatchNote } from './event.entity';
import { InboundEvent } from './inbound-event';
import { deadlineAfter, PendingRun } from './pending-run';
import { WebhookAnswer } from './webhook-answer';
import { IngressBusyError } from './ingress-busy.error';
import { RunHandOff } from './run-hand-off';

/** An event to store, with what matching it found: the runs it starts and notes for the console. */
export interface PendingEvent {
  event: InboundEvent;
  /** Unique per source where set: a repeated key stores nothing. */
  dedupeKey: string | null;
  matchNotes: MatchNote[];
  runs: PendingRun[];
  /** What a `respond:` made of the event, stored with it; unset for the usual answer. */
  answer?: WebhookAnswer;
}

/** `duplicateOf` is set when the dedupe key was seen before: nothing was written. */
export interface WriteOutcome {
  eventId: string;
  runs: number;
  duplicate: boolean;
  /** The answer stored with the event: this one's, or for a duplicate the original's. */
  answer?: WebhookAnswer;
}

const MAX_BATCH = 256;
/** What a refused sender is asked to wait: the queue drains in well under that once the database keeps up. */
const BUSY_RETRY_AFTER_SECONDS = 1;
/**
 * One statement in flight, as the engine's writes: what arrives meanwhile makes the next,
 * larger batch. Since runs start in this process without the queue, more in flight let
 * ingress outpace the engine into a backlog that drained slowly, and delivered less end to
 * end (BENCHMARKS.md history).
 */
const MAX_CONCURRENT_FLUSHES = 1;
/**
 * Events waiting behind the statement in flight. Eight statements' worth rides out a
 * database that stalls for a moment; beyond it the database is far behind or stuck, and a
 * quick 503 that the sender retries beats holding its connection and the body in memory
 * until the request times out.
 */
const MAX_WAITING_EVENTS = 8 * MAX_BATCH;
/** Their body bytes, so that large bodies cannot pile up either: twice the largest a source may accept. */
const MAX_WAITING_BYTES = 2 * MAX_BODY_LIMIT;

/**
 * Stores accepted events with group commit: requests that arrive together are written by
 * one statement (events, their runs and the runs' queue jobs or claims, atomically), and
 * each request is answered only after that statement has committed. Runs this process's
 * engine has room for are stored claimed by it and handed over once committed (RunHandOff).
 */
@Injectable()
export class EventWriter implements OnApplicationShutdown {
  private readonly logger = new Logger(EventWriter.name);
  /** The group commit's bounds, read at each write: public so that a test can lower them to fill the queue. */
  readonly queue: GroupCommitOptions<PendingEvent> = {
    maxBatch: MAX_BATCH,
    maxConcurrent: MAX_CONCURRENT_FLUSHES,
    maxWaiting: MAX_WAITING_EVENTS,
    maxWaitingSize: MAX_WAITING_BYTES,
    sizeOf: (pending) => pending.event.rawBody.length,
  };
  private readonly commits = new GroupCommit<PendingEvent, WriteOutcome>(
    (events) => this.insert(events),
    this.queue,
    (error, count) => {
      this.logger.error(`Could not store ${count} event(s): ${(error as Error).message}`);
      return new DomainError('STORAGE_UNAVAILABLE', 'The event could not be stored; retry later');
    },
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly handOff: RunHandOff,
  ) {}

  /** Stores the event with its runs; refuses it at once, storing nothing, when too many wait already. */
  async write(event: PendingEvent): Promise<WriteOutcome> {
    try {
      return await this.commits.submit(event);
    } catch (error) {
      throw error instanceof GroupCommitFullError ? new IngressBusyError(BUSY_RETRY_AFTER_SECONDS) : error;
    }
  }

  /** Waits for every write already handed in, so that shutdown loses nothing answered. */
  async onApplicationShutdown(): Promise<void> {
    await this.commits.drain();
  }

  private async insert(pendings: PendingEvent[]): Promise<WriteOutcome[]> {
    const runs = pendings.flatMap(({ event, runs }) => runs.map((run) => ({ run, event, taker: this.handOff.reserveFor(run) })));
    const events = pendings.map((pending) => pending.event);
    const claimedAt = performance.now();
    let inserted: string[] | null;
    try {
      [{ inserted }] = (await preparedQuery(this.dataSource, 'hookflow_insert_events', INSERT_EVENTS_RUNS_AND_JOBS, [
        events.map((e) => e.id),
        events.map((e) => e.source),
        events.map((e) => e.type),
        pendings.map((p) => p.dedupeKey),
        events.map((e) => e.receivedAt.toISOString()),
        events.map((e) => jsonbText(e.headers)),
        events.map((e) => e.query),
        events.map((e) => e.contentType),
        events.map((e) => e.rawBody),
        events.map((e) => e.body.format),
        pendings.map((p) => p.runs.length),
        pendings.map((p) => jsonbText(p.matchNotes)),
        pendings.map((p) => (p.answer ? jsonbText(p.answer) : null)),
        runs.map(({ run }) => run.id),
        runs.map(({ event }) => event.id),
        runs.map(({ run }) => run.workflow),
        runs.map(({ run }) => run.workflowVersion),
        runs.map(({ run }) => run.concurrencyKey),
        runs.map(({ taker }) => taker?.owner ?? null),
        runs.map(({ taker }) => taker?.leaseSeconds ?? null),
        runs.map(({ run }) => run.timeoutMs),
        runs.map(({ run }) => run.parent?.runId ?? null),
        runs.map(({ run }) => run.parent?.stepId ?? null),
      ])) as [{ inserted: string[] | null }];
    } catch (error) {
      for (const { taker } of runs) taker?.unreserve();
      throw error;
    }

    const insertedIds = new Set(inserted ?? []);
    for (const { run, event, taker } of runs) {
      if (!taker) continue;
      if (insertedIds.has(event.id)) taker.take({ run, event, claimedAt });
      else taker.unreserve();
    }
    const duplicates = pendings.filter(({ event }) => !insertedIds.has(event.id));
    const originals = duplicates.length > 0 ? await this.findOriginals(duplicates) : new Map<string, Original>();
    return pendings.map((pending) => {
      if (insertedIds.has(pending.event.id)) {
        return { eventId: pending.event.id, runs: pending.runs.length, duplicate: false, ...(pending.answer && { answer: pending.answer }) };
      }
      const original = originals.get(dedupeIdentity(pending));
      return { eventId: original?.id ?? pending.event.id, runs: 0, duplicate: true, ...(original?.answer && { answer: original.answer }) };
    });
  }

  private async findOriginals(duplicates: PendingEvent[]): Promise<Map<string, Original>> {
    const rows = await this.dataSource.query<(Original & { source: string; dedupe_key: string })[]>(
      `SELECT e.id, e.source, e.dedupe_key, e.answer
         FROM events e
         JOIN unnest($1::text[], $2::text[]) AS d(source, dedupe_key)
           ON e.source = d.source AND e.dedupe_key = d.dedupe_key`,
      [duplicates.map(({ event }) => event.source), duplicates.map(({ dedupeKey }) => dedupeKey)],
    );
    return new Map(rows.map((row) => [`${row.source}\u0000${row.dedupe_key}`, { id: row.id, answer: row.answer }]));
  }
}

/** The stored event a duplicate repeats. */
interface Original {
  id: string;
  answer: WebhookAnswer | null;
}

function dedupeIdentity({ event, dedupeKey }: PendingEvent): string {
  return `${event.source}\u0000${dedupeKey}`;
}

/**
 * One statement, hence one transaction: new events (a repeated dedupe key inserts
 * nothing), the runs of the events that were new, and a queue job for each run that is not
 * stored already claimed by this process (a lease owner given: see RunHandOff).
 */
const INSERT_EVENTS_RUNS_AND_JOBS = `
  WITH inserted_events AS (
    INSERT INTO events (id, source, type, dedupe_key, received_at, headers, query, content_type, body,
                        body_format, runs_count, match_notes, answer)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[],
                         $7::text[], $8::text[], $9::bytea[], $10::text[], $11::integer[], $12::jsonb[], $13::jsonb[])
    ON CONFLICT (source, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
    RETURNING id
  ),
  new_runs AS (
    SELECT r.* FROM unnest($14::uuid[], $15::uuid[], $16::text[], $17::text[], $18::text[], $19::text[], $20::integer[],
                           $21::bigint[], $22::uuid[], $23::text[])
                    AS r(id, event_id, workflow, workflow_version, concurrency_key, lease_owner, lease_seconds, timeout_ms,
                         parent_run_id, parent_step_id)
    JOIN inserted_events e ON e.id = r.event_id
  ),
  inserted_runs AS (
    INSERT INTO runs (id, event_id, workflow, workflow_version, status, concurrency_key, created_at,
                      started_at, lease_owner, lease_until, timeout_ms, deadline, parent_run_id, parent_step_id)
    SELECT id, event_id, workflow, workflow_version, CASE WHEN lease_owner IS NULL THEN 'queued' ELSE 'running' END,
           concurrency_key, now(), CASE WHEN lease_owner IS NOT NULL THEN now() END,
           lease_owner, now() + make_interval(secs => lease_seconds), timeout_ms, ${deadlineAfter('timeout_ms')},
           parent_run_id, parent_step_id
      FROM new_runs
    RETURNING id
  ),
  jobs AS (
    SELECT ${enqueueNewRunsOfRows('r.id')} AS job
      FROM new_runs r
     WHERE r.lease_owner IS NULL
    HAVING count(*) > 0
  )
  SELECT (SELECT array_agg(id) FROM inserted_events) AS inserted,
         (SELECT count(*) FROM inserted_runs) AS runs,
         (SELECT count(*) FROM jobs) AS jobs`;
