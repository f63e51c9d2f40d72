import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { EventEntity } from '../events/event.entity';

/** `paused`: its workflow is paused; it waits, unfinished, until the workflow is resumed. */
export const RUN_STATUSES = ['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Runs not finished yet: those a cancel stops (CANCEL_RUN takes the same). */
export const UNFINISHED_RUN_STATUSES = ['queued', 'running', 'paused'] as const satisfies readonly RunStatus[];
export type UnfinishedRunStatus = (typeof UNFINISHED_RUN_STATUSES)[number];

/** `steps`: a run of the workflow's `steps:`; `on_failure`: of its `on_failure:` steps, for a failed run. */
export const RUN_KINDS = ['steps', 'on_failure'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** One execution of one workflow version for one event. */
@Entity({ name: 'runs' })
@Index('runs_created_at_idx', ['createdAt', 'id'])
@Index('runs_workflow_created_at_idx', ['workflow', 'createdAt', 'id'])
@Index('runs_event_id_idx', ['eventId'])
@Index('runs_lease_until_idx', ['leaseUntil'], { where: 'lease_owner IS NOT NULL' })
@Index('runs_failed_run_id_idx', ['failedRunId'], { where: 'failed_run_id IS NOT NULL' })
@Index('runs_parent_run_id_idx', ['parentRunId'], { where: 'parent_run_id IS NOT NULL' })
// As PostgreSQL prints the migration's `deadline IS NOT NULL AND status IN ('queued', 'running', 'paused')`.
@Index('runs_deadline_idx', ['deadline'], {
  where: "(deadline IS NOT NULL) AND (status = ANY (ARRAY['queued'::text, 'running'::text, 'paused'::text]))",
})
export class RunEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  workflow: string;

  @Column('text', { name: 'workflow_version' })
  workflowVersion: string;

  @Column('uuid', { name: 'event_id' })
  eventId: string;

  @ManyToOne(() => EventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: EventEntity;

  @Column('text')
  status: RunStatus;

  @Column('text', { default: 'steps' })
  kind: RunKind;

  /** For an `on_failure` run: the run whose failure it handles (no foreign key: retention may prune that one first). */
  @Column('uuid', { name: 'failed_run_id', nullable: true })
  failedRunId: string | null;

  /** For an `on_failure` run: its template context `failure`, as it was when the run failed. */
  @Column('jsonb', { nullable: true })
  failure: unknown;

  /** For a run a `workflow` step started: that step's run and id (no foreign key: retention may prune the parent first). */
  @Column('uuid', { name: 'parent_run_id', nullable: true })
  parentRunId: string | null;

  @Column('text', { name: 'parent_step_id', nullable: true })
  parentStepId: string | null;

  /** A succeeded run's rendered `output:` (secrets as `[secret]`). */
  @Column('jsonb', { nullable: true })
  output: unknown;

  /** Rendered `concurrency.key`: runs sharing it run one at a time, in arrival order. */
  @Column('text', { name: 'concurrency_key', nullable: true })
  concurrencyKey: string | null;

  /** The workflow's `timeout:` when the run was created (a retry gets it afresh from then). */
  @Column('bigint', { name: 'timeout_ms', nullable: true })
  timeoutMs: string | null;

  /** When the run is cancelled if it has not finished: creation (or retry) plus `timeout_ms`. */
  @Column('timestamptz', { nullable: true })
  deadline: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('timestamptz', { name: 'updated_at', nullable: true })
  updatedAt: Date | null;

  /** The process executing the run, and until when its claim holds without a heartbeat. */
  @Column('text', { name: 'lease_owner', nullable: true })
  leaseOwner: string | null;

  @Column('timestamptz', { name: 'lease_until', nullable: true })
  leaseUntil: Date | null;
}
