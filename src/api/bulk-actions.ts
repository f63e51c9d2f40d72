import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { RunCommands } from '../engine/run-commands';
import { EventFilter, EventQueries } from './event-queries';

/** Replay and retry over a filtered set, one event or run at a time through `RunCommands`. */
@Injectable()
export class BulkActions {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: EventQueries,
    private readonly commands: RunCommands,
  ) {}

  /** Replays the newest `limit` events that match `filter`; answers how many events and new runs. */
  async replayEvents(filter: EventFilter, limit: number): Promise<{ replayed: number; runs: number }> {
    const ids = await this.events.ids(filter, limit);
    let runs = 0;
    for (const id of ids) runs += (await this.commands.replayEvent(id)).runs.length;
    return { replayed: ids.length, runs };
  }

  /** Retries the newest `limit` failed runs (of `workflow` when given); a run that changed meanwhile is left alone. */
  async retryFailedRuns(workflow: string | undefined, limit: number): Promise<{ retried: number }> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM runs WHERE status = 'failed' AND ($1::text IS NULL OR workflow = $1) ORDER BY created_at DESC, id DESC LIMIT $2`,
      [workflow ?? null, limit],
    );
    let retried = 0;
    for (const { id } of rows) {
      try {
        await this.commands.retryRun(id);
        retried++;
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'RUN_STATE_CONFLICT')) throw error;
      }
    }
    return { retried };
  }
}
