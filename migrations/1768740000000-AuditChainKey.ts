import { MigrationInterface, QueryRunner } from 'typeorm';

const PLATFORM = `'00000000-0000-0000-0000-000000000000'::uuid`;

/**
 * A non-null chain key on the audit tables (issue 9, "beyond one machine"): `chain_id` =
 * coalesce(clinic_id, nil UUID), the key audit_chain_heads already has. A distributed PostgreSQL
 * (Citus, by clinic) refuses NULL in a distribution column, and the platform chain's events have
 * clinic_id NULL; chain_id is the clinic's id for every clinic event, so distributing
 * audit_events, audit_event_payloads and audit_chain_heads by chain_id co-locates a clinic's
 * chain with the rest of its data (same value, same type, same hash), and the platform chain
 * lands on one shard of its own.
 *
 * GENERATED ALWAYS AS … STORED: the application's INSERTs stay as they are (it does not name the
 * column), and the table rewrite that adds it fires no row triggers, so the append-only
 * triggers (no update, no delete) stay enabled throughout. Redaction's UPDATE of a payload
 * recomputes the same value. Before distributing, the Citus step turns it into a plain column the
 * application writes (`ALTER … ALTER COLUMN chain_id DROP EXPRESSION` keeps every value, plus a
 * CHECK): Citus routes an INSERT by the distribution value named in the statement.
 *
 * The chain's uniqueness moves onto the key: UNIQUE (chain_id, clinic_seq) replaces
 * UNIQUE NULLS NOT DISTINCT (clinic_id, clinic_seq). The same rule (chain_id = clinic_id, or the
 * nil UUID exactly where clinic_id is NULL) in a form a distributed table accepts (a unique index
 * must contain the distribution column); the index count is unchanged, and the audit queries'
 * own index, audit_events_clinic_idx (clinic_id, clinic_seq), is untouched.
 */
export class AuditChainKey1768740000000 implements MigrationInterface {
  name = 'AuditChainKey1768740000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events ADD COLUMN chain_id uuid NOT NULL GENERATED ALWAYS AS (coalesce(clinic_id, ${PLATFORM})) STORED`);
    await q.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_chain_id_clinic_seq_key UNIQUE (chain_id, clinic_seq)`);
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_clinic_id_clinic_seq_key`);
    await q.query(`ALTER TABLE audit_event_payloads ADD COLUMN chain_id uuid NOT NULL GENERATED ALWAYS AS (coalesce(clinic_id, ${PLATFORM})) STORED`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_event_payloads DROP COLUMN chain_id`);
    await q.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_clinic_id_clinic_seq_key UNIQUE NULLS NOT DISTINCT (clinic_id, clinic_seq)`);
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_chain_id_clinic_seq_key`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN chain_id`);
  }
}
