/** Decides what a patient record may hold and who may reach the patient: contact points, consent and opt-out, erasure and legal hold. */
import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ClinicsService } from '../clinics/clinics.service';
import { DEFAULT_PAGE_LIMIT, Page } from '../common/pagination';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { changedFields } from '../audit/field-changes';
import { Clock } from '../common/clock';
import { CreatePatientDto, SearchPatientsQuery, UpdatePatientDto } from './dto/patient.dto';
import { Channel, Patient } from './patient.entity';
import { PatientsRepository } from './patients.repository';

/** Consent sources the service itself writes (`api:staff`, `sms:STOP`, `twilio:21610`, `email:one-click-unsubscribe`). */
const MACHINE_SOURCE = /^(?:(?:api|email|twilio|smtp|outbox):[A-Za-z0-9_-]{1,40}|sms:[\p{L}\p{M} '_-]{1,40})$/u;

type ConsentChange = { channel: Channel; change: 'given' | 'withdrawn' | 'opted_out' | 'opted_in'; source: string };

@Injectable()
export class PatientsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly clinics: ClinicsService,
    private readonly repo: PatientsRepository,
  ) {}

  /**
   * Find a patient of the clinic by part of a name, email or external reference (case-insensitive,
   * anywhere in it) or by phone (normalised to E.164 with the country of the clinic's SMS number
   * when written nationally). Paginated, by family then given name. The search is a read of the
   * records it returns: one `patient.searched` event names them (ids only; the query may be a name).
   */
  async search(clinicId: string, actor: Actor, q: SearchPatientsQuery): Promise<Page<Patient>> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const offset = q.offset ?? 0;
    const term = (q.q ?? '').trim().toLowerCase();
    let match: { like: string; phone: string | null } | null = null;
    if (term) {
      const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const clinic = await this.clinics.get(clinicId);
      const country = clinic.smsFrom ? parsePhoneNumberFromString(clinic.smsFrom)?.country : undefined;
      const phone = /^[+\d][\d\s().-]{3,}$/.test(term) ? parsePhoneNumberFromString(term, country)?.number : undefined;
      match = { like, phone: phone ?? null };
    }
    const { items, total } = await this.repo.search(clinicId, match, { limit, offset });
    await this.audit.recordAccess({ clinicId, actor, action: 'patient.searched', entityType: 'patient', entityId: null, data: { patientIds: items.map((p) => p.id), total, hasQuery: !!term } });
    return { items, total, limit, offset };
  }

  /** These patients of the clinic (for lists that show names, e.g. the triage queue). */
  byIds(clinicId: string, ids: string[]): Promise<Patient[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.repo.byIds(clinicId, ids);
  }

  async create(clinicId: string, actor: Actor, dto: CreatePatientDto): Promise<Patient> {
    const now = this.clock.now();
    const preferred = dto.preferredChannel ?? (dto.phone ? 'sms' : 'email');
    assertContactable({ email: dto.email ?? null, phone: dto.phone ?? null }, preferred);
    return this.db.transaction(async (tx) => {
      await this.assertExternalRefFree(tx, clinicId, dto.externalRef ?? null, null);
      const source = dto.consentSource ?? `api:${actor.type}`;
      const patient = await this.repo.insert(tx, {
        clinicId,
        externalRef: dto.externalRef ?? null,
        givenName: dto.givenName,
        familyName: dto.familyName,
        email: dto.email ?? null,
        phone: dto.phone ?? null,
        birthYear: dto.birthYear ?? null,
        timeZone: dto.timeZone ?? null,
        locale: dto.locale ?? 'en',
        preferredChannel: preferred,
        smsConsentAt: dto.smsConsent ? now : null,
        smsConsentSource: dto.smsConsent ? source : null,
        smsOptedOutAt: null,
        emailConsentAt: dto.emailConsent ? now : null,
        emailConsentSource: dto.emailConsent ? source : null,
        emailOptedOutAt: null,
        createdAt: now,
        updatedAt: now,
      });
      await this.audit.record(tx, {
        clinicId,
        actor,
        action: 'patient.created',
        entityType: 'patient',
        entityId: patient.id,
        data: { fields: Object.keys(dto).sort() },
      });
      for (const channel of ['sms', 'email'] as const) {
        if (dto[`${channel}Consent`]) await this.recordConsent(tx, patient, actor, { channel, change: 'given', source });
      }
      return patient;
    });
  }

  async update(clinicId: string, id: string, actor: Actor, dto: UpdatePatientDto): Promise<Patient> {
    // Optional fields let null through validation; these have no "cleared" state (the others do).
    for (const key of ['givenName', 'familyName', 'locale', 'preferredChannel', 'smsConsent', 'emailConsent'] as const) {
      if (dto[key] === null) throw new BadRequestException(`${key} cannot be null`);
    }
    return this.db.transaction(async (tx) => {
      const patient = await this.repo.findForUpdate(tx, clinicId, id);
      if (!patient) throw new NotFoundException('Patient not found');
      if (patient.erasedAt) throw new ConflictException('The patient was erased; their record cannot be changed');
      const before = { ...patient };
      const now = this.clock.now();
      const source = dto.consentSource ?? `api:${actor.type}`;
      const changed: string[] = [];
      const consent: ConsentChange[] = [];
      const simple = ['externalRef', 'givenName', 'familyName', 'email', 'phone', 'birthYear', 'timeZone', 'locale', 'preferredChannel'] as const;
      for (const key of simple) {
        if (dto[key] !== undefined && dto[key] !== patient[key]) {
          (patient as unknown as Record<string, unknown>)[key] = dto[key];
          changed.push(key);
        }
      }
      // A new number or address has not failed yet.
      if (changed.includes('phone')) patient.smsInvalidAt = null;
      if (changed.includes('email')) patient.emailInvalidAt = null;
      for (const channel of ['sms', 'email'] as const) {
        const want = dto[`${channel}Consent`];
        if (want === undefined) continue;
        const has = !!patient[`${channel}ConsentAt`] && !patient[`${channel}OptedOutAt`];
        if (want === has) continue;
        if (want) {
          patient[`${channel}ConsentAt`] = now;
          patient[`${channel}ConsentSource`] = source;
          patient[`${channel}OptedOutAt`] = null;
          consent.push({ channel, change: 'given', source });
        } else {
          patient[`${channel}OptedOutAt`] = now;
          consent.push({ channel, change: 'withdrawn', source });
        }
      }
      if (!changed.length && !consent.length) return patient;
      assertContactable(patient, patient.preferredChannel);
      if (changed.includes('externalRef')) await this.assertExternalRefFree(tx, clinicId, patient.externalRef, patient.id);
      patient.updatedAt = now;
      await this.repo.save(tx, patient);
      if (changed.length) {
        await this.audit.record(tx, {
          clinicId,
          actor,
          action: 'patient.updated',
          entityType: 'patient',
          entityId: id,
          data: { fields: changed },
          changes: changedFields(before, patient, changed as Array<(typeof simple)[number]>),
        });
      }
      for (const c of consent) await this.recordConsent(tx, patient, actor, c, before);
      return patient;
    });
  }

  /** Consent by keyword (STOP/START) or any other route: the state and its audit event together. */
  async changeConsent(tx: EntityManager, patient: Patient, actor: Actor, change: ConsentChange): Promise<void> {
    const now = this.clock.now();
    const c = change.channel;
    const before = { ...patient };
    if (change.change === 'opted_out' || change.change === 'withdrawn') {
      if (patient[`${c}OptedOutAt`]) return;
      patient[`${c}OptedOutAt`] = now;
    } else {
      if (patient[`${c}ConsentAt`] && !patient[`${c}OptedOutAt`]) return;
      patient[`${c}ConsentAt`] = now;
      patient[`${c}ConsentSource`] = change.source;
      patient[`${c}OptedOutAt`] = null;
    }
    patient.updatedAt = now;
    await this.repo.save(tx, patient);
    await this.recordConsent(tx, patient, actor, change, before);
  }

  /** The one-click unsubscribe: opts the patient out of email; false for an unknown patient. By id alone: the signed link carries no clinic. */
  async unsubscribeEmail(patientId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const patient = await this.repo.findByIdForUpdate(tx, patientId);
      if (!patient) return false;
      await this.changeConsent(tx, patient, { type: 'patient', id: patient.id }, { channel: 'email', change: 'opted_out', source: 'email:one-click-unsubscribe' });
      return true;
    });
  }

  /** The language a patient reads, for pages reached by a signed link (unsubscribe; by id alone: the link carries no clinic); null when unknown. */
  async localeOf(patientId: string): Promise<string | null> {
    return this.repo.localeOf(patientId);
  }

  /**
   * A provider said this contact point cannot receive messages: no more sends there until it
   * changes. Read within the clinic of the message the provider reported on.
   */
  async markContactInvalid(tx: EntityManager, clinicId: string, patientId: string, channel: Channel, reason: { code: string | null; source: string }): Promise<boolean> {
    const patient = await this.repo.findForUpdate(tx, clinicId, patientId);
    if (!patient || patient[`${channel}InvalidAt`]) return false;
    const before = { ...patient };
    patient[`${channel}InvalidAt`] = this.clock.now();
    patient.updatedAt = this.clock.now();
    await this.repo.save(tx, patient);
    await this.audit.record(tx, {
      clinicId: patient.clinicId,
      actor: { type: 'provider', id: reason.source },
      action: 'patient.contact_invalid',
      entityType: 'patient',
      entityId: patient.id,
      data: { channel, errorCode: reason.code },
      changes: changedFields(before, patient, [`${channel}InvalidAt`]),
    });
    return true;
  }

  /** `before`: the record before the change (absent at creation: every consent field was empty). */
  private async recordConsent(tx: EntityManager, patient: Patient, actor: Actor, c: ConsentChange, before?: Patient): Promise<void> {
    const fields = [`${c.channel}ConsentAt`, `${c.channel}ConsentSource`, `${c.channel}OptedOutAt`] as const;
    await this.audit.record(tx, {
      clinicId: patient.clinicId,
      actor,
      action: 'patient.consent_changed',
      entityType: 'patient',
      entityId: patient.id,
      // A source the caller wrote (e.g. "intake form signed by …") may name someone: it stays in the redactable payload.
      data: { channel: c.channel, change: c.change, source: MACHINE_SOURCE.test(c.source) ? c.source : 'custom' },
      changes: changedFields(before ?? ({} as Patient), patient, fields),
    });
  }

  /** Opening a patient's record, by `actor`: the read is on the record (patient.viewed) before it is answered. */
  async view(clinicId: string, id: string, actor: Actor): Promise<Patient> {
    const p = await this.get(clinicId, id);
    await this.audit.recordAccess({ clinicId, actor, action: 'patient.viewed', entityType: 'patient', entityId: id });
    return p;
  }

  /**
   * Erasure, in the caller's transaction: names become a pseudonym, contact details and the
   * external reference go, both channels are closed. Refused under a legal hold (409). No
   * before/after values are recorded: they would keep what is being erased.
   */
  async erase(tx: EntityManager, clinicId: string, id: string): Promise<{ patient: Patient; pseudonym: string; fields: string[]; formerAddresses: string[] }> {
    const patient = await this.repo.findForUpdate(tx, clinicId, id);
    if (!patient) throw new NotFoundException('Patient not found');
    if (patient.legalHoldAt) {
      throw new ConflictException(`The patient is under a legal hold (since ${patient.legalHoldAt.toISOString()}): erasure is refused until the hold is lifted`);
    }
    if (patient.erasedAt) throw new ConflictException('The patient was already erased');
    const now = this.clock.now();
    const pseudonym = `P-${randomBytes(5).toString('hex').toUpperCase()}`;
    const formerAddresses = [patient.email, patient.phone].filter((a): a is string => !!a);
    const fields = ['givenName', 'familyName', 'email', 'phone', 'externalRef', 'birthYear', 'smsConsentSource', 'emailConsentSource'].filter(
      (f) => (patient as unknown as Record<string, unknown>)[f] !== null,
    );
    patient.givenName = 'Erased';
    patient.familyName = pseudonym;
    patient.email = null;
    patient.phone = null;
    patient.externalRef = null;
    patient.birthYear = null;
    patient.smsConsentSource = null;
    patient.emailConsentSource = null;
    patient.smsOptedOutAt ??= now;
    patient.emailOptedOutAt ??= now;
    patient.erasedAt = now;
    patient.updatedAt = now;
    await this.repo.save(tx, patient);
    return { patient, pseudonym, fields, formerAddresses };
  }

  /** Places (on) or lifts (off) a legal hold; the reason goes to the audit payload. */
  async setLegalHold(clinicId: string, id: string, actor: Actor, on: boolean, reason: string): Promise<Patient> {
    return this.db.transaction(async (tx) => {
      const patient = await this.repo.findForUpdate(tx, clinicId, id);
      if (!patient) throw new NotFoundException('Patient not found');
      if (on && patient.legalHoldAt) throw new ConflictException(`The patient is already under a legal hold (since ${patient.legalHoldAt.toISOString()})`);
      if (!on && !patient.legalHoldAt) throw new ConflictException('The patient is not under a legal hold');
      const before = { ...patient };
      const now = this.clock.now();
      patient.legalHoldAt = on ? now : null;
      patient.legalHoldReason = on ? reason : null;
      patient.updatedAt = now;
      await this.repo.save(tx, patient);
      await this.audit.record(tx, {
        clinicId,
        actor,
        action: on ? 'patient.legal_hold_placed' : 'patient.legal_hold_lifted',
        entityType: 'patient',
        entityId: id,
        data: { fields: ['legalHoldAt', 'legalHoldReason'] },
        changes: changedFields(before, patient, ['legalHoldAt', 'legalHoldReason']),
        reason,
      });
      return patient;
    });
  }

  /** The clinic's patient, or 404. Inside a transaction pass its manager: a second pool connection can deadlock the pool. */
  async get(clinicId: string, id: string, tx?: EntityManager): Promise<Patient> {
    const p = await this.repo.find(clinicId, id, tx);
    if (!p) throw new NotFoundException('Patient not found');
    return p;
  }


  /**
   * Many patients at once (a dispatcher round), each by its clinic and id, keyed by id; one
   * missing is simply absent from the map. Inside a transaction pass its manager.
   */
  async getMany(keys: Array<{ clinicId: string; id: string }>, tx: EntityManager = this.db.manager): Promise<Map<string, Patient>> {
    const rows = await this.repo.findMany(tx, keys.map((k) => k.clinicId), keys.map((k) => k.id));
    const wanted = new Map(keys.map((k) => [k.id, k.clinicId]));
    return new Map(rows.filter((p) => wanted.get(p.id) === p.clinicId).map((p) => [p.id, p]));
  }

  /** Patients of these clinics with this phone number: who sent an SMS. */
  findByPhone(tx: EntityManager, clinicIds: string[], phone: string): Promise<Patient[]> {
    if (!clinicIds.length) return Promise.resolve([]);
    return this.repo.byPhoneForUpdate(tx, clinicIds, phone);
  }

  private async assertExternalRefFree(tx: EntityManager, clinicId: string, ref: string | null, selfId: string | null) {
    if (!ref) return;
    const other = await this.repo.byExternalRef(tx, clinicId, ref);
    if (other && other.id !== selfId) throw new ConflictException(`A patient with externalRef "${ref}" already exists`);
  }
}

function assertContactable(p: { email: string | null; phone: string | null }, preferred: Channel): void {
  if (!p.email && !p.phone) throw new BadRequestException('A patient needs an email or a phone number');
  if (preferred === 'sms' && !p.phone) throw new BadRequestException('preferredChannel is sms but the patient has no phone');
  if (preferred === 'email' && !p.email) throw new BadRequestException('preferredChannel is email but the patient has no email');
}
