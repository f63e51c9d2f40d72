import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A tick of a scheduled workflow that was started: inserting the row is the claim on it. */
@Entity({ name: 'schedule_ticks' })
@Index('schedule_ticks_tick_at_idx', ['tickAt'])
export class ScheduleTickEntity {
  @PrimaryColumn('text')
  workflow: string;

  @PrimaryColumn('timestamptz', { name: 'tick_at' })
  tickAt: Date;

  @Column('uuid', { name: 'run_id', nullable: true })
  runId: string | null;
}
