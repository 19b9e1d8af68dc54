import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per complaint, kept current from complaint events. */
@Entity('complaint_facts')
export class ComplaintFact {
  @PrimaryColumn('uuid')
  complaintId: string;

  @Column({ type: 'uuid', nullable: true })
  agencyId: string | null;

  @Column({ type: 'varchar', length: 40 })
  categoryCode: string;

  @Column({ type: 'varchar', length: 20 })
  visibility: string;

  @Column({ type: 'varchar', length: 20 })
  status: string;

  @Column({ type: 'timestamptz' })
  receivedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** True once any stage deadline was missed (an escalation happened). */
  @Column({ type: 'boolean', default: false })
  deadlineMissed: boolean;

  @Column({ type: 'smallint', nullable: true })
  rating: number | null;
}

/** One row per permit application, kept current from permit events. */
@Entity('permit_facts')
export class PermitFact {
  @PrimaryColumn('uuid')
  applicationId: string;

  @Column({ type: 'uuid' })
  agencyId: string;

  @Column({ type: 'varchar', length: 40 })
  permitTypeCode: string;

  @Column({ type: 'varchar', length: 24 })
  status: string;

  @Column({ type: 'timestamptz' })
  submittedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  issuedAt: Date | null;

  @Column({ type: 'boolean', default: false })
  deadlineMissed: boolean;
}

/** How far each projection has read the event stream, so reports can say "as of". */
@Entity('projection_state')
export class ProjectionState {
  @PrimaryColumn({ type: 'varchar', length: 60 })
  name: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  lastEventId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastEventTime: Date | null;
}
