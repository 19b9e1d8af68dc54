import { FormField, RequiredDocument } from '@smart-regency/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { bigintAsNumber } from '@smart-regency/platform';


@Entity('permit_types')
export class PermitType {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 40, unique: true })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'uuid' })
  agencyId: string;

  @Column({ type: 'uuid' })
  issuingAgencyId: string;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  requiredDocuments: RequiredDocument[];

  @Column({ type: 'jsonb', default: () => `'[]'` })
  formFields: FormField[];

  @Column({ type: 'int' })
  slaWorkingDays: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintAsNumber })
  fee: number;

  @Column({ type: 'int', default: 0 })
  validityMonths: number;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
