import { ComplaintStatus, LaporStatus, Visibility } from '@smart-regency/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

@Entity('complaints')
export class Complaint {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 40, unique: true }) trackingNumber: string;
  @Column({ type: 'varchar', length: 40 }) categoryCode: string;
  @Column({ type: 'uuid' }) reporterId: string;
  @Column({ type: 'varchar', length: 200 }) title: string;
  @Column({ type: 'text' }) description: string;
  @Column({ type: 'jsonb' }) location: { lat?: number; lng?: number; address?: string; district?: string; village?: string };
  @Column({ type: 'varchar', length: 100, nullable: true }) district: string | null;
  @Column({ type: 'varchar', length: 20 }) visibility: Visibility;
  @Column({ type: 'varchar', length: 20 }) status: ComplaintStatus;
  /** The category's agency until the coordinator disposes it elsewhere. */
  @Column({ type: 'uuid', nullable: true }) agencyId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) dueAt: Date | null;
  @Column({ type: 'timestamptz' }) finalDueAt: Date;
  /** Stages whose deadline passed and was escalated, so each is escalated once. */
  @Column({ type: 'text', array: true, default: () => `'{}'` }) escalatedStages: string[];
  @Column({ type: 'text', nullable: true }) answer: string | null;
  @Column({ type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) closedAt: Date | null;
  @Column({ type: 'smallint', nullable: true }) rating: number | null;
  @Column({ type: 'text', nullable: true }) ratingComment: string | null;
  /** Where it stands with SP4N-LAPOR! (null until someone asked to forward it). */
  @Column({ type: 'varchar', length: 20, nullable: true }) laporStatus: LaporStatus | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) laporId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) laporRequestedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) laporForwardedAt: Date | null;
  @Column({ type: 'text', nullable: true }) laporFailedReason: string | null;
  @Column({ type: 'varchar', length: 60, nullable: true }) laporRemoteStatus: string | null;
  /** When the national channel says `laporRemoteStatus` was set: an older status arriving later does not replace it. */
  @Column({ type: 'timestamptz', nullable: true }) laporRemoteUpdatedAt: Date | null;
  /** The `lapor_forward_requested` event the adapter's outcome must answer. */
  @Column({ type: 'uuid', nullable: true }) laporRequestEventId: string | null;
  /** The reporter asked for erasure: the complaint stays, nobody is told about it any more. */
  @Column({ type: 'timestamptz', nullable: true }) reporterErasedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @VersionColumn() version: number;
}

@Entity('complaint_history')
export class ComplaintHistory {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) seq: string;
  @Column({ type: 'uuid' }) complaintId: string;
  @Column({ type: 'varchar', length: 40 }) action: string;
  @Column({ type: 'varchar', length: 20, nullable: true }) fromStatus: string | null;
  @Column({ type: 'varchar', length: 20 }) toStatus: string;
  @Column({ type: 'uuid', nullable: true }) actorId: string | null;
  @Column({ type: 'varchar', length: 20 }) actorRole: string;
  @Column({ type: 'text', nullable: true }) note: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) at: Date;
}

@Entity('complaint_comments')
export class ComplaintComment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) complaintId: string;
  @Column({ type: 'uuid' }) authorId: string;
  @Column({ type: 'varchar', length: 20 }) authorRole: string;
  @Column({ type: 'text' }) body: string;
  @CreateDateColumn({ type: 'timestamptz' }) at: Date;
}

/** A status SP4N-LAPOR! reported, kept so that each is applied once. */
@Entity('complaint_lapor_updates')
export class ComplaintLaporUpdate {
  @PrimaryColumn({ type: 'uuid' }) complaintId: string;
  @PrimaryColumn({ type: 'varchar', length: 100 }) laporId: string;
  @PrimaryColumn({ type: 'varchar', length: 60 }) status: string;
  @PrimaryColumn({ type: 'timestamptz' }) updatedAt: Date;
  @CreateDateColumn({ type: 'timestamptz' }) recordedAt: Date;
}
