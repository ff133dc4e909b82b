/** Decides what a patient's rights do to their record: the access export, erasure and the legal hold. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { AuditLogService } from '../audit/audit-log.service';
import { AuditRedactionService } from '../audit/audit-redaction.service';
import { CheckInsService } from '../check-ins/check-ins.service';
import { Clock } from '../common/clock';
import { MessagingService } from '../messaging/messaging.service';
import { PatientRecordReader } from '../patient-record/patient-record.reader';
import { PatientsService } from '../patients/patients.service';
import { PhotosService } from '../photos/photos.service';

/**
 * Decides what a patient's rights do to their record: the access export of everything held
 * about them (gathered by PatientRecordReader), erasure (a pseudonym; the safety record stays)
 * and the legal hold that refuses it, through the services that own each record. Every one of
 * them is an audit event.
 */
@Injectable()
export class PatientRightsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly auditLog: AuditLogService,
    private readonly auditRedaction: AuditRedactionService,
    private readonly record: PatientRecordReader,
    private readonly patients: PatientsService,
    private readonly checkIns: CheckInsService,
    private readonly messaging: MessagingService,
    private readonly photos: PhotosService,
  ) {}

  async export(clinicId: string, patientId: string, actor: Actor) {
    const { patient, treatments, checkIns, responses, messages, flags, photos: photoRows } = await this.record.read(clinicId, patientId);
    const photos = await this.photos.withData(photoRows);
    const ids = [patientId, ...[treatments, checkIns, responses, messages, flags, photos].flatMap((rows) => rows.map((r) => r.id))];
    const auditEvents = await this.auditLog.listAbout(clinicId, ids);
    const counts = {
      treatments: treatments.length,
      checkIns: checkIns.length,
      responses: responses.length,
      messages: messages.length,
      flags: flags.length,
      auditEvents: auditEvents.length,
      photos: photos.length,
    };
    await this.audit.recordAccess({ clinicId, actor, action: 'patient.exported', entityType: 'patient', entityId: patientId, data: { kind: 'access', counts } });
    const { smsConsentAt, smsConsentSource, smsOptedOutAt, emailConsentAt, emailConsentSource, emailOptedOutAt } = patient;
    return {
      exportedAt: this.clock.now().toISOString(),
      patient,
      consents: {
        sms: { consentAt: smsConsentAt, source: smsConsentSource, optedOutAt: smsOptedOutAt },
        email: { consentAt: emailConsentAt, source: emailConsentSource, optedOutAt: emailOptedOutAt },
      },
      treatments,
      checkIns,
      messages,
      responses,
      flags,
      auditEvents,
      photos,
      counts,
    };
  }

  /**
   * One transaction: the patient's names become a pseudonym and their contact details go;
   * check-ins and messages still pending are cancelled; message texts and addresses are
   * blanked; the payloads (before/after values, reasons) of the audit events about the patient
   * record and those messages are redacted, and the erasure's event lists them. Treatments,
   * check-ins, answers' scores, flags with their before/after, and the audit chain stay.
   */
  async erase(clinicId: string, patientId: string, actor: Actor, reason: string) {
    await this.patients.get(clinicId, patientId); // 404 before anything else
    return this.db.transaction(async (tx) => {
      const { patient, pseudonym, fields, formerAddresses } = await this.patients.erase(tx, clinicId, patientId);
      const cancelledCheckIns = await this.checkIns.cancelForPatient(tx, clinicId, patientId, actor, 'patient erased');
      await this.checkIns.eraseErrorsForPatient(tx, clinicId, patientId);
      const { cancelled: cancelledMessages, erased } = await this.messaging.eraseForPatient(tx, clinicId, patientId, formerAddresses, actor);
      // The patient's own record and messages lose their values; the safety record (treatments,
      // check-ins, answers, flags: causality, outcome, triage) keeps its before/after.
      const redactedSeqs = await this.auditRedaction.redactPayloads(tx, clinicId, [patientId, ...erased], 'erasure');
      // Photos are the patient's own record, not the safety record: rows and bytes go (last, so a store failure undoes the rest).
      const erasedPhotos = await this.photos.eraseForPatient(tx, clinicId, patientId);
      const summary = { fields, cancelledCheckIns, cancelledMessages, erasedMessages: erased.length, redactedPayloads: redactedSeqs.length, erasedPhotos };
      await this.audit.record(tx, { clinicId, actor, action: 'patient.erased', entityType: 'patient', entityId: patientId, data: { ...summary, redactedSeqs }, reason });
      return { id: patient.id, pseudonym, erasedAt: patient.erasedAt, ...summary };
    });
  }

  async legalHold(clinicId: string, patientId: string, actor: Actor, on: boolean, reason: string) {
    const p = await this.patients.setLegalHold(clinicId, patientId, actor, on, reason);
    return { id: p.id, legalHoldAt: p.legalHoldAt, legalHoldReason: p.legalHoldReason };
  }
}
