import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { PauseCommands } from './pause-commands';

const RECENT_FAILURES = 10;

interface SourceHealthRow {
  name: string;
  accepted_24h: number;
  rejected_24h: number;
  last_event_at: Date | null;
  recent_failures: { reason: string; received_at: string }[];
}

/** Health of each declared source: accepted and refused requests, and why they were refused. */
@Injectable()
export class SourceQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: WorkflowRegistry,
    private readonly pauses: PauseCommands,
  ) {}

  async list() {
    const sources = this.registry.sources().sort((a, b) => a.name.localeCompare(b.name));
    if (sources.length === 0) return { items: [], next_cursor: null };
    // Every figure is read from a (source, received_at) index.
    const rows = await this.dataSource.query<SourceHealthRow[]>(
      `SELECT s.name,
              (SELECT count(*)::int FROM events e WHERE e.source = s.name AND e.received_at >= now() - interval '24 hours') AS accepted_24h,
              (SELECT count(*)::int FROM signature_failures f
                WHERE f.source = s.name AND f.received_at >= now() - interval '24 hours') AS rejected_24h,
              (SELECT max(e.received_at) FROM events e WHERE e.source = s.name) AS last_event_at,
              (SELECT coalesce(json_agg(json_build_object('reason', f.reason, 'received_at', f.received_at) ORDER BY f.received_at DESC), '[]')
                 FROM (SELECT reason, received_at FROM signature_failures
                        WHERE source = s.name ORDER BY received_at DESC LIMIT ${RECENT_FAILURES}) f) AS recent_failures
         FROM unnest($1::text[]) AS s(name)`,
      [sources.map((source) => source.name)],
    );
    const byName = new Map(rows.map((row) => [row.name, row]));
    const paused = await this.pauses.pausesOf('source');
    const items = sources.map((source) => {
      const row = byName.get(source.name)!;
      const seen = row.accepted_24h + row.rejected_24h;
      return {
        name: source.name,
        scheme: source.verify.scheme,
        path: `/hooks/${source.name}`,
        accepted_24h: row.accepted_24h,
        rejected_24h: row.rejected_24h,
        rejection_rate_24h: seen === 0 ? null : row.rejected_24h / seen,
        last_event_at: row.last_event_at,
        recent_failures: row.recent_failures.map((failure) => ({ reason: failure.reason, received_at: new Date(failure.received_at) })),
        paused: paused.get(source.name) ?? null,
      };
    });
    return { items, next_cursor: null };
  }
}
