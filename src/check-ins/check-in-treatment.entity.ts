import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A session a check-in counts for (a merged check-in counts for several); `step` null: it covers the session without being one of its steps. */
@Entity('check_in_treatments')
export class CheckInTreatment {
  @PrimaryColumn({ name: 'check_in_id', type: 'uuid' }) checkInId: string;
  @PrimaryColumn({ name: 'treatment_id', type: 'uuid' }) treatmentId: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ type: 'int', nullable: true }) step: number | null;
  @Column({ name: 'day_offset', type: 'int' }) dayOffset: number;
}
