import { Injectable } from '@nestjs/common';
import type { AuditEvent } from './audit-event.entity';
import type { EventFilters } from './audit-rows';
import { AuditRepository } from './audit.repository';
import type { AuditPayload } from './audit.service';
import type { FieldChanges } from './field-changes';

export type ListedAuditEvent = AuditEvent & { changes: FieldChanges | null; reason: string | null; payloadRedactedAt: Date | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the audit log: a clinic's events with their payloads, who acted, and which erasure blanked a payload. */
@Injectable()
export class AuditLogService {
  constructor(private readonly repo: AuditRepository) {}

  async list(clinicId: string, q: { limit: number; offset: number } & EventFilters): Promise<{ items: ListedAuditEvent[]; total: number }> {
    const { limit, offset, ...filters } = q;
    const { events, total } = await this.repo.listEvents(clinicId, filters, limit, offset);
    return { items: await this.withPayloads(clinicId, events), total };
  }

  /** Audit events about any of these entities (a patient and their records), oldest first. */
  async listAbout(clinicId: string, entityIds: string[]): Promise<ListedAuditEvent[]> {
    if (!entityIds.length) return [];
    return this.withPayloads(clinicId, await this.repo.eventsAbout(clinicId, entityIds));
  }

  /** Each event with its payload: the values (changes, reason), or when it was redacted. */
  private async withPayloads(clinicId: string, events: AuditEvent[]): Promise<ListedAuditEvent[]> {
    const seqs = events.filter((e) => e.payloadDigest).map((e) => e.seq);
    const rows = seqs.length ? await this.repo.payloadsOf(clinicId, seqs) : [];
    const bySeq = new Map(rows.map((r) => [r.event_seq, r]));
    return events.map((e) => {
      const p = bySeq.get(String(e.seq));
      const payload = p?.payload as AuditPayload | null | undefined;
      return {
        ...e,
        changes: payload?.changes ?? null,
        reason: payload?.reason ?? null,
        payloadRedactedAt: p?.redacted_at ?? null,
      };
    });
  }

  /** The names of the clinic's staff among these actor ids (a deactivated colleague keeps their name). */
  async staffNames(clinicId: string, ids: string[]): Promise<Map<string, string>> {
    const uuids = [...new Set(ids)].filter((id) => UUID.test(id));
    if (!uuids.length) return new Map();
    const rows = await this.repo.staffNames(clinicId, uuids);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /**
   * The erasure event (`patient.erased`, which lists the sequence numbers it blanked) that
   * claims each of these redacted events: what verification accepts a blank payload by.
   */
  async erasuresClaiming(clinicId: string, clinicSeqs: string[]): Promise<Map<string, { clinicSeq: string; occurredAt: Date; entityId: string | null }>> {
    if (!clinicSeqs.length) return new Map();
    const rows = await this.repo.erasureClaims(clinicId, clinicSeqs);
    const out = new Map<string, { clinicSeq: string; occurredAt: Date; entityId: string | null }>();
    for (const r of rows) if (!out.has(r.claimed)) out.set(r.claimed, { clinicSeq: r.clinic_seq, occurredAt: r.occurred_at, entityId: r.entity_id });
    return out;
  }
}
