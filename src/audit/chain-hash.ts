import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/**
 * What an audit event's hash is: SHA-256 of the previous hash and the chained event's canonical
 * JSON, per clinic chain from the genesis hash. The bytes hashed here are the chain: never change them.
 */

/** The previous hash of a chain's first event (and the head of an empty chain). */
export const GENESIS = '0'.repeat(64);
/** The platform chain's key (events with no clinic): every chain head has a non-null key. */
export const PLATFORM_CHAIN_ID = '00000000-0000-0000-0000-000000000000';
/** The chain an event of this clinic (null: the platform) belongs to. */
export const chainIdOf = (clinicId: string | null): string => clinicId ?? PLATFORM_CHAIN_ID;

/** The columns of a stored event (audit_events) that its hash covers. */
export interface ChainedEventFields {
  clinic_seq: string;
  /** A Date, or already its ISO string (verification selects it so). */
  occurred_at: Date | string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  data: unknown;
  payload_digest?: string | null;
}

/** SHA-256 of the payload's canonical JSON: what the chained event carries. */
export function payloadDigestOf(payload: unknown): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

/** The hash a stored event row (audit_events columns) should carry after prevHash. */
export function eventHash(clinicId: string | null, prevHash: string, row: ChainedEventFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(eventCanonicalJson(clinicId, row)).digest('hex');
}

/**
 * canonicalJson of the chained event built from a stored row, written out key by key (the keys
 * in canonical order) for verification's speed; a spec checks it equals canonicalJson. The row's
 * occurred_at may be a Date or already its ISO string (verification selects it so).
 */
export function eventCanonicalJson(clinicId: string | null, row: ChainedEventFields): string {
  const occurredAt = typeof row.occurred_at === 'string' ? row.occurred_at : new Date(row.occurred_at).toISOString();
  const q = (v: string | null | undefined) => (v === null || v === undefined ? 'null' : JSON.stringify(v));
  return (
    `{"action":${q(row.action)},"actorId":${q(row.actor_id)},"actorType":${q(row.actor_type)},"clinicId":${q(clinicId)},` +
    `"clinicSeq":${JSON.stringify(String(row.clinic_seq))},"data":${canonicalJson(row.data)},"entityId":${q(row.entity_id)},` +
    `"entityType":${q(row.entity_type)},"occurredAt":${JSON.stringify(occurredAt)}` +
    (row.payload_digest !== null && row.payload_digest !== undefined ? `,"payloadDigest":${JSON.stringify(row.payload_digest)}}` : '}')
  );
}

/** The hash of a chained event (as the writer builds it) after prevHash. */
export function chainHash(prevHash: string, event: Record<string, unknown>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(event)).digest('hex');
}
