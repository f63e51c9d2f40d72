import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A process listening for the change feed: the triggers notify only while one is. */
@Entity({ name: 'change_feed_listeners' })
export class ChangeFeedListenerEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('timestamptz', { name: 'listening_until' })
  listeningUntil: Date;
}
