import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** When a queue worker (a graphile-worker `locked_by`) was last known alive, and its process. */
@Entity({ name: 'worker_heartbeats' })
@Index('worker_heartbeats_process_idx', ['processId'])
export class WorkerHeartbeatEntity {
  @PrimaryColumn('text', { name: 'worker_id' })
  workerId: string;

  @Column('text', { name: 'process_id' })
  processId: string;

  @Column('timestamptz', { name: 'last_seen_at' })
  lastSeenAt: Date;
}
