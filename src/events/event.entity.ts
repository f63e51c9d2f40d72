import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { WebhookAnswer } from './webhook-answer';

/**
 * Something the console should show about how the event was read or matched: a body that
 * claimed to be JSON but was not, or why a listening workflow did not start a run.
 */
export interface MatchNote {
  workflow?: string;
  reason: string;
}

export type BodyFormat = 'json' | 'form' | 'text' | 'empty';

/** One accepted inbound webhook, stored before it is answered. */
@Entity({ name: 'events' })
@Index('events_received_at_idx', ['receivedAt', 'id'])
@Index('events_source_received_at_idx', ['source', 'receivedAt', 'id'])
@Index('events_source_dedupe_key_uq', ['source', 'dedupeKey'], { unique: true, where: 'dedupe_key IS NOT NULL' })
export class EventEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  source: string;

  @Column('text')
  type: string;

  /** Unique per source where set. */
  @Column('text', { name: 'dedupe_key', nullable: true })
  dedupeKey: string | null;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt: Date;

  /** Lower-case names; credentials (authorization, cookies, api keys) are stored redacted. */
  @Column('jsonb')
  headers: Record<string, string>;

  /** The raw query string, without the leading `?`. */
  @Column('text', { default: '' })
  query: string;

  @Column('text', { name: 'content_type', nullable: true })
  contentType: string | null;

  /** The exact bytes received, as verified. */
  @Column('bytea')
  body: Buffer;

  /** How the body was read for templates: JSON that failed to parse is kept as `text`. */
  @Column('text', { name: 'body_format' })
  bodyFormat: BodyFormat;

  @Column('integer', { name: 'runs_count', default: 0 })
  runsCount: number;

  @Column('jsonb', { name: 'match_notes', default: () => "'[]'" })
  matchNotes: MatchNote[];

  /** What a `respond:` answered, as sent, for repeated deliveries; null for the usual `202` JSON. */
  @Column('jsonb', { nullable: true })
  answer: WebhookAnswer | null;
}
