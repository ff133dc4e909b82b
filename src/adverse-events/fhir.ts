import { createHash } from 'node:crypto';
import type { AuditEvent } from '../audit/audit-event.entity';
import type { Causality } from '../flags/assessment';
import { SEVERITY_LABELS, SYMPTOM_LABELS, SYMPTOMS, WARNING_SIGN_QUESTIONS, WARNING_SIGNS, WarningSign } from '../protocols/questions';
import type { AdverseEvent, AdverseEventAnswer, AdverseEventPhoto } from './adverse-event';

/**
 * FHIR R4 (4.0.1) resources for the adverse-event export: a Bundle of type `collection` with an
 * AdverseEvent per flagged reaction, a QuestionnaireResponse per answer behind one (with a Media
 * per photo sent with it), and an
 * AuditEvent per audit-log event about those flags. Entries are `urn:uuid:` URLs; patients,
 * procedures (treatments) and practitioners are referenced by id and not included.
 */
type Json = Record<string, unknown>;

const CS = {
  seriousness: 'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness',
  outcome: 'http://terminology.hl7.org/CodeSystem/adverse-event-outcome',
  whoUmc: 'http://terminology.hl7.org/CodeSystem/adverse-event-causality-assess',
  auditOutcome: 'http://hl7.org/fhir/audit-event-outcome',
  rule: 'urn:aftercare:flag-rule',
  causality: 'urn:aftercare:causality',
  seriousnessCriterion: 'urn:aftercare:seriousness-criterion',
  severity: 'urn:aftercare:symptom-severity',
  auditAction: 'urn:aftercare:audit-action',
  actorType: 'urn:aftercare:actor-type',
} as const;
const EXT = {
  priority: 'urn:aftercare:fhir:flag-priority',
  answer: 'urn:aftercare:fhir:supporting-answer',
  daySinceTreatment: 'urn:aftercare:fhir:day-since-treatment',
  triageOutcome: 'urn:aftercare:fhir:triage-outcome',
  photo: 'urn:aftercare:fhir:supporting-photo',
} as const;

/** Our causality scale next to the nearest WHO-UMC category ("unrelated" has none). */
const WHO_UMC: Record<Causality, { code: string; display: string } | null> = {
  related: { code: 'Probably-Likely', display: 'Probably/Likely' },
  possibly_related: { code: 'Possible', display: 'Possible' },
  unlikely_related: { code: 'Unlikely', display: 'Unlikely' },
  unrelated: null,
};

const CRITERION_CODES: Record<string, { code: string; display: string } | undefined> = {
  death: { code: 'SeriousResultsInDeath', display: 'Results in death' },
  life_threatening: { code: 'SeriousIsLifeThreatening', display: 'Is Life-threatening' },
  hospitalisation: { code: 'SeriousResultsInHospitalization', display: 'Requires or prolongs inpatient hospitalization' },
  disability: { code: 'SeriousResultsInDisability', display: 'Results in persistent or significant disability/incapacity' },
  congenital_anomaly: { code: 'SeriousIsBirthDefect', display: 'Is a congenital anomaly/birth defect' },
  medically_important: { code: 'SeriousRequiresPreventImpairment', display: 'Requires intervention to prevent permanent impairment or damage' },
};

export const urn = (id: string) => `urn:uuid:${id}`;

