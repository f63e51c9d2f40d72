import { v7 as uuidv7 } from 'uuid';
import { ReadBody, readBody, readQuery } from './inbound-body';

/**
 * One event, built once where it enters — ingress from a request, the engine for a schedule's
 * tick or a `workflow` step, a dry run from a sample — and passed on whole: the trigger
 * matcher, the event writer and the engine all take this.
 */
export interface InboundEvent {
  id: string;
  source: string;
  /** '' when the source's `event_type` gives none. */
  type: string;
  receivedAt: Date;
  /** Lower-case names, as stored: credentials redacted. */
  headers: Record<string, string>;
  /** The query string as stored (credentials redacted), without the leading `?`. */
  query: string;
  contentType: string | null;
  /** The exact bytes received, as verified; a synthetic event's body as JSON. */
  rawBody: Buffer;
  /** The body as templates read it: parsed JSON, a form as an object, or text. */
  body: ReadBody;
}

/** The `event` of templates (`{{event.body.order.id}}`), as triggers, source templates and steps see it. */
export interface EventContext {
  id: string;
  source: string;
  type: string;
  received_at: string;
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  body: unknown;
}

/** The template context of `event`. */
export function eventContextOf(event: InboundEvent): EventContext {
  return {
    id: event.id,
    source: event.source,
    type: event.type,
    received_at: event.receivedAt.toISOString(),
    headers: event.headers,
    query: readQuery(event.query),
    body: event.body.value,
  };
}

/** The columns of a stored event that make it an InboundEvent again. */
export interface StoredEventRow {
  id: string;
  source: string;
  type: string;
  receivedAt: Date | string;
  headers: Record<string, string>;
  query: string;
  contentType: string | null;
  body: Buffer;
}

/**
 * The event a stored row holds. Its body is read again on purpose: the bytes are what is
 * stored, not their reading, so a run claimed from the queue, a replay and a dry run of a
 * stored event read them by the same rules ingress did.
 */
export function storedEvent(row: StoredEventRow): InboundEvent {
  return {
    id: row.id,
    source: row.source,
    type: row.type,
    receivedAt: new Date(row.receivedAt),
    headers: row.headers,
    query: row.query,
    contentType: row.contentType,
    rawBody: row.body,
    body: readBody(row.body, row.contentType),
  };
}

export interface SyntheticEventSpec {
  source: string;
  type: string;
  /** Any JSON value; none is `{}`. */
  body: unknown;
  headers?: Record<string, string>;
  receivedAt?: Date;
}

/**
 * An event the engine makes itself: a schedule's tick, a `workflow` step starting another
 * workflow. Its body is stored as JSON, and templates see that JSON read back — what a run
 * claimed later from the stored event sees too — so a value that JSON cannot hold (an
 * `undefined` field) is gone from the start, not only after a restart.
 */
export function syntheticEvent(spec: SyntheticEventSpec): InboundEvent {
  const contentType = 'application/json';
  const rawBody = Buffer.from(JSON.stringify(spec.body ?? {}));
  return {
    id: uuidv7(),
    source: spec.source,
    type: spec.type,
    receivedAt: spec.receivedAt ?? new Date(),
    headers: spec.headers ?? {},
    query: '',
    contentType,
    rawBody,
    body: readBody(rawBody, contentType),
  };
}

/** An event as a user writes it to try a workflow with (the CLI's event file, the console's pasted event). */
export interface SampleEventInput {
  /** Any case; a list is joined with `, ` as Node joins repeated headers. */
  headers?: Record<string, unknown>;
  /** A query string (a leading `?` is ignored) or an object of names and values. */
  query?: Record<string, unknown> | string;
  /** A string is read as received bytes would be (by its `content-type`); anything else is the parsed body. */
  body: unknown;
}

/** The event a sample stands for, with the id, source, type and arrival time a dry run gives it. */
export function sampleEvent(input: SampleEventInput, identity: { id: string; source: string; type: string; receivedAt: Date }): InboundEvent {
  const headers = sampleHeaders(input.headers);
  const contentType = headers['content-type'] ?? null;
  const { rawBody, body } = sampleBody(input.body, contentType);
  return { ...identity, headers, query: sampleQuery(input.query), contentType, rawBody, body };
}

function sampleBody(body: unknown, contentType: string | null): { rawBody: Buffer; body: ReadBody } {
  if (typeof body === 'string') {
    const rawBody = Buffer.from(body);
    return { rawBody, body: readBody(rawBody, contentType) };
  }
  // Data from a JSON or YAML document is already parsed: taken as it is, not written and read again.
  const value = body ?? null;
  return { rawBody: Buffer.from(JSON.stringify(value)), body: { format: 'json', value } };
}

function sampleHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.map(String).join(', ') : String(value);
  }
  return result;
}

function sampleQuery(query: SampleEventInput['query']): string {
  if (query === undefined) return '';
  if (typeof query === 'string') return query.replace(/^\?/, '');
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  return params.toString();
}
