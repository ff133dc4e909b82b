import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('clinics')
export class Clinic {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'time_zone', type: 'text' }) timeZone: string;
  @Column({ type: 'text', nullable: true }) phone: string | null;
  /** E.164 number or messaging service SID; falls back to TWILIO_FROM. */
  @Column({ name: 'sms_from', type: 'text', nullable: true }) smsFrom: string | null;
  @Column({ name: 'email_from', type: 'text', nullable: true }) emailFrom: string | null;
  /** How patients' SMS name the clinic (≤ 20 GSM-7 characters); null: made from the name. */
  @Column({ name: 'sms_name', type: 'text', nullable: true }) smsName: string | null;
  /** The language staff alerts and escalations are written in. */
  @Column({ name: 'staff_locale', type: 'text', default: 'en' }) staffLocale: 'en' | 'de' | 'fr' | 'es';
  /** Messages to patients go out only between these local times (quiet hours are the rest). */
  @Column({ name: 'send_window_start', type: 'time' }) sendWindowStart: string;
  @Column({ name: 'send_window_end', type: 'time' }) sendWindowEnd: string;
  /** Minutes an urgent flag may wait unacknowledged before everyone is alerted; null: ESCALATE_URGENT_AFTER_MINUTES. */
  @Column({ name: 'escalate_urgent_after_minutes', type: 'int', nullable: true }) escalateUrgentAfterMinutes: number | null;
  /** Hours for a high flag; null: ESCALATE_HIGH_AFTER_HOURS. */
  @Column({ name: 'escalate_high_after_hours', type: 'int', nullable: true }) escalateHighAfterHours: number | null;
  /** When the admins were told the clinic has no SMS sender (cleared when smsFrom changes). */
  @Column({ name: 'sms_sender_notice_at', type: 'timestamptz', nullable: true, select: false }) smsSenderNoticeAt?: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/**
 * The clinic is the sender people see; the address is the clinic's own or EMAIL_FROM's. Given the
 * allowed domains, an own address outside them (set before they were enforced) is not used.
 */
export function emailSenderOf(clinic: Clinic, defaultFrom: string, allowedDomains?: string[]): string {
  const own = clinic.emailFrom && (!allowedDomains || allowedDomains.includes(domainOf(clinic.emailFrom))) ? clinic.emailFrom : null;
  const address = own ?? /<([^>]+)>/.exec(defaultFrom)?.[1] ?? defaultFrom;
  return `"${clinic.name.replace(/["\\]/g, '')}" <${address}>`;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