/** A stable UUID for an audit event (its natural key is clinic and sequence number). */
export function auditEventUuid(clinicId: string, clinicSeq: string): string {
  const h = createHash('sha256').update(`audit-event:${clinicId}:${clinicSeq}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The Bundle up to its last field; `entriesOpening` starts the entries, `bundleClosing` ends it. */
export function bundleOpening(id: string, timestamp: Date): string {
  return JSON.stringify({ resourceType: 'Bundle', id, type: 'collection', timestamp: timestamp.toISOString() }).slice(0, -1);
}
export const ENTRIES_OPENING = ',"entry":[';
/** FHIR JSON has no empty arrays: a Bundle with nothing in it has no `entry` at all. */
export const bundleClosing = (hadEntries: boolean): string => (hadEntries ? ']}' : '}');

export function entry(resource: Json & { id: string }): Json {
  return { fullUrl: urn(resource.id), resource };
}

export function adverseEventResource(e: AdverseEvent): Json & { id: string } {
  const a = e.assessment;
  const triageOutcome = e.outcome ? [{ url: EXT.triageOutcome, valueCode: e.outcome }] : [];
  return {
    resourceType: 'AdverseEvent',
    id: e.id,
    extension: [
      { url: EXT.priority, valueCode: e.priority },
      ...e.answers.map((ans) => ({ url: EXT.answer, valueReference: { reference: urn(ans.id) } })),
      ...e.answers.flatMap((ans) => (ans.photos ?? []).map((p) => ({ url: EXT.photo, valueReference: { reference: urn(p.id) } }))),
      ...triageOutcome,
    ],
    identifier: { system: 'urn:aftercare:flag', value: e.id },
    actuality: 'actual',
    event: { coding: [{ system: CS.rule, code: e.ruleId, version: String(e.ruleVersion) }], text: e.reason },
    subject: { reference: `Patient/${e.patientId}` },
    ...(e.onsetAt ? { date: e.onsetAt.toISOString(), detected: e.onsetAt.toISOString() } : {}),
    recordedDate: e.reportedAt.toISOString(),
    ...(a
      ? {
          seriousness: {
            coding: [
              // R4 (4.0.1) adverse-event-seriousness codes, the same system as the criteria below.
              { system: CS.seriousness, code: a.seriousness === 'serious' ? 'Serious' : 'Non-serious', display: a.seriousness === 'serious' ? 'Serious' : 'Non-serious' },
              ...a.seriousnessCriteria.flatMap((c) => (CRITERION_CODES[c] ? [{ system: CS.seriousness, ...CRITERION_CODES[c] }] : [])),
              ...a.seriousnessCriteria.map((c) => ({ system: CS.seriousnessCriterion, code: c })),
            ],
            text: a.seriousness === 'serious' ? `Serious: ${a.seriousnessCriteria.join(', ')}` : 'Non-serious',
          },
        }
      : {}),
    // Triage closing a flag means the case is closed; until then the reaction counts as ongoing.
    outcome: { coding: [{ system: CS.outcome, code: e.status === 'resolved' ? 'resolved' : 'ongoing' }], ...(e.outcome ? { text: `Triage outcome: ${e.outcome}` } : {}) },
    recorder: { reference: `Patient/${e.patientId}` },
    suspectEntity: [
      {
        instance: {
          reference: `Procedure/${e.treatmentId}`,
          display: `${e.treatment.procedure}: ${e.treatment.product}${e.treatment.lotNumber ? `, lot ${e.treatment.lotNumber}` : ''}`,
        },
        ...(a
          ? {
              causality: [
                {
                  assessment: {
                    coding: [{ system: CS.causality, code: a.causality }, ...(WHO_UMC[a.causality] ? [{ system: CS.whoUmc, ...WHO_UMC[a.causality]! }] : [])],
                    text: a.causality.replace(/_/g, ' '),
                  },
                  ...(a.note ? { productRelatedness: a.note } : {}),
                  ...(a.assessedBy ? { author: { reference: `Practitioner/${a.assessedBy}` } } : {}),
                },
              ],
            }
          : {}),
      },
    ],
    ...(e.treatment.practitionerId ? { contributor: [{ reference: `Practitioner/${e.treatment.practitionerId}` }] } : {}),
  };
}

export function questionnaireResponseResource(patientId: string, ans: AdverseEventAnswer): Json & { id: string } {
  const score = (s: (typeof SYMPTOMS)[number]) => {
    const v = ans.scores[s];
    return {
      linkId: s,
      text: SYMPTOM_LABELS[s],
      ...(v === null ? {} : { answer: [{ valueCoding: { system: CS.severity, code: String(v), display: SEVERITY_LABELS[v] } }] }),
    };
  };
  return {
    resourceType: 'QuestionnaireResponse',
    id: ans.id,
    extension: [{ url: EXT.daySinceTreatment, valueInteger: ans.daySinceTreatment }],
    identifier: { system: 'urn:aftercare:response', value: ans.id },
    // The patient's submitted answer; a score a partial SMS reply left out has no answer item.
    status: 'completed',
    subject: { reference: `Patient/${patientId}` },
    authored: ans.receivedAt.toISOString(),
    source: { reference: `Patient/${patientId}` },
    item: [
      ...SYMPTOMS.map(score),
      {
        linkId: 'warning-signs',
        text: 'Warning signs',
        item: WARNING_SIGNS.map((w: WarningSign) => ({ linkId: `ws_${w}`, text: WARNING_SIGN_QUESTIONS[w], answer: [{ valueBoolean: ans.warningSigns.includes(w) }] })),
      },
    ],
  };
}

/**
 * A photo the patient sent with an answer: a Media resource (R4) that is part of the answer's
 * QuestionnaireResponse. The attachment describes the stored JPEG (re-encoded, no EXIF); its
 * bytes are not in the bundle (the access export and the signed links serve them).
 */
export function mediaResource(patientId: string, answerId: string, p: AdverseEventPhoto): Json & { id: string } {
  return {
    resourceType: 'Media',
    id: p.id,
    identifier: [
      { system: 'urn:aftercare:photo', value: p.id },
      { system: 'urn:aftercare:photo-sha256', value: p.sha256 },
    ],
    partOf: [{ reference: urn(answerId) }],
    status: 'completed',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/media-type', code: 'image', display: 'Image' }] },
    subject: { reference: `Patient/${patientId}` },
    createdDateTime: p.createdAt.toISOString(),
    height: p.height,
    width: p.width,
    content: { contentType: 'image/jpeg', size: p.byteSize, title: `Photo ${p.position} sent with the answer`, creation: p.createdAt.toISOString() },
  };
}

/** The chained fields of an audit event (never its payload of before/after values). */
export type AuditRow = Pick<AuditEvent, 'clinicId' | 'clinicSeq' | 'occurredAt' | 'actorType' | 'actorId' | 'action' | 'entityType' | 'entityId' | 'prevHash' | 'hash'>;

/** An audit-log event about a flag, with its place in the hash chain so a reader can check it. */
export function auditEventResource(r: AuditRow): Json & { id: string } {
  const staff = r.actorType === 'staff' && r.actorId;
  return {
    resourceType: 'AuditEvent',
    id: auditEventUuid(r.clinicId!, String(r.clinicSeq)),
    type: { system: CS.auditAction, code: r.action },
    action: r.action.endsWith('.raised') ? 'C' : 'U',
    recorded: new Date(r.occurredAt).toISOString(),
    outcome: '0',
    agent: [
      {
        type: { coding: [{ system: CS.actorType, code: r.actorType }] },
        ...(staff ? { who: { reference: `Practitioner/${r.actorId}` } } : r.actorId ? { who: { identifier: { system: `urn:aftercare:${r.actorType}`, value: r.actorId } } } : {}),
        name: r.actorType,
        requestor: r.actorType === 'staff' || r.actorType === 'integration',
      },
    ],
    source: { site: r.clinicId, observer: { display: 'Aftercare' } },
    entity: [
      {
        what: r.entityType === 'flag' && r.entityId ? { reference: urn(r.entityId) } : { identifier: { value: r.entityId ?? '' } },
        detail: [
          { type: 'clinicSeq', valueString: String(r.clinicSeq) },
          { type: 'prevHash', valueString: r.prevHash },
          { type: 'hash', valueString: r.hash },
        ],
      },
    ],
  };
}
