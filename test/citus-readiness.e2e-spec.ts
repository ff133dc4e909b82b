import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { SYSTEM } from '../src/common/actor';
import { AuditService } from '../src/audit/audit.service';
import { ChainVerifier } from '../src/audit/chain-verifier.service';
import { createTestApp, TestApp } from './support/app';
import { newClinic } from './support/factories';

/**
 * Beyond one machine (issue 9): the schema keeps the door to a distributed PostgreSQL (Citus,
 * distributed by clinic) open, checked against the migrated database's catalog rather than
 * promised. Every table is placed: distributed by its clinic (clinic_id NOT NULL, all in one
 * co-location group), distributed by its audit chain (chain_id NOT NULL = the clinic's id, or the
 * nil UUID for the platform chain: the same group), a reference table (copied to every node), a
 * table distributed by a key of its own (not clinic data), or local to the coordinator. A new table
 * that is none of these fails here with what to do.
 *
 * What Citus also demands and the schema does not yet give is listed below as named exceptions,
 * each with its reason and the step that removes it (unique keys and foreign keys between
 * distributed tables must contain the distribution column). A new key or foreign key that breaks
 * the rule fails; a listed one that no longer breaks it fails too, so the lists stay the truth.
 * BENCHMARKS.md ("Beyond one machine") gives the arithmetic of when this step is due.
 */

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

type Placement =
  | { kind: 'distributed'; column: string; group: 'clinic' | 'own'; why?: string }
  | { kind: 'reference'; why: string }
  | { kind: 'local'; why: string };

/** Tables of clinic data distributed by their audit chain: chain_id = coalesce(clinic_id, nil UUID) (migration 1768740000000). */
const BY_CHAIN: Record<string, string> = {
  audit_events: 'the platform chain has clinic_id NULL; chain_id is the clinic id for every clinic event',
  audit_event_payloads: 'beside its event (same key, same shard)',
  audit_chain_heads: 'one row per chain, keyed by chain_id from the start (migration 1767300000000)',
};

/** Tables without a NOT NULL clinic_id, and why that is right. Every other table must have one. */
const NOT_BY_CLINIC: Record<string, Placement> = {
  clinics: {
    kind: 'reference',
    why:
      'the tenants themselves: one small row per clinic, read by nearly every path (time zone, send window, escalation ' +
      'delays) and looked up across clinics by sender number (the SMS webhook) and by the scheduled passes; as a ' +
      'reference table each node holds a copy, so those joins and every clinic_id foreign key stay on the node. ' +
      'Writes (settings) are rare, so a write to every node is cheap',
  },
  protocols: {
    kind: 'reference',
    why:
      'the built-in protocols are shared by every clinic (clinic_id NULL) and a clinic may add versions of its own; ' +
      'insert-only, a few rows per clinic, read for every check-in and referenced by treatments.protocol_id: a ' +
      'reference table. Queries still filter by clinic (clinic_id = $1 OR clinic_id IS NULL)',
  },
  rate_limits: {
    kind: 'distributed',
    column: 'bucket',
    group: 'own',
    why:
      'counters per client address or sign-in account, counted before any clinic is known (the patient form, ' +
      'sign-in, webhooks): not clinic data. Every statement is by bucket, so distributed by bucket in a group of ' +
      'its own (not co-located, no joins); written on every counted request, so never a reference table',
  },
  migrations: { kind: 'local', why: "TypeORM's record of applied migrations: the coordinator's own bookkeeping" },
};

/**
 * Unique indexes (primary keys included) of distributed tables that lack the distribution
 * column, by table. Citus refuses them. Each names why it is so today and the Citus step.
 */
