import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PauseKind } from './pause.entity';

/** A paused workflow or source, as the API shows it. */
export interface PauseRecord {
  kind: PauseKind;
  name: string;
  since: Date;
  by: string;
  reason: string | null;
}

interface PauseRow {
  kind: PauseKind;
  name: string;
  paused_at: Date;
  paused_by: string;
  reason: string | null;
}

/** The SQL of table `pauses`. */
@Injectable()
export class PauseStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(): Promise<PauseRecord[]> {
    const rows = await this.dataSource.query<PauseRow[]>(`SELECT kind, name, paused_at, paused_by, reason FROM pauses`);
    return rows.map(recordOf);
  }

  /**
   * Pauses `name` and then, in the same transaction, runs `afterwards` (which parks what is
   * waiting). A second pause keeps the first one's time, author and reason. Answers the pause
   * in force, whether this call made it, and what `afterwards` answered.
   */
  async pause<T>(
    kind: PauseKind,
    name: string,
    by: string,
    reason: string | null,
    afterwards: (manager: EntityManager) => Promise<T>,
  ): Promise<{ pause: PauseRecord; changed: boolean; result: T }> {
    return this.dataSource.transaction(async (manager) => {
      const inserted = await manager.query<PauseRow[]>(
        `INSERT INTO pauses (kind, name, paused_at, paused_by, reason) VALUES ($1, $2, now(), $3, $4)
         ON CONFLICT (kind, name) DO UPDATE SET paused_at = pauses.paused_at
         RETURNING kind, name, paused_at, paused_by, reason, xmax = 0 AS inserted`,
        [kind, name, by, reason],
      );
      const [row] = inserted as (PauseRow & { inserted: boolean })[];
      return { pause: recordOf(row), changed: row.inserted, result: await afterwards(manager) };
    });
  }

  /**
   * Ends the pause of `name` and then, in the same transaction, runs `afterwards` (which
   * queues what waited). The pause row goes first, in a statement of its own: a run being
   * parked holds that row for share, so `afterwards` starts only once such a run is stored
   * as paused, and sees it. Answers whether there was a pause, and what `afterwards` answered.
   */
  async resume<T>(kind: PauseKind, name: string, afterwards: (manager: EntityManager) => Promise<T>): Promise<{ wasPaused: boolean; result: T }> {
    return this.dataSource.transaction(async (manager) => {
      const deleted = await manager.query<unknown[]>(`WITH gone AS (DELETE FROM pauses WHERE kind = $1 AND name = $2 RETURNING name) SELECT name FROM gone`, [
        kind,
        name,
      ]);
      return { wasPaused: deleted.length > 0, result: await afterwards(manager) };
    });
  }
}

function recordOf(row: PauseRow): PauseRecord {
  return { kind: row.kind, name: row.name, since: new Date(row.paused_at), by: row.paused_by, reason: row.reason };
}
