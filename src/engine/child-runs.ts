import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RunStatus } from './run.entity';
import { CHILD_EVENT_START, CHILD_RUN_STATE, SOURCE_EVENT_WITH_DEDUPE_KEY } from './run-statements';

/** A run a `workflow` step started, as a parent waiting for it sees it. */
export interface ChildRunState {
  id: string;
  workflow: string;
  status: RunStatus;
  error: string | null;
  output: unknown;
}

/** The reads a `workflow` step makes of the runs and events it starts. */
@Injectable()
export class ChildRuns {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The child run's status, error and output; undefined once it is gone (pruned). */
  async stateOf(runId: string): Promise<ChildRunState | undefined> {
    const [row] = await this.dataSource.query<ChildRunState[]>(CHILD_RUN_STATE, [runId]);
    return row;
  }

  /** The first event of `sources` that has `dedupeKey`, if any. */
  async sourceEventWithKey(sources: string[], dedupeKey: string): Promise<string | undefined> {
    if (sources.length === 0) return undefined;
    const [row] = await this.dataSource.query<{ id: string }[]>(SOURCE_EVENT_WITH_DEDUPE_KEY, [sources, dedupeKey]);
    return row?.id;
  }

  /** Which step attempt started event `eventId` (its `header`), and the event's first run. */
  async startOf(eventId: string, header: string): Promise<{ startedBy: string | null; runId: string | null } | undefined> {
    const [row] = await this.dataSource.query<{ started_by: string | null; run_id: string | null }[]>(CHILD_EVENT_START, [eventId, header]);
    return row && { startedBy: row.started_by, runId: row.run_id };
  }
}
