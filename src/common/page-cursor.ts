import { DomainError } from './domain-error';

/** Where a keyset page ends: the time of its last row, in microseconds, and the row's id. */
export interface PageEnd {
  /** `2024-05-01T12:34:56.123456Z`, as `pageEndTime` renders a column. */
  at: string;
  id: string;
}

/**
 * SQL that renders a `timestamptz` column as `PageEnd.at`: UTC with all six digits of
 * PostgreSQL's microseconds (a JavaScript date would drop them and skip rows), whatever the
 * session's DateStyle and TimeZone.
 */
export function pageEndTime(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The opaque `next_cursor` of a list. */
export function encodeCursor(end: PageEnd): string {
  return Buffer.from(JSON.stringify([end.at, end.id])).toString('base64url');
}

/**
 * The page end a cursor names. Anything but a cursor this API gave out is refused with
 * `INVALID_CURSOR` before it reaches SQL, so a tampered one is a 400, never a database error.
 */
export function decodeCursor(cursor: string): PageEnd {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (Array.isArray(decoded) && decoded.length === 2) {
    const [at, id] = decoded as unknown[];
    if (typeof at === 'string' && typeof id === 'string' && isCalendarTime(at) && UUID.test(id)) return { at, id };
  }
  throw new DomainError('INVALID_CURSOR', 'cursor is not one this API gave out: start again without it');
}

/** A real UTC time in the shape pageEndTime renders (JavaScript would roll 31 February over into March). */
function isCalendarTime(at: string): boolean {
  if (!AT.test(at)) return false;
  const milliseconds = Date.parse(`${at.slice(0, 23)}Z`);
  return !Number.isNaN(milliseconds) && new Date(milliseconds).toISOString().slice(0, 19) === at.slice(0, 19);
}
