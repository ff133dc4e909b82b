import { hash } from 'node:crypto';
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

/**
 * A stored event as verification's page reads it: its columns as the text PostgreSQL sends
 * (AuditRepository.chainPageText), data as its JSON text, occurred_at as the ISO string the chain holds.
 */
export type ChainTextRow = [
  seq: string,
  clinicSeq: string,
  /** timestamptz's text in UTC with the ISO DateStyle: 'YYYY-MM-DD HH:MM:SS[.ffffff]+00'. */
  occurredAt: string,
  actorType: string,
  actorId: string | null,
  action: string,
  entityType: string,
  entityId: string | null,
  data: string,
  prevHash: string,
  hash: string,
  payloadDigest: string | null,
];

/** SHA-256 of the payload's canonical JSON: what the chained event carries. */
export function payloadDigestOf(payload: unknown): string {
  return hash('sha256', canonicalJson(payload), 'hex');
}

/**
 * SHA-256 (hex) of the previous hash, a newline and the event's canonical JSON, as UTF-8: the
 * same bytes as updating a hash with each part in turn, through the one-shot `crypto.hash`
 * (no Hash object per event; verification runs this once per event).
 */
function linkHash(prevHash: string, canonical: string): string {
  return hash('sha256', prevHash + '\n' + canonical, 'hex');
}

/** The hash a stored event row (audit_events columns) should carry after prevHash. */
export function eventHash(clinicId: string | null, prevHash: string, row: ChainedEventFields): string {
  return linkHash(prevHash, eventCanonicalJson(clinicId, row));
}

/** A JSON string, or null. */
const q = (v: string | null | undefined): string => (v === null || v === undefined ? 'null' : JSON.stringify(v));

/**
 * canonicalJson of the chained event built from a stored row, written out key by key (the keys
 * in canonical order) for verification's speed; a spec checks it equals canonicalJson. The row's
 * occurred_at may be a Date or already its ISO string (verification selects it so).
 */
export function eventCanonicalJson(clinicId: string | null, row: ChainedEventFields): string {
  const occurredAt = typeof row.occurred_at === 'string' ? row.occurred_at : new Date(row.occurred_at).toISOString();
  return (
    `{"action":${q(row.action)},"actorId":${q(row.actor_id)},"actorType":${q(row.actor_type)},"clinicId":${q(clinicId)},` +
    `"clinicSeq":${JSON.stringify(String(row.clinic_seq))},"data":${canonicalJson(row.data)},"entityId":${q(row.entity_id)},` +
    `"entityType":${q(row.entity_type)},"occurredAt":${JSON.stringify(occurredAt)}` +
    (row.payload_digest !== null && row.payload_digest !== undefined ? `,"payloadDigest":${JSON.stringify(row.payload_digest)}}` : '}')
  );
}

/** The hash of a chained event (as the writer builds it) after prevHash. */
export function chainHash(prevHash: string, event: Record<string, unknown>): string {
  return linkHash(prevHash, canonicalJson(event));
}

/**
 * eventHash of a verification page row (its columns as text): data is parsed from its JSON text
 * (as pg's jsonb parser would) and written canonically; the other columns go in as they are.
 * A spec checks it equals eventHash of the same row as objects.
 */
export function textRowHash(clinicId: string | null, prevHash: string, r: ChainTextRow): string {
  const data: unknown = JSON.parse(r[8]);
  return linkHash(
    prevHash,
    `{"action":${q(r[5])},"actorId":${q(r[4])},"actorType":${q(r[3])},"clinicId":${q(clinicId)},` +
      `"clinicSeq":${JSON.stringify(r[1])},"data":${canonicalJson(data)},"entityId":${q(r[7])},` +
      `"entityType":${q(r[6])},"occurredAt":"${isoOfUtcText(r[2])}"` +
      (r[11] !== null ? `,"payloadDigest":${JSON.stringify(r[11])}}` : '}'),
  );
}

/**
 * The ISO string (milliseconds, UTC; Date#toISOString's form, what the chain hashed) of a
 * timestamptz as PostgreSQL prints it in UTC with the ISO DateStyle: 'YYYY-MM-DD HH:MM:SS+00',
 * with '.f' to '.ffffff' when there is a fraction (truncated to milliseconds, as a Date would).
 * Anything else (a year past 9999 or BC, never written by the service) comes back JSON-escaped
 * as it is, so its event cannot match its hash.
 */
export function isoOfUtcText(t: string): string {
  const n = t.length;
  if (n >= 22 && t.charCodeAt(10) === 32 && t.endsWith('+00') && (n === 22 || t.charCodeAt(19) === 46)) {
    const ms = n === 22 ? '000' : (t.slice(20, n - 3) + '00').slice(0, 3);
    return `${t.slice(0, 10)}T${t.slice(11, 19)}.${ms}Z`;
  }
  return JSON.stringify(t).slice(1, -1);
}
