import { PRUNE_FINAL_RUNS } from '../engine/run-statements';
import { PRUNE_EXHAUSTED_JOBS } from '../queue/run-job';

/** The tables retention prunes, as named in logs and in `hookflow_retention_deleted_total{table}`. */
export const PRUNED_TABLES = ['runs', 'step_runs', 'step_attempts', 'events', 'signature_failures', 'schedule_ticks', 'queue_jobs'] as const;
export type PrunedTable = (typeof PRUNED_TABLES)[number];

export type PruneReport = Record<PrunedTable, number> & { batches: number };

export type Query = (sql: string, parameters: unknown[]) => Promise<unknown[]>;

export interface PrunerOptions {
  /** Rows per statement (and per transaction). */
  batchSize: number;
  /** Pause between two statements, so that pruning a large backlog leaves room for ingest. */
  pauseMs: number;
  /** Asked between statements: a pass stops early once it answers true (shutdown). */
  stopping?: () => boolean;
  /** Told after each statement what it removed. */
  removed?: (table: PrunedTable, rows: number) => void;
}

/**
 * Events older than the cutoff that have no run left: runs go first, so an event whose run is
 * still open, or was replayed recently, keeps its event (and its dedupe key).
 */
const PRUNE_EVENTS = `
  WITH doomed AS (
    SELECT e.id FROM events e
     WHERE e.received_at < $1 AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.event_id = e.id)
     ORDER BY e.received_at
     LIMIT $2
       FOR UPDATE OF e SKIP LOCKED),
  gone AS (DELETE FROM events e USING doomed d WHERE e.id = d.id RETURNING 1)
  SELECT (SELECT count(*) FROM gone)::int AS events`;

const PRUNE_SIGNATURE_FAILURES = `
  WITH doomed AS (
    SELECT id FROM signature_failures WHERE received_at < $1 ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED),
  gone AS (DELETE FROM signature_failures f USING doomed d WHERE f.id = d.id RETURNING 1)
  SELECT (SELECT count(*) FROM gone)::int AS signature_failures`;

/** A tick's row only guards against starting it twice; ticks are never re-fired once a minute late. */
const PRUNE_SCHEDULE_TICKS = `
  WITH doomed AS (
    SELECT workflow, tick_at FROM schedule_ticks WHERE tick_at < $1 ORDER BY tick_at LIMIT $2 FOR UPDATE SKIP LOCKED),
  gone AS (DELETE FROM schedule_ticks t USING doomed d WHERE t.workflow = d.workflow AND t.tick_at = d.tick_at RETURNING 1)
  SELECT (SELECT count(*) FROM gone)::int AS schedule_ticks`;

/** Each statement and the table whose row count decides whether another batch is needed. */
export const PRUNE_STATEMENTS: readonly { sql: string; driver: PrunedTable }[] = [
  { sql: PRUNE_FINAL_RUNS, driver: 'runs' },
  { sql: PRUNE_EVENTS, driver: 'events' },
  { sql: PRUNE_SIGNATURE_FAILURES, driver: 'signature_failures' },
  { sql: PRUNE_SCHEDULE_TICKS, driver: 'schedule_ticks' },
  { sql: PRUNE_EXHAUSTED_JOBS, driver: 'queue_jobs' },
];

/**
 * Deletes what is older than a cutoff, in small batches: each statement removes at most
 * `batchSize` rows of its table in its own short transaction, so ingest and workers are
 * never held up behind a long delete.
 */
export class RetentionPruner {
  constructor(
    private readonly query: Query,
    private readonly options: PrunerOptions,
  ) {}

  async prune(cutoff: Date): Promise<PruneReport> {
    const report = emptyReport();
    for (const { sql, driver } of PRUNE_STATEMENTS) {
      for (;;) {
        if (this.options.stopping?.()) return report;
        const [row] = (await this.query(sql, [cutoff.toISOString(), this.options.batchSize])) as Partial<Record<PrunedTable, number>>[];
        report.batches++;
        for (const table of PRUNED_TABLES) {
          const rows = row?.[table];
          if (rows === undefined) continue;
          report[table] += rows;
          this.options.removed?.(table, rows);
        }
        if ((row?.[driver] ?? 0) < this.options.batchSize) break;
        if (this.options.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
      }
    }
    return report;
  }
}

export function emptyReport(): PruneReport {
  return { ...(Object.fromEntries(PRUNED_TABLES.map((table) => [table, 0])) as Record<PrunedTable, number>), batches: 0 };
}