const ID_KEY = 'a single uuid id (gen_random_uuid: unique by construction); Citus step: PRIMARY KEY (clinic_id, id)';
const UNIQUE_WITHOUT_KEY: Record<string, Record<string, string>> = {
  api_keys: {
    api_keys_pkey: ID_KEY,
    api_keys_key_hash_key:
      'an API key is found by its hash before its clinic is known; Citus step: the key carries its clinic id ' +
      '(prefix) so the lookup is (clinic_id, key_hash), or a lookup table distributed by key_hash',
  },
  audit_checkpoints: { audit_checkpoints_pkey: ID_KEY },
  audit_events: {
    audit_events_pkey:
      'seq, the global insertion order (a bigserial); the chain itself is unique on (chain_id, clinic_seq). ' +
      'Citus step: PRIMARY KEY (chain_id, seq), payloads joined by (chain_id, event_seq)',
  },
  audit_event_payloads: { audit_event_payloads_pkey: 'event_seq, its event\'s seq; Citus step: PRIMARY KEY (chain_id, event_seq)' },
  check_in_tokens: {
    check_in_tokens_pkey:
      'token_hash: the patient\'s link is the credential and is looked up before its clinic is known; ' +
      'Citus step: the link carries the clinic id, or the token lookup becomes a table distributed by token_hash',
  },
  check_in_treatments: { check_in_treatments_pkey: 'a link table; Citus step: PRIMARY KEY (clinic_id, check_in_id, treatment_id)' },
  check_ins: {
    check_ins_pkey: ID_KEY,
    check_ins_treatment_step_key: "one live check-in per treatment step; Citus step: UNIQUE (clinic_id, treatment_id, step)",
  },
  flag_cases: { flag_cases_pkey: ID_KEY },
  flag_events: {
    flag_events_pkey: ID_KEY,
    flag_events_escalated_once_per_round: 'one escalation per flag and round; Citus step: put clinic_id first in the index',
  },
  flags: {
    flags_pkey: ID_KEY,
    flags_one_open_per_treatment_rule: 'one open flag per treatment and rule; Citus step: UNIQUE (clinic_id, treatment_id, rule_id) WHERE …',
  },
  messages: {
    messages_pkey: ID_KEY,
    messages_provider_id_key:
      "the provider's message id: delivery callbacks find their message by it before the clinic is known; Citus " +
      'step: the status callback URL carries the clinic id (then UNIQUE (clinic_id, provider_id)), or a lookup table by provider_id',
  },
  on_call_shifts: { on_call_shifts_pkey: ID_KEY },
  patients: { patients_pkey: ID_KEY },
  response_photo_data: { response_photo_data_pkey: "photo_id, its photo's id; Citus step: PRIMARY KEY (clinic_id, photo_id)" },
  response_photos: { response_photos_pkey: ID_KEY },
  responses: {
    responses_pkey: ID_KEY,
    responses_one_per_check_in: 'one answer per check-in; Citus step: UNIQUE (clinic_id, check_in_id) WHERE …',
  },
  signals: { signals_pkey: ID_KEY },
  staff_sessions: {
    staff_sessions_pkey: ID_KEY,
    staff_sessions_token_hash_key:
      'a browser session is found by its cookie before its clinic is known; Citus step: the cookie carries the clinic ' +
      'id (lookup by (clinic_id, token_hash)), or a lookup table by token_hash',
  },
  staff_users: { staff_users_pkey: ID_KEY },
  treatments: { treatments_pkey: ID_KEY },
};

/**
 * Foreign keys between distributed tables that do not carry the distribution column on both
 * sides (Citus wants (clinic_id, x_id) REFERENCES t (clinic_id, id)). All of them point at a
 * single-column id key above; the Citus step that makes those keys (clinic_id, id) rewrites these
 * as composite keys in the same migration. Foreign keys to reference tables (clinics, protocols)
 * are allowed as they are.
 */
