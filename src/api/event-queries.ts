import { isUtf8 } from 'node:buffer';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { decodeCursor, encodeCursor, pageEndTime } from '../common/page-cursor';

/**
 * An event's status, derived from its runs (replays included), first rule that holds:
 * `no_runs` (none), `pending` (one is queued, running or paused), `failed` (one failed),
 * `succeeded` (all succeeded or were cancelled).
 */
export const EVENT_STATUSES = ['no_runs', 'pending', 'failed', 'succeeded'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export interface EventFilter {
  source?: string;
  type?: string;
  status?: EventStatus;
  q?: string;
}

interface EventSummaryRow {
  id: string;
  source: string;
  type: string;
  received_at: Date;
  runs_count: number;
  status: EventStatus;
  page_end: string;
}

interface EventRow {
  id: string;
  source: string;
  type: string;
  received_at: Date;
  dedupe_key: string | null;
  headers: Record<string, string>;
  query: string;
  content_type: string | null;
  body: Buffer;
  body_format: string;
  match_notes: unknown[];
  answer: unknown;
  runs: { id: string; workflow: string; status: string; created_at: string }[];
}

const EVENT_RUNS = `
  SELECT count(*)::int AS runs_count,
         CASE WHEN count(*) = 0 THEN 'no_runs'
              WHEN bool_or(r.status IN ('queued', 'running', 'paused')) THEN 'pending'
              WHEN bool_or(r.status = 'failed') THEN 'failed'
              ELSE 'succeeded' END AS status
    FROM runs r WHERE r.event_id = e.id`;

/** Filters $1–$5 (source, exact type, type pattern, status, body pattern) over `e` and its status `s`. */
const MATCHES_FILTER = `
  ($1::text IS NULL OR e.source = $1)
  AND ($2::text IS NULL OR e.type = $2)
  AND ($3::text IS NULL OR e.type LIKE $3)
  AND ($4::text IS NULL OR s.status = $4)
  AND ($5::text IS NULL OR hookflow_body_text(e.body) ILIKE $5)`;

/** Reads the event log for the API and the console; newest first, with opaque keyset cursors. */
@Injectable()
export class EventQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(filter: EventFilter & { cursor?: string; limit: number }) {
    const after = filter.cursor ? decodeCursor(filter.cursor) : null;
    const rows = await this.dataSource.query<EventSummaryRow[]>(
      `SELECT e.id, e.source, e.type, e.received_at, s.runs_count, s.status, ${pageEndTime('e.received_at')} AS page_end
         FROM events e CROSS JOIN LATERAL (${EVENT_RUNS}) s
        WHERE ${MATCHES_FILTER}
          AND ($6::timestamptz IS NULL OR (e.received_at, e.id) < ($6::timestamptz, $7::uuid))
        ORDER BY e.received_at DESC, e.id DESC
        LIMIT $8`,
      [...filterParameters(filter), after?.at ?? null, after?.id ?? null, filter.limit + 1],
    );
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    const items = page.map(({ page_end: _, ...event }) => event);
    return { items, next_cursor: rows.length > filter.limit && last ? encodeCursor({ at: last.page_end, id: last.id }) : null };
  }

  /** Ids of the newest `limit` events that match, newest first. */
  async ids(filter: EventFilter, limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT e.id FROM events e CROSS JOIN LATERAL (${EVENT_RUNS}) s
        WHERE ${MATCHES_FILTER}
        ORDER BY e.received_at DESC, e.id DESC LIMIT $6`,
      [...filterParameters(filter), limit],
    );
    return rows.map((row) => row.id);
  }

  async get(id: string) {
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT e.id, e.source, e.type, e.received_at, e.dedupe_key, e.headers, e.query, e.content_type, e.body, e.body_format, e.match_notes, e.answer,
              (SELECT coalesce(json_agg(json_build_object('id', r.id, 'workflow', r.workflow, 'status', r.status, 'created_at', r.created_at)
                                        ORDER BY r.created_at, r.id), '[]')
                 FROM runs r WHERE r.event_id = e.id) AS runs
         FROM events e WHERE e.id = $1`,
      [id],
    );
    if (rows.length === 0) throw new DomainError('NOT_FOUND', `No event ${id}`);
    const { body, runs, ...event } = rows[0];
    return {
      ...event,
      ...bodyOf(body, event.body_format),
      runs: runs.map((run) => ({ ...run, created_at: new Date(run.created_at) })),
    };
  }
}

/**
 * The body as text; bytes that are not UTF-8 come as base64 (`body_encoding`), so that the
 * raw body is never altered. A JSON body is also given parsed.
 */
function bodyOf(body: Buffer, format: string): { body: string; body_encoding: 'utf8' | 'base64'; body_json?: unknown } {
  if (!isUtf8(body)) return { body: body.toString('base64'), body_encoding: 'base64' };
  const text = body.toString('utf8');
  if (format !== 'json') return { body: text, body_encoding: 'utf8' };
  try {
    return { body: text, body_encoding: 'utf8', body_json: JSON.parse(text) as unknown };
  } catch {
    return { body: text, body_encoding: 'utf8' };
  }
}

function filterParameters(filter: EventFilter): (string | null)[] {
  const glob = filter.type?.includes('*') ?? false;
  return [
    filter.source ?? null,
    glob ? null : (filter.type ?? null),
    glob ? escapeLike(filter.type!).replaceAll('*', '%') : null,
    filter.status ?? null,
    filter.q === undefined ? null : `%${escapeLike(filter.q)}%`,
  ];
}

/** Makes `%`, `_` and `\` match themselves in a LIKE pattern (backslash is the default escape). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
