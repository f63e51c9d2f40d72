import { readBody, readQuery } from '../events/inbound-body';
import { EventContext } from '../events/trigger-matcher';

/** What the engine reads of a stored event. */
export interface StoredEvent {
  source: string;
  type: string;
  receivedAt: Date;
  headers: Record<string, string>;
  query: string;
  contentType: string | null;
  body: Buffer;
}

/** The `event` of templates, rebuilt from the stored event exactly as ingress first read it. */
export function eventContextOf(id: string, stored: StoredEvent): EventContext {
  return {
    id,
    source: stored.source,
    type: stored.type,
    received_at: new Date(stored.receivedAt).toISOString(),
    headers: stored.headers,
    query: readQuery(stored.query),
    body: readBody(stored.body, stored.contentType).value,
  };
}