const FK_WITHOUT_KEY: Record<string, string[]> = {
  api_keys: ['api_keys_created_by_fkey'],
  check_in_tokens: ['check_in_tokens_check_in_id_fkey'],
  check_in_treatments: ['check_in_treatments_check_in_id_fkey', 'check_in_treatments_treatment_id_fkey'],
  check_ins: ['check_ins_patient_id_fkey', 'check_ins_requested_by_flag_id_fkey', 'check_ins_treatment_id_fkey'],
  flag_cases: ['flag_cases_patient_id_fkey', 'flag_cases_treatment_id_fkey'],
  flag_events: ['flag_events_flag_id_fkey'],
  flags: [
    'flags_acknowledged_by_fkey',
    'flags_assessed_by_fkey',
    'flags_assignee_id_fkey',
    'flags_case_id_fkey',
    'flags_message_id_fkey',
    'flags_patient_id_fkey',
    'flags_resolved_by_fkey',
    'flags_response_id_fkey',
    'flags_treatment_id_fkey',
  ],
  messages: ['messages_check_in_id_fkey', 'messages_patient_id_fkey', 'messages_staff_user_id_fkey'],
  on_call_shifts: ['on_call_shifts_staff_user_id_fkey'],
  response_photo_data: ['response_photo_data_photo_id_fkey'],
  response_photos: ['response_photos_message_id_fkey', 'response_photos_patient_id_fkey', 'response_photos_response_id_fkey'],
  responses: ['responses_check_in_id_fkey', 'responses_message_id_fkey', 'responses_patient_id_fkey', 'responses_treatment_id_fkey'],
  staff_sessions: ['staff_sessions_staff_id_fkey'],
  treatments: ['treatments_patient_id_fkey', 'treatments_practitioner_id_fkey'],
};

interface TableRow {
  table: string;
  clinic_id_type: string | null;
  clinic_id_not_null: boolean | null;
  chain_id_type: string | null;
  chain_id_not_null: boolean | null;
  chain_id_rule: string | null;
}

/** Where each table of the database lives in the distributed layout, or why it has no place. */
function placementOf(t: TableRow): Placement | { kind: 'unplaced'; problem: string } {
  const listed = NOT_BY_CLINIC[t.table];
  if (listed) return listed;
  if (t.table in BY_CHAIN) {
    if (t.chain_id_type !== 'uuid' || !t.chain_id_not_null) {
      return { kind: 'unplaced', problem: `table ${t.table} is listed as distributed by chain_id but has no chain_id uuid NOT NULL` };
    }
    return { kind: 'distributed', column: 'chain_id', group: 'clinic' };
  }
  if (t.clinic_id_type === null) {
    return {
      kind: 'unplaced',
      problem: `table ${t.table} has no clinic_id: add clinic_id uuid NOT NULL REFERENCES clinics(id), or list it in NOT_BY_CLINIC (test/citus-readiness.e2e-spec.ts) as a reference, local or own-key table with a reason`,
    };
  }
  if (t.clinic_id_type !== 'uuid' || !t.clinic_id_not_null) {
    return {
      kind: 'unplaced',
      problem: `table ${t.table} has clinic_id ${t.clinic_id_type}${t.clinic_id_not_null ? '' : ' (nullable)'}: a distribution column must be uuid NOT NULL (Citus refuses NULL in it); make it NOT NULL, give the table a non-null chain key (see BY_CHAIN), or list it in NOT_BY_CLINIC with a reason`,
    };
  }
  return { kind: 'distributed', column: 'clinic_id', group: 'clinic' };
}

