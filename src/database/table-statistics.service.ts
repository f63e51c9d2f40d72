import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JOBS_TABLE } from '../queue/run-job';

const CHECK_INTERVAL_MS = 2_000;

/** When a table's statistics are out of date enough to plan the engine's statements badly. */
export interface StalenessRule {
  /** Below this many rows any plan is fast enough. */
  worthPlanningFor: number;
  /** The planner may underestimate the table this many times before it is corrected. */
  toleratedUnderestimate: number;
}

/**
 * The tables the engine's hot statements read. Those statements are prepared once per
 * connection, and PostgreSQL keeps a prepared statement's plan until the statistics of a
 * table in it change, so a plan made while a table was nearly empty outlives its growth:
 *
 * - the jobs table: autovacuum analyzes it mostly while the workers keep up and it holds a
 *   handful of jobs. When a burst then builds a backlog, graphile-worker's fetch stays a
 *   nested loop comparing every queued job with every fetched one, whose cost grows with
 *   the backlog times the batch;
 * - the engine's tables on a new database: a run's last write found its run with a
 *   sequential scan of `runs`, twice, planned when it held a few hundred rows, so each write
 *   read the whole table within seconds of a load starting (BENCHMARKS.md history).
 *   Autovacuum would analyze them, but only a minute or more later. Doubling between
 *   analyzes keeps the scans short while a table is small, and it is then an index's job.
 */
export const WATCHED_TABLES: ReadonlyMap<string, StalenessRule> = new Map([
  [JOBS_TABLE, { worthPlanningFor: 200, toleratedUnderestimate: 4 }],
  ...['runs', 'step_runs', 'step_attempts', 'events'].map((table): [string, StalenessRule] => [table, { worthPlanningFor: 1_000, toleratedUnderestimate: 2 }]),
]);

/**
 * Whether the planner's row count for a table (`pg_class.reltuples`, -1 when never
 * analyzed) is so far below the rows it holds that its statements are planned badly.
 */
export function statisticsAreStale(plannedRows: number, liveRows: number, rule: StalenessRule): boolean {
  return liveRows >= rule.worthPlanningFor && liveRows > Math.max(plannedRows, 0) * rule.toleratedUnderestimate;
}

/**
 * Keeps PostgreSQL's statistics on the engine's tables in step with their growth (see
 * WATCHED_TABLES): worker processes look every two seconds and analyze a table that has
 * outgrown what the planner believes. Analyzing also makes every connection plan its
 * prepared statements again.
 */
@Injectable()
export class TableStatisticsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TableStatisticsService.name);
  private timer?: NodeJS.Timeout;
  private checking = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.check(), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Analyzes the tables whose statistics are stale; answers their names. */
  async check(): Promise<string[]> {
    if (this.checking) return [];
    this.checking = true;
    try {
      const tables = [...WATCHED_TABLES.keys()];
      const rows = await this.dataSource.query<{ name: string; planned: number; live: number }[]>(
        `SELECT t.name, c.reltuples::float8 AS planned, pg_stat_get_live_tuples(c.oid)::float8 AS live
           FROM unnest($1::text[]) AS t(name) JOIN pg_class c ON c.oid = to_regclass(t.name)`,
        [tables],
      );
      const stale = rows.filter((row) => statisticsAreStale(row.planned, row.live, WATCHED_TABLES.get(row.name)!));
      if (stale.length === 0) return [];
      // SKIP_LOCKED: another process analyzing the same table has it in hand.
      await this.dataSource.query(`ANALYZE (SKIP_LOCKED) ${stale.map((row) => row.name).join(', ')}`);
      for (const row of stale) {
        this.logger.debug(`Analyzed ${row.name}: about ${Math.round(row.live)} rows, planned for ${Math.round(row.planned)}`);
      }
      return stale.map((row) => row.name);
    } catch (error) {
      this.logger.warn(`Could not refresh table statistics: ${(error as Error).message}`);
      return [];
    } finally {
      this.checking = false;
    }
  }
}
