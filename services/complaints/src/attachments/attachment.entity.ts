import { DocumentContentType } from '@smart-regency/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Metadata of a complaint's file; the bytes are in AttachmentStorage under `storageKey`. */
@Entity('complaint_attachments')
export class ComplaintAttachment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) complaintId: string;
  @Column({ type: 'varchar', length: 40 }) contentType: DocumentContentType;
  @Column({ type: 'int' }) size: number;
  @Column({ type: 'char', length: 64 }) sha256: string;
  @Column({ type: 'varchar', length: 100, nullable: true }) fileName: string | null;
  @Column({ type: 'varchar', length: 200 }) storageKey: string;
  @Column({ type: 'uuid' }) uploadedBy: string;
  @Column({ type: 'varchar', length: 20 }) uploaderRole: string;
  @CreateDateColumn({ type: 'timestamptz' }) uploadedAt: Date;
}