describe('Citus readiness: every table has its place in a distributed PostgreSQL', () => {
  let db: Client;
  let tables: TableRow[];
  const placed = new Map<string, Placement>();

  beforeAll(async () => {
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    tables = (
      await db.query<TableRow>(
        `SELECT c.relname AS table,
                format_type(ci.atttypid, ci.atttypmod) AS clinic_id_type, ci.attnotnull AS clinic_id_not_null,
                format_type(ch.atttypid, ch.atttypmod) AS chain_id_type, ch.attnotnull AS chain_id_not_null,
                coalesce(CASE WHEN ch.attgenerated = 's' THEN pg_get_expr(d.adbin, d.adrelid) END,
                         (SELECT pg_get_constraintdef(k.oid) FROM pg_constraint k
                           WHERE k.conrelid = c.oid AND k.contype = 'c' AND pg_get_constraintdef(k.oid) LIKE '%chain_id%')) AS chain_id_rule
           FROM pg_class c
           LEFT JOIN pg_attribute ci ON ci.attrelid = c.oid AND ci.attname = 'clinic_id' AND NOT ci.attisdropped
           LEFT JOIN pg_attribute ch ON ch.attrelid = c.oid AND ch.attname = 'chain_id' AND NOT ch.attisdropped
           LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = ch.attnum
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          ORDER BY c.relname`,
      )
    ).rows;
    for (const t of tables) {
      const p = placementOf(t);
      if (p.kind !== 'unplaced') placed.set(t.table, p);
    }
  });
  afterAll(() => db?.end());

  it('lists the tables, and each one carries clinic_id NOT NULL or is placed otherwise with a reason', () => {
    expect(tables.length).toBeGreaterThan(20);
    const problems = tables.map(placementOf).flatMap((p) => (p.kind === 'unplaced' ? [p.problem] : []));
    expect(problems).toEqual([]);
    // The lists name only tables that exist (a renamed or dropped table leaves no stale entry).
    const names = new Set(tables.map((t) => t.table));
    const stale = [...Object.keys(NOT_BY_CLINIC), ...Object.keys(BY_CHAIN)].filter((t) => !names.has(t)).map((t) => `${t} is listed in test/citus-readiness.e2e-spec.ts but is not a table: remove it`);
    expect(stale).toEqual([]);
    // A table that has a NOT NULL clinic_id is distributed by it, whatever a list says.
    const shouldBeDistributed = tables
      .filter((t) => t.table in NOT_BY_CLINIC && t.clinic_id_type === 'uuid' && t.clinic_id_not_null)
      .map((t) => `${t.table} now has clinic_id NOT NULL: remove it from NOT_BY_CLINIC (it is distributed by clinic_id)`);
    expect(shouldBeDistributed).toEqual([]);
  });

  it('clinic_id of every distributed table references clinics(id)', async () => {
    const { rows } = await db.query<{ table: string }>(
      `SELECT c.relname AS table FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'clinic_id'
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f' AND k.confrelid = 'clinics'::regclass
                            AND k.conkey = ARRAY[a.attnum])
        ORDER BY 1`,
    );
    expect(rows.map((r) => `${r.table}.clinic_id has no foreign key to clinics(id): add REFERENCES clinics(id)`)).toEqual([]);
  });

  it('the audit tables are keyed by chain: chain_id = coalesce(clinic_id, nil UUID), so a clinic\'s chain co-locates with its data', async () => {
    for (const table of Object.keys(BY_CHAIN)) {
      const t = tables.find((r) => r.table === table)!;
      expect({ table, type: t.chain_id_type, notNull: t.chain_id_not_null }).toEqual({ table, type: 'uuid', notNull: true });
      expect({ table, rule: t.chain_id_rule?.replace(/\s+/g, ' ') }).toEqual({ table, rule: expect.stringMatching(new RegExp(`COALESCE\\(clinic_id, '${NIL_UUID}'::uuid\\)`)) });
    }
    // And the rows say so: a clinic event's chain is its clinic, a platform event's the nil UUID.
    const { rows } = await db.query<{ table: string; n: number }>(
      `SELECT 'audit_events' AS table, count(*)::int AS n FROM audit_events WHERE chain_id IS DISTINCT FROM coalesce(clinic_id, $1::uuid)
       UNION ALL SELECT 'audit_event_payloads', count(*)::int FROM audit_event_payloads WHERE chain_id IS DISTINCT FROM coalesce(clinic_id, $1::uuid)
       UNION ALL SELECT 'audit_chain_heads', count(*)::int FROM audit_chain_heads WHERE chain_id IS DISTINCT FROM coalesce(clinic_id, $1::uuid)`,
      [NIL_UUID],
    );
    expect(rows.filter((r) => r.n > 0)).toEqual([]);
  });

  it('every unique key of a distributed table contains its distribution column, or is a listed exception with the Citus step', async () => {
    const { rows } = await db.query<{ table: string; index: string; columns: string[]; def: string }>(
      `SELECT t.relname AS table, i.relname AS index, pg_get_indexdef(x.indexrelid) AS def,
              array(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n ORDER BY k.o) AS columns
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relnamespace = 'public'::regnamespace AND x.indisunique
        ORDER BY 1, 2`,
    );
    const missing: string[] = [];
    const unexpected: string[] = [];
    for (const r of rows) {
      const p = placed.get(r.table);
      if (p?.kind !== 'distributed') continue;
      const lacks = !r.columns.includes(p.column);
      const listed = UNIQUE_WITHOUT_KEY[r.table]?.[r.index];
      if (lacks && !listed) {
        unexpected.push(
          `unique index ${r.index} on ${r.table} lacks ${p.column} (${r.def}): include ${p.column} in it (e.g. UNIQUE (${p.column}, …)), or list it in UNIQUE_WITHOUT_KEY with why and the Citus step`,
        );
      }
      if (!lacks && listed) missing.push(`unique index ${r.index} on ${r.table} now contains ${p.column}: remove it from UNIQUE_WITHOUT_KEY`);
    }
    const indexes = new Set(rows.map((r) => `${r.table}.${r.index}`));
    for (const [table, byIndex] of Object.entries(UNIQUE_WITHOUT_KEY)) {
      for (const index of Object.keys(byIndex)) if (!indexes.has(`${table}.${index}`)) missing.push(`${table}.${index} is listed in UNIQUE_WITHOUT_KEY but no longer exists: remove it`);
    }
    expect(unexpected).toEqual([]);
    expect(missing).toEqual([]);
  });

  it('foreign keys between distributed tables carry the distribution column on both sides, or are listed; none points from a reference table into a distributed one', async () => {
    const { rows } = await db.query<{ name: string; table: string; target: string; columns: string[]; target_columns: string[] }>(
      `SELECT k.conname AS name, t.relname AS table, r.relname AS target,
              array(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY c(n, o) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = c.n ORDER BY c.o) AS columns,
              array(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY c(n, o) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = c.n ORDER BY c.o) AS target_columns
         FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
        WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace
        ORDER BY 2, 1`,
    );
    const refused: string[] = [];
    const stale: string[] = [];
    const seen = new Set<string>();
    for (const fk of rows) {
      seen.add(`${fk.table}.${fk.name}`);
      const from = placed.get(fk.table);
      const to = placed.get(fk.target);
      if (!from || !to) continue; // an unplaced table fails the first test
      const listed = FK_WITHOUT_KEY[fk.table]?.includes(fk.name) ?? false;
      if (to.kind === 'distributed' && from.kind !== 'distributed') {
        refused.push(`foreign key ${fk.name}: ${from.kind} table ${fk.table} references distributed table ${fk.target}; Citus refuses this: make ${fk.table} distributed or drop the key`);
        continue;
      }
      if (from.kind !== 'distributed' || to.kind !== 'distributed') {
        if (listed) stale.push(`${fk.table}.${fk.name} points at a ${to.kind} table: remove it from FK_WITHOUT_KEY`);
        continue;
      }
      if (from.group !== to.group) {
        refused.push(`foreign key ${fk.name}: ${fk.table} and ${fk.target} are distributed in different co-location groups; Citus refuses it`);
        continue;
      }
      const i = fk.columns.indexOf(from.column);
      const carries = i >= 0 && fk.target_columns[i] === to.column;
      if (!carries && !listed) {
        refused.push(
          `foreign key ${fk.name} (${fk.table}(${fk.columns.join(', ')}) -> ${fk.target}(${fk.target_columns.join(', ')})) lacks the distribution column: make it (${from.column}, …) REFERENCES ${fk.target} (${to.column}, …), or list it in FK_WITHOUT_KEY`,
        );
      }
      if (carries && listed) stale.push(`${fk.table}.${fk.name} now carries ${from.column}: remove it from FK_WITHOUT_KEY`);
    }
    for (const [table, names] of Object.entries(FK_WITHOUT_KEY)) {
      for (const name of names) if (!seen.has(`${table}.${name}`)) stale.push(`${table}.${name} is listed in FK_WITHOUT_KEY but no longer exists: remove it`);
    }
    expect(refused).toEqual([]);
    expect(stale).toEqual([]);
  });
});

