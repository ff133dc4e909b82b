import type { ActorType } from '../common/actor';
import type { AuditEvent } from './audit-event.entity';
import type { ChainedEventFields } from './chain-hash';
import type { ExportedCheckpoint } from './signing-key';

/** The rows audit's SQL reads and writes (AuditRepository), and how a stored row becomes an event or a checkpoint. */

/** A chain's head: its newest event's clinic_seq (as text; '0' when empty) and hash. */
export interface ChainHead {
  seq: string;
  hash: string;
}

/** An event as the writer inserts it (already hashed). */
export interface NewEventRow {
  clinicSeq: string;
  occurredAt: Date;
  actorType: ActorType;
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
  payloadDigest: string | null;
}

/** A stored event as verification reads it: the hashed columns, occurred_at as the ISO text the chain holds. */
export interface StoredEventRow extends ChainedEventFields {
  seq: string;
  occurred_at: string;
  data: Record<string, unknown> | null;
  prev_hash: string;
  hash: string;
  payload_digest: string | null;
}

/** An event's redactable payload as stored. */
export interface PayloadRow {
  event_seq: string;
  digest: string;
  payload: unknown;
  redacted_at: Date | null;
}

export interface EventFilters {
  action?: string;
  entityType?: string;
  entityId?: string;
  actorType?: ActorType;
  actorId?: string;
  since?: Date;
  until?: Date;
}

export type StoredCheckpoint = ExportedCheckpoint & { id: string };
/** Who had it signed: a staff member (on demand) or the system (the scheduled pass); null: its event is not found. */
export type ListedCheckpoint = StoredCheckpoint & { createdBy: { actorType: string; actorId: string | null; name: string | null } | null };

export interface EventRow {
  seq: string;
  clinic_id: string | null;
  clinic_seq: string;
  occurred_at: Date;
  actor_type: ActorType;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  payload_digest: string | null;
}

export interface CheckpointRow {
  id: string;
  clinic_id: string;
  clinic_seq: string;
  head_hash: string;
  created_at: Date;
  signature: string;
  public_key: string;
}

export function eventOf(r: EventRow): AuditEvent {
  return {
    seq: String(r.seq),
    clinicId: r.clinic_id,
    clinicSeq: String(r.clinic_seq),
    occurredAt: r.occurred_at,
    actorType: r.actor_type,
    actorId: r.actor_id,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    data: r.data,
    prevHash: r.prev_hash,
    hash: r.hash,
    payloadDigest: r.payload_digest,
  };
}

export function checkpointOf(row: CheckpointRow): StoredCheckpoint {
  return {
    id: row.id,
    clinicId: row.clinic_id,
    clinicSeq: String(row.clinic_seq),
    headHash: row.head_hash,
    createdAt: new Date(row.created_at).toISOString(),
    signature: row.signature,
    publicKey: row.public_key,
  };
}
