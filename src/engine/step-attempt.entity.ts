import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { RunEntity } from './run.entity';

/** One try of one step: what was sent (redacted) and what came back (first 16 KiB). */
@Entity({ name: 'step_attempts' })
@Index('step_attempts_run_step_idx', ['runId', 'stepId', 'n'])
export class StepAttemptEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('uuid', { name: 'run_id' })
  runId: string;

  @ManyToOne(() => RunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id' })
  run?: RunEntity;

  @Column('text', { name: 'step_id' })
  stepId: string;

  @Column('integer')
  n: number;

  @Column('text')
  status: 'succeeded' | 'failed';

  @Column('timestamptz', { name: 'started_at' })
  startedAt: Date;

  @Column('integer', { name: 'duration_ms' })
  durationMs: number;

  @Column('jsonb', { nullable: true })
  request: unknown;

  @Column('integer', { name: 'response_status', nullable: true })
  responseStatus: number | null;

  @Column('jsonb', { name: 'response_headers', nullable: true })
  responseHeaders: Record<string, string> | null;

  @Column('text', { name: 'response_body', nullable: true })
  responseBody: string | null;

  @Column('text', { nullable: true })
  error: string | null;
}
