import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A non-working day on the regency's calendar. */
@Entity('holidays')
export class HolidayRow {
  @PrimaryColumn({ type: 'date' })
  date: string;

  @Column({ type: 'int' })
  year: number;

  @Column({ type: 'varchar', length: 120 })
  name: string;
}

/** A year whose calendar exists (seeded or set by an admin), so a deliberate empty year stays empty. */
@Entity('calendar_years')
export class CalendarYear {
  @PrimaryColumn({ type: 'int' })
  year: number;

  @Column({ type: 'varchar', length: 20 })
  source: 'seed' | 'admin';

  @Column({ type: 'uuid', nullable: true })
  updatedBy: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
