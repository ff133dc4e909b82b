import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { Clinic, emailSenderOf } from '../clinics/clinic.entity';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { patientEnvelope } from '../messaging/envelope';
import { MessagingService } from '../messaging/messaging.service';
import { chooseChannel, Patient } from '../patients/patient.entity';
import { unsubscribeHeaders } from '../patients/unsubscribe-token';
import type { Protocol } from '../protocols/protocol.entity';
import { aftercareInstructions } from '../protocols/texts';
import type { Treatment } from '../treatments/treatment.entity';
import { sendWindowOf, timeZoneOf } from './check-in-timing';
import { nextSendTime } from './planner';

/**
 * Decides whether and how a patient gets their aftercare instructions when a session is
 * recorded: on the channel they can be reached on, in their language, in the send window.
 */
@Injectable()
export class AftercareInstructions {
  constructor(
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly messaging: MessagingService,
  ) {}

  /**
   * One message as soon as a treatment is recorded: what is usual, the warning signs, the
   * clinic's phone, and when the check-ins come. Queued here, sent by the next tick in the
   * window. Nothing if the patient has no channel that can be used.
   */
  async queue(manager: EntityManager, input: { treatment: Treatment; patient: Patient; clinic: Clinic; protocol: Protocol }, actor: Actor): Promise<void> {
    const { treatment, patient, clinic, protocol } = input;
    const channel = chooseChannel(patient, null, this.messaging.liveChannels(clinic.smsFrom));
    if (!channel) return;
    const text = aftercareInstructions(patient.locale, { clinicName: clinic.name, clinicPhone: clinic.phone, dayOffsets: protocol.dayOffsets, channel });
    const message = await this.messaging.enqueue(
      manager,
      {
        clinicId: clinic.id,
        patientId: patient.id,
        channel,
        purpose: 'aftercare_instructions',
        ...patientEnvelope(channel, patient, { sms: clinic.smsFrom, email: emailSenderOf(clinic, this.config.emailFrom, this.config.emailFromDomains) }),
        subject: text.subject,
        text: text.text,
        html: text.html ?? null,
        headers: channel === 'email' ? unsubscribeHeaders(patient.id, this.config.publicBaseUrl, this.config.jwtSecret) : null,
      },
      nextSendTime(this.clock.now(), timeZoneOf(patient, clinic), sendWindowOf(clinic)),
    );
    await this.audit.record(manager, { clinicId: clinic.id, actor, action: 'treatment.instructions_queued', entityType: 'treatment', entityId: treatment.id, data: { messageId: message.id, channel } });
  }
}
