import { Injectable } from '@nestjs/common';
import type { DeliveryVerdict } from '../messaging/delivery-hooks';
import type { Message } from '../messaging/message.entity';
import { canReach } from '../patients/patient.entity';
import { PatientsService } from '../patients/patients.service';

/**
 * Decides whether a queued reply to a patient's text still goes: not if the patient has since
 * left the channel. Registered for 'clarification' and 'consent_reply' in src/triage/loop-wiring.ts.
 */
@Injectable()
export class ReplyGuards {
  constructor(private readonly patients: PatientsService) {}

  async clarification(message: Message): Promise<DeliveryVerdict> {
    if (!message.patientId) return { send: true };
    const patient = await this.patients.get(message.clinicId, message.patientId);
    return canReach(patient, message.channel) ? { send: true } : { cancel: `patient cannot be reached by ${message.channel} any more` };
  }

  /** HELP is answered without consent (carriers require it), but not after a STOP. */
  async consentReply(message: Message): Promise<DeliveryVerdict> {
    if (!message.patientId) return { send: true };
    const patient = await this.patients.get(message.clinicId, message.patientId);
    return patient.smsOptedOutAt ? { cancel: 'patient opted out of SMS' } : { send: true };
  }
}
