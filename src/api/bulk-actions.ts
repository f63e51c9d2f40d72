import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { RunCommands } from '../engine/run-commands';
import { RunQueries } from '../engine/run-queries';
import { EventFilter, EventQueries } from './event-queries';

/** Replay and retry over a filtered set, one event or run at a time through `RunCommands`. */
@Injectable()
export class BulkActions {
  constructor(
    private readonly events: EventQueries,
    private readonly commands: RunCommands,
    private readonly runs: RunQueries,
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
    let retried = 0;
    for (const id of await this.runs.failedIds(workflow, limit)) {
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
