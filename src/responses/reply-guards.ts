import { Injectable, OnModuleInit } from '@nestjs/common';
import { MessagingService } from '../messaging/messaging.service';
import { canReach } from '../patients/patient.entity';
import { PatientsService } from '../patients/patients.service';

/** A queued reply to a patient's text is dropped if the patient has since left the channel. */
@Injectable()
export class ReplyGuards implements OnModuleInit {
  constructor(
    private readonly messaging: MessagingService,
    private readonly patients: PatientsService,
  ) {}

  onModuleInit(): void {
    this.messaging.guard('clarification', async (message) => {
      if (!message.patientId) return { send: true };
      const patient = await this.patients.findById(message.patientId);
      return canReach(patient, message.channel) ? { send: true } : { cancel: `patient cannot be reached by ${message.channel} any more` };
    });
    // HELP is answered without consent (carriers require it), but not after a STOP.
    this.messaging.guard('consent_reply', async (message) => {
      if (!message.patientId) return { send: true };
      const patient = await this.patients.findById(message.patientId);
      return patient.smsOptedOutAt ? { cancel: 'patient opted out of SMS' } : { send: true };
    });
  }
}
