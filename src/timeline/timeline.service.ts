/** Decides how a patient's record reads as one timeline: every part in time order, summaries only. */
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { PatientRecordReader } from '../patient-record/patient-record.reader';
import { RecordFields } from '../patient-record/patient-record.repository';
import { PhotoLink, PhotosService } from '../photos/photos.service';
import { SYMPTOMS } from '../protocols/questions';

export type TimelineType = 'treatment' | 'check_in' | 'response' | 'message' | 'flag';

export interface TimelineItem {
  /** ISO 8601 in UTC (`Date#toISOString`'s format, made by PostgreSQL), as every timestamp of an item. */
  at: string;
  type: TimelineType;
  id: string;
  [summary: string]: unknown;
}

/** What a treatment's item shows of it, in this order. */
const TREATMENT_SUMMARY = ['procedure', 'indication', 'bodyAreas', 'product', 'lotNumber', 'technique', 'protocolKey', 'protocolVersion', 'status', 'cancelledAt', 'cancelReason'] as const;

/** The fields of the record the timeline shows (the same rows the access export reads whole). */
export const TIMELINE_FIELDS = {
  patient: [],
  treatments: ['performedAt', ...TREATMENT_SUMMARY],
  checkIns: ['treatmentId', 'step', 'dayOffset', 'status', 'channel', 'dueAt', 'sentAt', 'answeredAt'],
  responses: ['receivedAt', 'treatmentId', 'checkInId', 'source', 'daySinceTreatment', ...SYMPTOMS, 'warningSigns', 'freeText'],
  messages: ['createdAt', 'checkInId', 'direction', 'channel', 'purpose', 'status'],
  flags: ['createdAt', 'treatmentId', 'responseId', 'ruleId', 'priority', 'reason', 'status', 'outcome', 'assigneeId'],
  history: ['at', 'kind'],
} as const satisfies RecordFields;

/** Tie-break for items at the same instant: the order things happen in the loop. */
const TYPE_ORDER: Record<TimelineType, number> = { treatment: 0, check_in: 1, message: 2, response: 3, flag: 4 };

/**
 * Decides how a patient's record reads as one course at a glance: treatments, check-ins, answers,
 * messages and flags in time order. Summaries only: no message bodies, addresses or phone
 * numbers, no free text. The record is read by PatientRecordReader (its fields named in
 * TIMELINE_FIELDS), the same rows the access export reads whole.
 */
@Injectable()
export class TimelineService {
  constructor(
    private readonly record: PatientRecordReader,
    private readonly audit: AuditService,
    private readonly photos: PhotosService,
  ) {}

  /** The timeline, read by `actor`: the read is on the record (timeline.viewed) before it is answered. */
  async view(clinicId: string, patientId: string, actor: Actor): Promise<{ items: TimelineItem[] }> {
    const timeline = await this.forPatient(clinicId, patientId, actor);
    await this.audit.recordAccess({ clinicId, actor, action: 'timeline.viewed', entityType: 'patient', entityId: patientId, data: { items: timeline.items.length } });
    return timeline;
  }

  /** With `actor`, answers and texts carry their photos as short-lived links made for that actor. */
  async forPatient(clinicId: string, patientId: string, actor?: Actor): Promise<{ items: TimelineItem[] }> {
    // Timestamps as ISO strings straight from PostgreSQL: they are only sent on, and Dates in the
    // body made JSON.stringify 5× slower (the timeline's largest cost after the socket).
    const record = await this.record.readIso(clinicId, patientId, TIMELINE_FIELDS); // 404 for another clinic's patient
    const photoRows = record.photos.map((p) => ({ ...p, createdAt: new Date(p.createdAt) }));
    const links = actor ? this.photos.linksFor(photoRows, actor) : [];
    const photosOf = (pick: (l: PhotoLink) => boolean) => links.filter(pick);
    const items: TimelineItem[] = [
      ...record.treatments.map((t) => ({
        at: t.performedAt,
        type: 'treatment' as const,
        id: t.id,
        ...Object.fromEntries(TREATMENT_SUMMARY.map((k) => [k, t[k]])),
      })),
      ...record.checkIns.map((c) => ({
        at: c.sentAt ?? c.dueAt,
        type: 'check_in' as const,
        id: c.id,
        treatmentId: c.treatmentId,
        step: c.step,
        dayOffset: c.dayOffset,
        status: c.status,
        channel: c.channel,
        dueAt: c.dueAt,
        sentAt: c.sentAt,
        answeredAt: c.answeredAt,
      })),
      ...record.responses.map((r) => ({
        at: r.receivedAt,
        type: 'response' as const,
        id: r.id,
        treatmentId: r.treatmentId,
        checkInId: r.checkInId,
        source: r.source,
        daySinceTreatment: r.daySinceTreatment,
        scores: Object.fromEntries(SYMPTOMS.map((s) => [s, r[s]])),
        warningSigns: r.warningSigns,
        hasFreeText: r.freeText !== null && r.freeText !== '',
        photos: photosOf((l) => l.responseId === r.id),
      })),
      ...record.messages.map((message) => ({
        at: message.createdAt,
        type: 'message' as const,
        id: message.id,
        checkInId: message.checkInId,
        direction: message.direction,
        channel: message.channel,
        purpose: message.purpose,
        status: message.status,
        // Photos of a text that was not an answer (an answer's photos are on the answer).
        photos: photosOf((l) => l.responseId === null && l.messageId === message.id),
      })),
      ...record.flags.map((f) => ({
        at: f.createdAt,
        type: 'flag' as const,
        id: f.id,
        treatmentId: f.treatmentId,
        responseId: f.responseId,
        ruleId: f.ruleId,
        priority: f.priority,
        reason: f.reason,
        status: f.status,
        outcome: f.outcome,
        assigneeId: f.assigneeId,
        history: f.history.map((e) => ({ at: e.at, kind: e.kind })),
      })),
    ];
    // One fixed-width UTC format: string order is time order.
    items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : TYPE_ORDER[a.type] - TYPE_ORDER[b.type]));
    return { items };
  }
}
