import { ApplicationStatus } from '@smart-regency/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { bigintAsNumber } from '@smart-regency/platform';


@Entity('applications')
export class Application {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 40, unique: true })
  number: string;

  @Column({ type: 'varchar', length: 40 })
  permitTypeCode: string;

  /** Copied from the permit type at creation: later catalogue edits do not move open cases. */
  @Column({ type: 'uuid' })
  agencyId: string;

  @Column({ type: 'uuid' })
  issuingAgencyId: string;

  @Column({ type: 'uuid' })
  applicantId: string;

  @Column({ type: 'varchar', length: 24 })
  status: ApplicationStatus;

  @Column({ type: 'jsonb' })
  formData: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  location: { lat: number; lng: number; address?: string } | null;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  fee: number;

  @Column({ type: 'int' })
  slaWorkingDays: number;

  @Column({ type: 'int' })
  validityMonths: number;

  @Column({ type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  /** Set once by the overdue job, so the overdue event is sent once. */
  @Column({ type: 'timestamptz', nullable: true })
  overdueNotifiedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  issuedAt: Date | null;

  @Column({ type: 'varchar', length: 60, nullable: true })
  certificateNumber: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  verificationCode: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'varchar', length: 120, nullable: true })
  holderName: string | null;

  /** Set when the applicant's account was erased: the record stays, nothing is sent to them. */
  @Column({ type: 'timestamptz', nullable: true })
  applicantErasedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}

@Entity('application_history')
export class ApplicationHistory {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  seq: string;

  @Column({ type: 'uuid' })
  applicationId: string;

  @Column({ type: 'varchar', length: 40 })
  action: string;

  @Column({ type: 'varchar', length: 24, nullable: true })
  fromStatus: string | null;

  @Column({ type: 'varchar', length: 24 })
  toStatus: string;

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 20 })
  actorRole: string;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;
}
