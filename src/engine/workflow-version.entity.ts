import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Every version of a workflow file that runs were created from, so that they finish on it. */
@Entity({ name: 'workflow_versions' })
export class WorkflowVersionEntity {
  @PrimaryColumn('text')
  workflow: string;

  @PrimaryColumn('text')
  version: string;

  @Column('text')
  file: string;

  @Column('text')
  yaml: string;

  @Column('timestamptz', { name: 'first_seen_at' })
  firstSeenAt: Date;
}
