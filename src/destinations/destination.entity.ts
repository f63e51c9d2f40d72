import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RunEntity } from '../engine/run.entity';

export const DESTINATION_STATES = ['closed', 'open', 'half_open', 'disabled'] as const;
export type DestinationState = (typeof DESTINATION_STATES)[number];

/**
 * The health of one destination shared by every process: its circuit breaker and the next
 * free slot of its rate limit. A destination that never failed and has no rate limit may
 * have no row.
 */
@Entity({ name: 'destinations' })
export class DestinationEntity {
  /** An HTTP origin (`https://api.example.com`) or `smtp`. */
  @PrimaryColumn('text')
  id: string;

  @Column('text', { default: 'closed' })
  state: DestinationState;

  /** Opened through the API: stays open, without probes, until closed the same way. */
  @Column('boolean', { name: 'held_manually', default: false })
  heldManually: boolean;

  @Column('integer', { name: 'consecutive_failures', default: 0 })
  consecutiveFailures: number;

  @Column('timestamptz', { name: 'opened_at', nullable: true })
  openedAt: Date | null;

  /** While open: when one probe attempt may go through. */
  @Column('timestamptz', { name: 'probe_at', nullable: true })
  probeAt: Date | null;

  /** While half-open: until when the probe in flight holds its place. */
  @Column('timestamptz', { name: 'probe_until', nullable: true })
  probeUntil: Date | null;

  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt: Date | null;

  /** The last failure, as steps record errors (secrets removed). */
  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @Column('timestamptz', { name: 'last_failure_at', nullable: true })
  lastFailureAt: Date | null;

  /** Rate limit: the first slot not yet taken. */
  @Column('timestamptz', { name: 'next_slot', nullable: true })
  nextSlot: Date | null;

  /** Grows with every change of state, so a process keeps the newest it has seen. */
  @Column('bigint', { default: 1 })
  version: string;

  @Column('timestamptz', { name: 'changed_at', default: () => 'now()' })
  changedAt: Date;
}

/** A step that waits for its destination: a closed circuit, or its slot of the rate limit. */
@Entity({ name: 'destination_waits' })
@Index('destination_waits_destination_idx', ['destination', 'since'])
export class DestinationWaitEntity {
  @PrimaryColumn('uuid', { name: 'run_id' })
  runId: string;

  @ManyToOne(() => RunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id' })
  run?: RunEntity;

  @PrimaryColumn('text', { name: 'step_id' })
  stepId: string;

  @Column('text')
  destination: string;

  /** When the step first had to wait: the order in which waiting steps go out. */
  @Column('timestamptz', { default: () => 'now()' })
  since: Date;

  /** The rate limit slot reserved for the step, if any. */
  @Column('timestamptz', { nullable: true })
  slot: Date | null;
}

/** Attempts to one destination in one minute, for its success rate and latency over a day. */
@Entity({ name: 'destination_minutes' })
export class DestinationMinuteEntity {
  @PrimaryColumn('text')
  destination: string;

  @PrimaryColumn('timestamptz')
  minute: Date;

  @Column('integer', { default: 0 })
  successes: number;

  @Column('integer', { default: 0 })
  failures: number;

  @Column('bigint', { name: 'duration_ms_total', default: 0 })
  durationMsTotal: string;

  @Column('integer', { name: 'duration_ms_max', default: 0 })
  durationMsMax: number;
}
