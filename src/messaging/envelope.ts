import type { MessageChannel } from './message.entity';

/** A patient's addresses, as far as messaging needs them (messaging knows no patients). */
export interface PatientContact {
  phone: string | null;
  email: string | null;
}

/** The clinic's senders: its SMS number (none when it has no sender) and its email `From`. */
export interface ClinicSenders {
  sms: string | null;
  email: string;
}

/**
 * The `to` and `from` of a message to a patient on `channel`: their phone from the clinic's SMS
 * sender, or their email from the clinic's email sender. The channel was chosen because the
 * patient can be reached on it, so the address is there.
 */
export function patientEnvelope(channel: MessageChannel, contact: PatientContact, senders: ClinicSenders): { to: string; from: string | null } {
  return channel === 'sms' ? { to: contact.phone!, from: senders.sms } : { to: contact.email!, from: senders.email };
}