describe('the per-clinic chain never needs a cross-clinic lock', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' });
  });
  afterAll(() => t.close());

  it('src/audit takes no advisory lock: the chain lock is the chain head row, keyed by the clinic', async () => {
    const dir = path.join(__dirname, '../src/audit');
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .filter((f) => /pg_(try_)?advisory|lockKey\(|advisory-lock/.test(readFileSync(path.join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
    const [pk] = (await t.db.query(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'audit_chain_heads'::regclass AND contype = 'p'`,
    )) as Array<{ def: string }>;
    expect(pk.def).toBe('PRIMARY KEY (chain_id)');
  });

  it("one clinic's append completes while another clinic's chain head is locked; that clinic's own append waits for it", async () => {
    const a = await newClinic(t);
    const b = await newClinic(t);
    const audit = t.get(AuditService);
    const append = (clinicId: string) =>
      t.db.transaction((tx) => audit.record(tx, { clinicId, actor: SYSTEM, action: 'citus.lock_probe', entityType: 'clinic', entityId: clinicId }));
    const holder = new Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      const held = await holder.query(`SELECT seq FROM audit_chain_heads WHERE chain_id = $1 FOR NO KEY UPDATE`, [a.clinic.id]);
      expect(held.rowCount).toBe(1);
      const holderPid = ((await holder.query(`SELECT pg_backend_pid() AS pid`)).rows as Array<{ pid: number }>)[0].pid;

      // Clinic B's chain: done while A's head is held (were it waiting, this would not return).
      await append(b.clinic.id);

      // Clinic A's own append waits for the holder, and on nothing else.
      let aDone = false;
      const aAppend = append(a.clinic.id).then(() => (aDone = true));
      let blocked: number[] = [];
      while (!blocked.length) {
        const { rows } = await holder.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [holderPid]);
        blocked = rows.map((r) => r.pid);
        await new Promise((r) => setImmediate(r));
      }
      expect(aDone).toBe(false);
      const { rows: waits } = await holder.query<{ relation: string }>(
        `SELECT DISTINCT l.relation::regclass::text AS relation FROM pg_locks l WHERE l.pid = ANY($1::int[]) AND NOT l.granted`,
        [blocked],
      );
      // A row lock wait shows as a wait on the holder's transaction id (no relation), never an advisory lock.
      const advisory = await holder.query(`SELECT 1 FROM pg_locks WHERE pid = ANY($1::int[]) AND locktype = 'advisory'`, [blocked]);
      expect(advisory.rowCount).toBe(0);
      expect(waits.filter((w) => w.relation && w.relation !== 'audit_chain_heads')).toEqual([]);
      await holder.query('COMMIT');
      await aAppend;
    } finally {
      await holder.end();
    }
    const verifier = t.get(ChainVerifier);
    expect(await verifier.verify(a.clinic.id)).toMatchObject({ ok: true });
    expect(await verifier.verify(b.clinic.id)).toMatchObject({ ok: true });
    const probes = (await t.db.query(`SELECT clinic_id, chain_id FROM audit_events WHERE action = 'citus.lock_probe' ORDER BY seq`)) as Array<{ clinic_id: string; chain_id: string }>;
    expect(probes).toEqual([
      { clinic_id: b.clinic.id, chain_id: b.clinic.id },
      { clinic_id: a.clinic.id, chain_id: a.clinic.id },
    ]);
  });
});
