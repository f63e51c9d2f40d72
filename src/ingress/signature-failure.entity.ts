import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A request refused by verification: who, why and when; never its body. */
@Entity({ name: 'signature_failures' })
@Index('signature_failures_source_received_at_idx', ['source', 'receivedAt'])
@Index('signature_failures_received_at_idx', ['receivedAt'])
export class SignatureFailureEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('text')
  source: string;

  @Column('text')
  reason: string;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt: Date;

  @Column('text', { name: 'remote_address', nullable: true })
  remoteAddress: string | null;
}
