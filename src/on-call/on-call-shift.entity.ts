import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One weekly on-call shift of a staff member, in the clinic's local time. */
@Entity('on_call_shifts')
export class OnCallShift {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'staff_user_id', type: 'uuid' }) staffUserId: string;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  @Column({ type: 'smallint' }) weekday: number;
  @Column({ name: 'start_time', type: 'time' }) startTime: string;
  /** Earlier than the start: the shift runs past midnight. 24:00 is the end of the day. */
  @Column({ name: 'end_time', type: 'time' }) endTime: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
