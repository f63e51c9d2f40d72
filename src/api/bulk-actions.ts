import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { RunCommands } from '../engine/run-commands';
import { RunQueries, UnfinishedRunFilter } from '../engine/run-queries';
import { EventFilter, EventQueries } from './event-queries';

/** Replay, retry and cancel over a filtered set, one event or run at a time through `RunCommands`. */
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
    const retried = await countApplied(await this.runs.failedIds(workflow, limit), (id) => this.commands.retryRun(id));
    return { retried };
  }

  /** Cancels the newest `limit` unfinished runs that match `filter`; a run that finished meanwhile is left alone. */
  async cancelRuns(filter: UnfinishedRunFilter, limit: number): Promise<{ cancelled: number }> {
    const cancelled = await countApplied(await this.runs.unfinishedIds(filter, limit), (id) => this.commands.cancelRun(id));
    return { cancelled };
  }
}

/** Applies `command` to each run in turn; answers how many took it. A run whose state no longer allows it is skipped. */
async function countApplied(ids: string[], command: (id: string) => Promise<unknown>): Promise<number> {
  let applied = 0;
  for (const id of ids) {
    try {
      await command(id);
      applied++;
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'RUN_STATE_CONFLICT')) throw error;
    }
  }
  return applied;
}
