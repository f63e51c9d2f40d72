import { Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { RunEntity } from './run.entity';

/**
 * An unfinished run that has a concurrency key, kept by triggers on `runs`: the gate
 * "is an earlier run with my key still unfinished?" reads this small table.
 */
@Entity({ name: 'open_keyed_runs' })
@Index('open_keyed_runs_order_idx', ['workflow', 'concurrencyKey', 'createdAt', 'runId'])
export class OpenKeyedRunEntity {
  @PrimaryColumn('uuid', { name: 'run_id' })
  runId: string;

  @OneToOne(() => RunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id' })
  run?: RunEntity;

  @Column('text')
  workflow: string;

  @Column('text', { name: 'concurrency_key' })
  concurrencyKey: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;
}
