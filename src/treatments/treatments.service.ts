/** Decides what a treatment session record may hold and when it may be recorded or cancelled; owns the `treatments` table. */
import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { changedFields } from '../audit/field-changes';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { Clinic } from '../clinics/clinic.entity';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import { Patient } from '../patients/patient.entity';
import { PatientsService } from '../patients/patients.service';
import { ProtocolsService } from '../protocols/protocols.service';
import { CancelTreatmentDto, CreateTreatmentDto } from './dto/treatment.dto';
import { Protocol } from '../protocols/protocol.entity';
import { protocolKeyFor } from '../protocols/protocol-choice';
import { courseSessionsAt } from './course';
import { Treatment } from './treatment.entity';
import { TreatmentsRepository } from './treatments.repository';

/** Optional clinical fields whose presence (never their value) the creation event names. */
const RECORDED_FIELDS = ['lotNumber', 'technique', 'formula', 'externalRef'] as const;

/** What a new session is recorded against, checked before its transaction opens. */
export interface TreatmentContext {
  now: Date;
  performedAt: Date;
  patient: Patient;
  clinic: Clinic;
  protocol: Protocol;
}

/**
 * Treatment sessions: whether one may be recorded (time, patient, practitioner, protocol),
 * the row and its audit event, cancelling it, and the course an answer is judged in. Planning
 * their check-ins is the courses module's (it sits above check-ins).
 */
@Injectable()
export class TreatmentsService {
  constructor(
    private readonly repo: TreatmentsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly patients: PatientsService,
    private readonly clinics: ClinicsService,
    private readonly protocols: ProtocolsService,
  ) {}

