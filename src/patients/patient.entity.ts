import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const CHANNELS = ['sms', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

@Entity('patients')
export class Patient {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'external_ref', type: 'text', nullable: true }) externalRef: string | null;
  @Column({ name: 'given_name', type: 'text' }) givenName: string;
  @Column({ name: 'family_name', type: 'text' }) familyName: string;
  @Column({ type: 'text', nullable: true }) email: string | null;
  @Column({ type: 'text', nullable: true }) phone: string | null;
  /** Year of birth, when the clinic records it: the triage queue shows an age band. */
  @Column({ name: 'birth_year', type: 'smallint', nullable: true }) birthYear: number | null;
  @Column({ name: 'time_zone', type: 'text', nullable: true }) timeZone: string | null;
  @Column({ type: 'text' }) locale: string;
  @Column({ name: 'preferred_channel', type: 'text' }) preferredChannel: Channel;
  @Column({ name: 'sms_consent_at', type: 'timestamptz', nullable: true }) smsConsentAt: Date | null;
  @Column({ name: 'sms_consent_source', type: 'text', nullable: true }) smsConsentSource: string | null;
  @Column({ name: 'sms_opted_out_at', type: 'timestamptz', nullable: true }) smsOptedOutAt: Date | null;
  @Column({ name: 'email_consent_at', type: 'timestamptz', nullable: true }) emailConsentAt: Date | null;
  @Column({ name: 'email_consent_source', type: 'text', nullable: true }) emailConsentSource: string | null;
  @Column({ name: 'email_opted_out_at', type: 'timestamptz', nullable: true }) emailOptedOutAt: Date | null;
  /** A provider said this number or address cannot receive messages (unknown number, landline, mailbox gone). */
  @Column({ name: 'sms_invalid_at', type: 'timestamptz', nullable: true }) smsInvalidAt: Date | null;
  @Column({ name: 'email_invalid_at', type: 'timestamptz', nullable: true }) emailInvalidAt: Date | null;
  /** Erased on request: names replaced by a pseudonym, contact details gone; the safety record stays. */
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true }) erasedAt: Date | null;
  /** Under a legal hold erasure is refused. */
  @Column({ name: 'legal_hold_at', type: 'timestamptz', nullable: true }) legalHoldAt: Date | null;
  @Column({ name: 'legal_hold_reason', type: 'text', nullable: true }) legalHoldReason: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  /** Set from the Clock by every write of the record (the SMS sender match prefers the most recently changed). */
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** A channel may be used when the patient has an address there, consented, and has not left it. */
export function canReach(p: Patient, channel: Channel): boolean {
  if (channel === 'sms') return !!p.phone && !!p.smsConsentAt && !p.smsOptedOutAt && !p.smsInvalidAt;
  return !!p.email && !!p.emailConsentAt && !p.emailOptedOutAt && !p.emailInvalidAt;
}

/**
 * The channel already in use, else the preferred one, else the other; never one the patient left,
 * nor one that is not live (no transport, or no SMS sender for the clinic).
 */
export function chooseChannel(patient: Patient, current: Channel | null = null, live: readonly Channel[] = CHANNELS): Channel | null {
  const order: Channel[] = [current, patient.preferredChannel, patient.preferredChannel === 'sms' ? 'email' : 'sms'].filter(
    (c): c is Channel => !!c,
  );
  return order.find((c) => live.includes(c) && canReach(patient, c)) ?? null;
}
