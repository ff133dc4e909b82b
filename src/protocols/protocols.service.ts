import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { changedFields } from '../audit/field-changes';
import { Clock } from '../common/clock';
import { PutProtocolDto } from './dto/protocol.dto';
import { ExpectedCourse, expectedCourseErrors } from './expected-course';
import { SYMPTOMS } from './questions';
import { lockKey } from '../database/advisory-lock';
import { queryRows } from '../database/query-rows';
import { Protocol } from './protocol.entity';
import { ProtocolsRepository } from './protocols.repository';
import { protocolKeyPattern } from './protocol-choice';
import { ProtocolUsageCounts } from './protocol-usage';

/** Protocols kept in memory per instance (a few per clinic). */
const PROTOCOL_CACHE_SIZE = 2000;

/** A protocol as the API shows it. */
export interface ProtocolUsage {
  protocolId: string;
  key: string;
  version: number;
  treatments: number;
  activeTreatments: number;
  patients: number;
  firstPerformedAt: Date;
  lastPerformedAt: Date;
}

export interface ProtocolView {
  id: string;
  key: string;
  version: number;
  name: string;
  /** True for a shipped default (the same for every clinic), false for the clinic's own version. */
  shipped: boolean;
  dayOffsets: number[];
  sendTime: string;
  expiryHours: number;
  reminderAfterHours: number | null;
  expectedCourse: Protocol['expectedCourse'];
  createdAt: Date;
}

const VERSIONED_FIELDS = ['name', 'dayOffsets', 'sendTime', 'expiryHours', 'reminderAfterHours', 'expectedCourse'] as const;

/**
 * Follow-up protocols: shipped defaults (clinic_id NULL) and each clinic's own versions. Rows
 * are never changed (the database refuses it): a change is a new version, and a treatment
 * keeps the id + version it started with.
 */