  /** Checks a new session before anything is written: its time, its patient, practitioner and protocol. */
  async prepare(clinicId: string, dto: CreateTreatmentDto): Promise<TreatmentContext> {
    const now = this.clock.now();
    const performedAt = new Date(dto.performedAt);
    if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(dto.performedAt)) {
      throw new BadRequestException('performedAt must carry a time zone offset or Z');
    }
    if (performedAt.getTime() > now.getTime() + 15 * 60_000) {
      throw new BadRequestException('performedAt is in the future');
    }
    const patient = await this.patients.get(clinicId, dto.patientId).catch(() => {
      throw new NotFoundException('Patient not found');
    });
    // Erasure keeps the safety record of what was done, and nothing new is recorded against it.
    if (patient.erasedAt) throw new ConflictException('The patient was erased; no new treatment can be recorded for them');
    if (dto.practitionerId) {
      const staff = await this.clinics.findStaff(clinicId, dto.practitionerId);
      if (!staff || staff.role === 'compliance') throw new NotFoundException('Practitioner not found');
    }
    const clinic = await this.clinics.get(clinicId);
    const protocolKey = dto.protocolKey ?? protocolKeyFor(dto.indication, dto.bodyAreas);
    const protocol = await this.protocols.resolve(clinicId, protocolKey);
    if (!protocol) throw new BadRequestException(`protocolKey "${protocolKey}" is not a protocol of this clinic (GET /v1/protocols lists them)`);
    return { now, performedAt, patient, clinic, protocol };
  }

  /** The session's row and its `treatment.created` event, in the caller's transaction. */
  async insert(tx: EntityManager, clinicId: string, actor: Actor, dto: CreateTreatmentDto, ctx: TreatmentContext): Promise<Treatment> {
    const { patient, protocol } = ctx;
    // A friendly message for the usual case; concurrent twins are stopped by treatments_external_ref_key (23505 → 409).
    if (dto.externalRef && (await this.repo.externalRefTaken(tx, clinicId, dto.externalRef))) {
      throw new ConflictException(`A treatment with externalRef "${dto.externalRef}" already exists`);
    }
    const { procedure, indication, bodyAreas, product } = dto;
    const optional = { practitionerId: dto.practitionerId ?? null, externalRef: dto.externalRef ?? null, lotNumber: dto.lotNumber ?? null, technique: dto.technique ?? null, formula: dto.formula ?? null };
    const treatment = await this.repo.insert(tx, {
      clinicId,
      patientId: patient.id,
      ...optional,
      procedure, indication, bodyAreas, product,
      performedAt: ctx.performedAt,
      protocolId: protocol.id, protocolVersion: protocol.version, protocolKey: protocol.key,
      status: 'active',
      cancelledAt: null,
      cancelReason: null,
      createdAt: ctx.now,
    });
    await this.audit.record(tx, {
      clinicId,
      actor,
      action: 'treatment.created',
      entityType: 'treatment',
      entityId: treatment.id,
      data: {
        ...pick(treatment, ['patientId', 'practitionerId', 'protocolId', 'protocolKey', 'protocolVersion']),
        recordedFields: RECORDED_FIELDS.filter((f) => treatment[f] !== null),
      },
      changes: changedFields({ technique: null, formula: null }, { technique: treatment.technique, formula: treatment.formula }, ['technique', 'formula']),
    });
    return treatment;
  }

  /** The clinic's treatment, or 404. Inside a transaction pass its manager: a second pool connection can deadlock the pool. */
  async get(clinicId: string, id: string, tx?: EntityManager): Promise<Treatment> {
    const t = await this.repo.find(clinicId, id, tx);
    if (!t) throw new NotFoundException('Treatment not found');
    return t;
  }

  /** The session to cancel, locked: 404 if not the clinic's, 409 if already cancelled. */
  async lockForCancel(tx: EntityManager, clinicId: string, id: string): Promise<Treatment> {
    const t = await this.repo.findForUpdate(tx, clinicId, id);
    if (!t) throw new NotFoundException('Treatment not found');
    if (t.status === 'cancelled') throw new ConflictException('The treatment is already cancelled');
    return t;
  }

  /** The locked session becomes cancelled, with its `treatment.cancelled` event, in the caller's transaction. */
  async markCancelled(tx: EntityManager, t: Treatment, actor: Actor, dto: CancelTreatmentDto): Promise<Treatment> {
    const prior = { ...t };
    t.status = 'cancelled';
    t.cancelledAt = this.clock.now();
    t.cancelReason = dto.reason ?? null;
    await this.repo.save(tx, t);
    await this.audit.record(tx, { clinicId: t.clinicId, actor, action: 'treatment.cancelled', entityType: 'treatment', entityId: t.id, data: { hasReason: !!dto.reason }, changes: changedFields(prior, t, ['status', 'cancelledAt', 'cancelReason']), ...(dto.reason ? { reason: dto.reason } : {}) });
    return t;
  }

  /** The patient's active sessions, oldest first. */
  activeSessions(tx: EntityManager, clinicId: string, patientId: string): Promise<Treatment[]> {
    return this.repo.activeSessions(tx, clinicId, patientId);
  }

  /**
   * The course an answer is judged in, and its most recent session by then (the answer's day
   * counts from it). The answered check-in says which course (`linked`: the sessions it counts
   * for): the one of those sessions, as it runs now (a later session of that course counts: the
   * answer falls in its follow-up too), or as it ended if a new course of that kind has begun
   * since (an answer to last course's day-60 check-in is not day 2 of the new one), and never
   * another procedure's. A stray text with no check-in (`linked` null) belongs to the patient's
   * most recent session.
   */
  async courseAt(tx: EntityManager, patient: Pick<Patient, 'id' | 'clinicId'>, at: Date, linked: ReadonlySet<string> | null): Promise<{ sessions: Treatment[]; latest: Treatment | null; protocol: Protocol | null }> {
    const all = await this.repo.activeSessions(tx, patient.clinicId, patient.id);
    const performed = all.filter((s) => s.performedAt.getTime() <= at.getTime());
    const anchor = (linked && performed.filter((s) => linked.has(s.id)).at(-1)) || performed.at(-1);
    if (!anchor) return { sessions: [], latest: null, protocol: null };
    const running = courseSessionsAt(all, at, anchor);
    const sessions = running.some((s) => s.id === anchor.id) ? running : courseSessionsAt(all, anchor.performedAt, anchor);
    const latest = sessions.at(-1)!;
    return { sessions, latest, protocol: await this.protocols.get(patient.clinicId, latest.protocolId, tx) };
  }

  listForPatient(clinicId: string, patientId: string): Promise<Treatment[]> {
    return this.repo.listForPatient(clinicId, patientId);
  }

  /** The patient's most recent active treatment on or before a time: what a stray answer belongs to. */
  latestForPatient(clinicId: string, patientId: string, tx: EntityManager): Promise<Treatment | null> {
    return this.repo.latestActive(tx, clinicId, patientId);
  }

  /** These treatments of the clinic (for lists that show them, e.g. the triage queue). */
  byIds(clinicId: string, ids: string[]): Promise<Treatment[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.repo.byIds(clinicId, ids);
  }

  /** The clinic's session a check-in names, in the caller's transaction (it exists: the check-in's foreign key). */
  async ofCheckIn(tx: EntityManager, checkIn: { clinicId: string; treatmentId: string }): Promise<Treatment> {
    const t = await this.repo.find(checkIn.clinicId, checkIn.treatmentId, tx);
    if (!t) throw new NotFoundException('Treatment not found');
    return t;
  }
}

/** These fields of `row`, in this order. */
function pick<T, K extends keyof T>(row: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, row[k]])) as Pick<T, K>;
}
