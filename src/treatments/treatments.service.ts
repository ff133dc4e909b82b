import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { changedFields } from '../audit/field-changes';
import { Actor, AuditService } from '../audit/audit.service';
import { CheckIn } from '../check-ins/check-in.entity';
import { CheckInsService } from '../check-ins/check-ins.service';
import { ClinicsService } from '../clinics/clinics.service';
import { Clock } from '../common/clock';
import { PatientsService } from '../patients/patients.service';
import { ProtocolsService } from '../protocols/protocols.service';
import { CancelTreatmentDto, CreateTreatmentDto } from './dto/treatment.dto';
import { Protocol } from '../protocols/protocol.entity';
import { protocolKeyFor } from '../protocols/protocol-choice';
import { courseSessionsAt, isLastOfCourse } from './course';
import { Treatment } from './treatment.entity';

/** Optional clinical fields whose presence (never their value) the creation event names. */
const RECORDED_FIELDS = ['lotNumber', 'technique', 'formula', 'externalRef'] as const;

@Injectable()
export class TreatmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly patients: PatientsService,
    private readonly clinics: ClinicsService,
    private readonly protocols: ProtocolsService,
    private readonly checkIns: CheckInsService,
  ) {}

  /** The treatment and its planned check-ins, in one transaction. */
  async create(clinicId: string, actor: Actor, dto: CreateTreatmentDto): Promise<Treatment & { checkIns: Array<CheckIn & { treatmentIds: string[] }> }> {
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
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(Treatment);
      // A friendly message for the usual case; concurrent twins are stopped by treatments_external_ref_key (23505 → 409).
      if (dto.externalRef && (await repo.existsBy({ clinicId, externalRef: dto.externalRef }))) {
        throw new ConflictException(`A treatment with externalRef "${dto.externalRef}" already exists`);
      }
      const treatment = await repo.save(
        repo.create({
          clinicId,
          patientId: patient.id,
          practitionerId: dto.practitionerId ?? null,
          externalRef: dto.externalRef ?? null,
          procedure: dto.procedure,
          indication: dto.indication,
          bodyAreas: dto.bodyAreas,
          product: dto.product,
          lotNumber: dto.lotNumber ?? null,
          technique: dto.technique ?? null,
          formula: dto.formula ?? null,
          performedAt,
          protocolId: protocol.id,
          protocolVersion: protocol.version,
          protocolKey: protocol.key,
          status: 'active',
          cancelledAt: null,
          cancelReason: null,
          createdAt: now,
        }),
      );
      await this.audit.record(m, {
        clinicId,
        actor,
        action: 'treatment.created',
        entityType: 'treatment',
        entityId: treatment.id,
        data: {
          patientId: patient.id,
          practitionerId: treatment.practitionerId,
          protocolId: protocol.id,
          protocolKey: protocol.key,
          protocolVersion: protocol.version,
          recordedFields: RECORDED_FIELDS.filter((f) => treatment[f] !== null),
        },
        changes: changedFields({ technique: null, formula: null }, { technique: treatment.technique, formula: treatment.formula }, ['technique', 'formula']),
      });
      // Instructions about "the coming days" make no sense for a treatment back-filled days later.
      const sendInstructions = dto.sendInstructions ?? now.getTime() - performedAt.getTime() < 48 * 3600_000;
      await this.checkIns.lockPatientPlan(m, patient.id);
      const sessions = await this.activeSessions(m, patient.id);
      const checkIns = await this.checkIns.planForTreatment(m, { treatment, patient, clinic, protocol, sendInstructions, sessions }, actor);
      return { ...treatment, checkIns };
    });
  }

  async get(clinicId: string, id: string): Promise<Treatment> {
    const t = await this.db.getRepository(Treatment).findOneBy({ clinicId, id });
    if (!t) throw new NotFoundException('Treatment not found');
    return t;
  }

  async cancel(clinicId: string, id: string, actor: Actor, dto: CancelTreatmentDto): Promise<Treatment & { cancelledCheckIns: number }> {
    return this.db.transaction(async (m) => {
      const t = await m.getRepository(Treatment).findOne({ where: { clinicId, id }, lock: { mode: 'pessimistic_write' } });
      if (!t) throw new NotFoundException('Treatment not found');
      if (t.status === 'cancelled') throw new ConflictException('The treatment is already cancelled');
      await this.checkIns.lockPatientPlan(m, t.patientId);
      const prior = { ...t };
      const before = await this.activeSessions(m, t.patientId);
      t.status = 'cancelled';
      t.cancelledAt = this.clock.now();
      t.cancelReason = dto.reason ?? null;
      await m.getRepository(Treatment).save(t);
      await this.audit.record(m, { clinicId, actor, action: 'treatment.cancelled', entityType: 'treatment', entityId: id, data: { hasReason: !!dto.reason }, changes: changedFields(prior, t, ['status', 'cancelledAt', 'cancelReason']), ...(dto.reason ? { reason: dto.reason } : {}) });
      const remaining = before.filter((s) => s.id !== id);
      const cancelledCheckIns = await this.checkIns.cancelForTreatment(m, clinicId, id, actor, remaining);
      // The course keeps its late steps: they now run from the latest remaining session.
      const course = courseSessionsAt(before, t.performedAt, t);
      const heir = isLastOfCourse(before, t) ? course.filter((s) => s.id !== id).at(-1) : undefined;
      if (heir) {
        const patient = await this.patients.findById(t.patientId, m);
        const clinic = await this.clinics.get(clinicId, m);
        const protocol = await this.protocols.get(heir.protocolId, m);
        await this.checkIns.replanLateSteps(m, { treatment: heir, patient, clinic, protocol, sessions: remaining, cancelledId: id }, actor);
      }
      return { ...t, cancelledCheckIns };
    });
  }

  /** The patient's active sessions, oldest first. */
  private activeSessions(m: EntityManager, patientId: string): Promise<Treatment[]> {
    return m.getRepository(Treatment).find({ where: { patientId, status: 'active' }, order: { performedAt: 'ASC', id: 'ASC' } });
  }

  /**
   * The course an answer is judged in, and its most recent session by then (the answer's day
   * counts from it). The answered check-in says which course: the one of the sessions it counts
   * for, as it runs now (a later session of that course counts: the answer falls in its
   * follow-up too), or as it ended if a new course of that kind has begun since (an answer to
   * last course's day-60 check-in is not day 2 of the new one), and never another procedure's.
   * A stray text with no check-in belongs to the patient's most recent session.
   */
  async courseAt(m: EntityManager, patientId: string, at: Date, checkInId: string | null = null): Promise<{ sessions: Treatment[]; latest: Treatment | null; protocol: Protocol | null }> {
    const all = await this.activeSessions(m, patientId);
    const linked = checkInId && all.length ? new Set(await this.checkIns.treatmentIdsOf(m, all[0].clinicId, checkInId)) : null;
    const performed = all.filter((s) => s.performedAt.getTime() <= at.getTime());
    const anchor = (linked && performed.filter((s) => linked.has(s.id)).at(-1)) || performed.at(-1);
    if (!anchor) return { sessions: [], latest: null, protocol: null };
    const running = courseSessionsAt(all, at, anchor);
    const sessions = running.some((s) => s.id === anchor.id) ? running : courseSessionsAt(all, anchor.performedAt, anchor);
    const latest = sessions.at(-1)!;
    return { sessions, latest, protocol: await this.protocols.get(latest.protocolId, m) };
  }

  listForPatient(clinicId: string, patientId: string): Promise<Treatment[]> {
    return this.db.getRepository(Treatment).find({ where: { clinicId, patientId }, order: { performedAt: 'ASC' } });
  }

  async checkInsOf(clinicId: string, id: string): Promise<Array<CheckIn & { treatmentIds: string[] }>> {
    await this.get(clinicId, id);
    return this.checkIns.listForTreatment(clinicId, id);
  }

  /** The patient's most recent active treatment on or before a time: what a stray answer belongs to. */
  latestForPatient(clinicId: string, patientId: string, m: EntityManager = this.db.manager): Promise<Treatment | null> {
    return m.getRepository(Treatment).findOne({
      where: { clinicId, patientId, status: 'active' },
      order: { performedAt: 'DESC' },
    });
  }

  /** Inside a transaction pass its manager: a second pool connection can deadlock the pool. */
  /** These treatments of the clinic (for lists that show them, e.g. the triage queue). */
  byIds(clinicId: string, ids: string[]): Promise<Treatment[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.db.getRepository(Treatment).findBy({ clinicId, id: In(ids) });
  }

  findById(id: string, m: EntityManager = this.db.manager): Promise<Treatment> {
    return m.getRepository(Treatment).findOneByOrFail({ id });
  }
}