@Injectable()
export class ProtocolsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly protocols: ProtocolsRepository,
    private readonly usageCounts: ProtocolUsageCounts,
  ) {}

  /** The clinic's newest version of the key, else the shipped default's newest; null if neither exists. */
  async resolve(clinicId: string, key: string, manager?: EntityManager): Promise<Protocol | null> {
    return (await this.protocols.resolve(clinicId, key, manager)) ?? null;
  }

  /** What the clinic uses now: its newest version of each key, and the shipped defaults it has not replaced. */
  async listCurrent(clinicId: string): Promise<ProtocolView[]> {
    return (await this.protocols.current(clinicId)).map(viewOf);
  }

  /** Every version of a key the clinic can see, newest first (its own, then the shipped ones). */
  async versions(clinicId: string, key: string): Promise<ProtocolView[]> {
    const rows = await this.protocols.versions(clinicId, key);
    if (!rows.length) throw new NotFoundException(`No protocol with key "${key}"`);
    return rows.map(viewOf);
  }

  /** Which versions the clinic's treatments follow, with counts (treatments counts them), by key and version. */
  async usage(clinicId: string): Promise<ProtocolUsage[]> {
    const counts = new Map((await this.usageCounts.byProtocol(clinicId)).map((c) => [c.protocolId, c]));
    if (!counts.size) return [];
    const versions = await queryRows<{ id: string; key: string; version: number }>(
      this.db.manager,
      `SELECT id, key, version FROM protocols WHERE id = ANY($1::uuid[]) AND (clinic_id = $2 OR clinic_id IS NULL) ORDER BY key, version`,
      [[...counts.keys()], clinicId],
    );
    return versions.map((p) => {
      const c = counts.get(p.id)!;
      return { protocolId: p.id, key: p.key, version: Number(p.version), treatments: c.treatments, activeTreatments: c.activeTreatments, patients: c.patients, firstPerformedAt: c.firstPerformedAt, lastPerformedAt: c.lastPerformedAt };
    });
  }

  /** A shipped default or one of the clinic's own versions; another clinic's is 404. */
  async getForClinic(clinicId: string, id: string): Promise<ProtocolView> {
    const row = await this.protocols.visible(clinicId, id);
    if (!row) throw new NotFoundException('Protocol not found');
    return viewOf(row);
  }

  /** A new version of the key for the clinic; the first clinic version of a shipped key comes after the shipped one. */
  async createVersion(clinicId: string, key: string, dto: PutProtocolDto, actor: Actor): Promise<ProtocolView> {
    const errors = protocolErrors(key, dto);
    if (errors.length) throw new BadRequestException(errors);
    return this.db.transaction(async (tx) => {
      // One writer per clinic and key at a time, so two admins cannot both make version n+1.
      await lockKey(tx, `protocol:${clinicId}:${key}`);
      const previous = await this.resolve(clinicId, key, tx);
      const max = await this.protocols.highestVersion(tx, clinicId, key);
      const row = await this.protocols.insert(tx, {
        clinicId,
        key,
        version: (max ?? 0) + 1,
        name: dto.name,
        dayOffsets: dto.dayOffsets,
        sendTime: dto.sendTime,
        expiryHours: dto.expiryHours,
        reminderAfterHours: dto.reminderAfterHours ?? null,
        expectedCourse: dto.expectedCourse,
        createdAt: this.clock.now(),
      });
      const view = viewOf(row);
      const before = previous ? viewOf(previous) : null;
      const changes = changedFields((before ?? {}) as ProtocolView, view, VERSIONED_FIELDS);
      await this.audit.record(tx, {
        clinicId,
        actor,
        action: 'protocol.version_created',
        entityType: 'protocol',
        entityId: row.id,
        data: { key, version: row.version, previousId: previous?.id ?? null, previousVersion: previous?.version ?? null, changedFields: Object.keys(changes) },
        changes,
      });
      return view;
    });
  }

  /** A shipped default or one of the clinic's own versions (a treatment's). Pass the caller's transaction manager when inside one: a second pool connection can deadlock it. */
  async get(clinicId: string, id: string, manager?: EntityManager): Promise<Protocol> {
    // Protocol rows are insert-only (the database refuses changes): one read per instance and id is enough.
    const key = `${clinicId}:${id}`;
    const cached = this.byId.get(key);
    if (cached) return cached;
    const row = await this.protocols.visible(clinicId, id, manager);
    if (!row) throw new NotFoundException('Protocol not found');
    if (this.byId.size >= PROTOCOL_CACHE_SIZE) this.byId.delete(this.byId.keys().next().value!);
    this.byId.set(key, row);
    return row;
  }

  /** Protocols read by (clinic, id): immutable rows, so never stale; the oldest goes first when full. */
  private readonly byId = new Map<string, Protocol>();
}

function viewOf(p: Protocol): ProtocolView {
  return {
    id: p.id,
    key: p.key,
    version: p.version,
    name: p.name,
    shipped: p.clinicId === null,
    dayOffsets: p.dayOffsets,
    sendTime: p.sendTime.slice(0, 5),
    expiryHours: p.expiryHours,
    reminderAfterHours: p.reminderAfterHours,
    expectedCourse: inSymptomOrder(p.expectedCourse),
    createdAt: p.createdAt,
  };
}

/** jsonb keeps keys in its own order: shown (and compared for the audit) in the questions' order. */
function inSymptomOrder(course: ExpectedCourse): ExpectedCourse {
  return Object.fromEntries(SYMPTOMS.map((s) => [s, (course[s] ?? []).map((b) => ({ throughDay: b.throughDay, max: b.max }))])) as ExpectedCourse;
}

/** What the field validators cannot see alone: the key, the order of days, reminder vs expiry, the course. */
export function protocolErrors(key: string, dto: PutProtocolDto): string[] {
  const errors: string[] = [];
  if (!protocolKeyPattern.test(key)) errors.push('key must be 1–40 lowercase letters, digits or dashes, starting with a letter');
  if (dto.dayOffsets.some((d, i) => i > 0 && d <= dto.dayOffsets[i - 1])) errors.push('dayOffsets must be in ascending order without repeats');
  if (dto.reminderAfterHours != null && dto.reminderAfterHours >= dto.expiryHours) errors.push('reminderAfterHours must be less than expiryHours');
  errors.push(...expectedCourseErrors(dto.expectedCourse));
  return errors;
}
