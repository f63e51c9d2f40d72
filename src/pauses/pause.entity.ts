import { Column, Entity, PrimaryColumn } from 'typeorm';

export const PAUSE_KINDS = ['workflow', 'source'] as const;
export type PauseKind = (typeof PAUSE_KINDS)[number];

/** A paused workflow or source: its row exists while the pause lasts. */
@Entity({ name: 'pauses' })
export class PauseEntity {
  @PrimaryColumn('text')
  kind: PauseKind;

  @PrimaryColumn('text')
  name: string;

  @Column('timestamptz', { name: 'paused_at' })
  pausedAt: Date;

  /** Who paused it, as the caller named itself (`api` unless it said, `console` from the console). */
  @Column('text', { name: 'paused_by' })
  pausedBy: string;

  @Column('text', { nullable: true })
  reason: string | null;
}
