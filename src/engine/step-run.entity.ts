import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RunEntity } from './run.entity';

export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** The state of one step in one run. `input` is stored with secrets as `[secret]`. */
@Entity({ name: 'step_runs' })
export class StepRunEntity {
  @PrimaryColumn('uuid', { name: 'run_id' })
  runId: string;

  @ManyToOne(() => RunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id' })
  run?: RunEntity;

  @PrimaryColumn('text', { name: 'step_id' })
  stepId: string;

  @Column('text')
  status: StepStatus;

  /** Attempts made since the step last started afresh (a manual retry starts afresh). */
  @Column('integer')
  attempts: number;

  @Column('jsonb', { nullable: true })
  input: unknown;

  @Column('jsonb', { nullable: true })
  output: unknown;

  @Column('text', { nullable: true })
  error: string | null;

  /** Set while the step waits for its next attempt or for a delay to end. */
  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt: Date | null;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;
}
