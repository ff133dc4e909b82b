import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource, runMigrationsAsOwner } from '../src/database/data-source';
import { AuditService } from '../src/audit/audit.service';
import { PLATFORM_CHAIN_ID } from '../src/audit/chain-hash';
import { SYSTEM } from '../src/common/actor';
import { asOwner } from './support/owner';
import { createTestApp, TestApp } from './support/app';
import { newClinic, newPatient, newTreatment } from './support/factories';

/** The owner's connection (a superuser in tests): what the triggers refuse even to it. */

describe('database roles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it("the service's own connections act as aftercare_app, not as the owner", async () => {
    const [row] = await t.db.query(`SELECT current_user AS role, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super`);
    expect(row).toEqual({ role: 'aftercare_app', super: false });
  });

  it('the service role is refused UPDATE, DELETE and TRUNCATE of the audit log by privilege, before any trigger', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c);
    await newTreatment(t, c, p.id);
    const [{ seq }] = await t.db.query(`SELECT seq FROM audit_events WHERE clinic_id = $1 ORDER BY clinic_seq LIMIT 1`, [c.clinic.id]);
    for (const sql of [
      `UPDATE audit_events SET action = 'x' WHERE seq = ${seq}`,
      `DELETE FROM audit_events WHERE seq = ${seq}`,
      `TRUNCATE audit_events CASCADE`,
      `UPDATE audit_checkpoints SET head_hash = 'x'`,
      `DELETE FROM flag_events`,
      `UPDATE responses SET pain = 0`,
      `DELETE FROM responses`,
      `UPDATE audit_event_payloads SET digest = 'x'`,
      `DELETE FROM audit_event_payloads`,
      `DELETE FROM migrations`,
      `UPDATE protocols SET name = 'x'`,
      `DELETE FROM protocols WHERE clinic_id IS NOT NULL`,
      // The adverse-event log's rows: changed by triage and erasure, never deleted.
      `DELETE FROM flags`,
      `DELETE FROM treatments`,
      `DELETE FROM patients`,
      `DELETE FROM messages`,
      `DELETE FROM check_ins`,
    ]) {
      await expect(t.db.query(sql)).rejects.toThrow(/permission denied/);
    }
    // What it needs still works: insert and read (the whole suite runs as this role).
    expect((await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE clinic_id = $1`, [c.clinic.id]))[0].n).toBeGreaterThan(0);
  });

  it('the owner (a superuser here) is refused by the triggers instead', async () => {
    const c = await newClinic(t);
    await asOwner(async (client) => {
      const [{ seq }] = (await client.query(`SELECT seq FROM audit_events WHERE clinic_id = $1 LIMIT 1`, [c.clinic.id])).rows;
      await expect(client.query(`UPDATE audit_events SET action = 'x' WHERE seq = $1`, [seq])).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM audit_events WHERE seq = $1`, [seq])).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE audit_events CASCADE`)).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE audit_event_payloads`)).rejects.toThrow(/append-only/);
    });
  });

  it('tables created by later migrations are granted to the service role automatically', async () => {
    await asOwner(async (client) => {
      await client.query(`CREATE TABLE roles_probe (id int PRIMARY KEY, v text)`);
      await client.query(`CREATE SEQUENCE roles_probe_seq`);
    });
    await t.db.query(`INSERT INTO roles_probe (id, v) VALUES (1, 'a')`);
    await t.db.query(`UPDATE roles_probe SET v = 'b' WHERE id = 1`);
    await t.db.query(`SELECT nextval('roles_probe_seq')`);
    await t.db.query(`DELETE FROM roles_probe`);
    await expect(t.db.query(`TRUNCATE roles_probe`)).rejects.toThrow(/permission denied/);
    await expect(t.db.query(`DROP TABLE roles_probe`)).rejects.toThrow(/must be owner/);
    await asOwner(async (client) => {
      await client.query(`DROP TABLE roles_probe`);
      await client.query(`DROP SEQUENCE roles_probe_seq`);
    });
  });

  it('the chain head table: the service moves a head only forward and cannot delete it; the triggers refuse the owner the same', async () => {
    const c = await newClinic(t);
    await newPatient(t, c);
    const [head] = await t.db.query(`SELECT seq::int AS seq, hash FROM audit_chain_heads WHERE chain_id = $1`, [c.clinic.id]);
    const [last] = await t.db.query(`SELECT clinic_seq::int AS seq, hash FROM audit_events WHERE clinic_id = $1 ORDER BY clinic_seq DESC LIMIT 1`, [c.clinic.id]);
    expect(head).toEqual(last);
    for (const sql of [`DELETE FROM audit_chain_heads WHERE chain_id = $1`, `TRUNCATE audit_chain_heads`, `UPDATE audit_chain_heads SET clinic_id = NULL WHERE chain_id = $1`]) {
      await expect(t.db.query(sql, sql.includes('$1') ? [c.clinic.id] : [])).rejects.toThrow(/permission denied/);
    }
    await expect(t.db.query(`UPDATE audit_chain_heads SET seq = seq - 1 WHERE chain_id = $1`, [c.clinic.id])).rejects.toThrow(/only moves forward/);
    await expect(t.db.query(`UPDATE audit_chain_heads SET hash = 'x' WHERE chain_id = $1`, [c.clinic.id])).rejects.toThrow(/only moves forward/);
    await asOwner(async (client) => {
      await expect(client.query(`DELETE FROM audit_chain_heads WHERE chain_id = $1`, [c.clinic.id])).rejects.toThrow(/only moves forward/);
      await expect(client.query(`UPDATE audit_chain_heads SET seq = 0 WHERE chain_id = $1`, [c.clinic.id])).rejects.toThrow(/only moves forward/);
      await expect(client.query(`TRUNCATE audit_chain_heads`)).rejects.toThrow(/append-only/);
    });
    // The hot path reads the head by its primary key, whatever the planner's statistics say.
    await asOwner(async (client) => {
      const plan = (await client.query(`EXPLAIN SELECT seq, hash FROM audit_chain_heads WHERE chain_id = $1 FOR NO KEY UPDATE`, [c.clinic.id])).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan using audit_chain_heads_pkey/);
    });
  });

  it('the platform chain (events with no clinic) has a head under the nil UUID', async () => {
    const audit = t.get(AuditService);
    await t.db.transaction((m) => audit.record(m, { clinicId: null, actor: SYSTEM, action: 'platform.probe', entityType: 'platform' }));
    await t.db.transaction((m) => audit.record(m, { clinicId: null, actor: SYSTEM, action: 'platform.probe', entityType: 'platform' }));
    const [head] = await t.db.query(`SELECT clinic_id, seq::int AS seq, hash FROM audit_chain_heads WHERE chain_id = $1`, [PLATFORM_CHAIN_ID]);
    const events = await t.db.query(`SELECT clinic_seq::int AS seq, hash FROM audit_events WHERE clinic_id IS NULL ORDER BY clinic_seq`);
    expect(events.map((e: { seq: number }) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
    expect(head).toEqual({ clinic_id: null, seq: events.length, hash: events[events.length - 1].hash });
  });

  it('the auditor role reads everything and changes nothing', async () => {
    const c = await newClinic(t);
    await asOwner(async (client) => {
      await client.query('BEGIN');
      try {
        await client.query('SET LOCAL ROLE aftercare_auditor');
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM audit_events WHERE clinic_id = $1`, [c.clinic.id]);
        expect(rows[0].n).toBeGreaterThan(0);
        await client.query(`SELECT count(*) FROM patients`);
        await expect(client.query(`UPDATE clinics SET name = 'x' WHERE id = '${c.clinic.id}'`)).rejects.toThrow(/permission denied/);
      } finally {
        await client.query('ROLLBACK');
      }
    });
  });
});

describe('a managed PostgreSQL: owner and service are ordinary logins (README steps)', () => {
  it('migrations run as a non-superuser owner; the service login acts as aftercare_app and is refused edits of the audit log', async () => {
    const suffix = randomBytes(4).toString('hex');
    const owner = `owner_${suffix}`;
    const service = `service_${suffix}`;
    const dbName = `managed_${suffix}`;
    const base = new URL(process.env.DATABASE_URL!);
    const urlFor = (user: string, db: string) => {
      const u = new URL(base.toString());
      u.username = user;
      u.password = 'pw-' + suffix;
      u.pathname = `/${db}`;
      return u.toString();
    };
    await asOwner(async (admin) => {
      // The provider's administrative user: CREATEROLE, not a superuser, for the owner.
      await admin.query(`CREATE ROLE ${owner} LOGIN PASSWORD 'pw-${suffix}' CREATEROLE`);
      await admin.query(`CREATE DATABASE ${dbName} OWNER ${owner}`);
    });
    try {
      await runMigrationsAsOwner(urlFor(owner, dbName));
      // The roles exist cluster-wide already (the template's migrations made them), so the administrator grants them.
      await asOwner(async (admin) => {
        await admin.query(`CREATE ROLE ${service} LOGIN PASSWORD 'pw-${suffix}' NOINHERIT`);
        await admin.query(`GRANT aftercare_app TO ${service}`);
      });
      const ds = await createDataSource(urlFor(service, dbName), 2, 'aftercare_app').initialize();
      try {
        expect((await ds.query(`SELECT current_user AS u, session_user AS s`))[0]).toEqual({ u: 'aftercare_app', s: service });
        const [clinic] = await ds.query(`INSERT INTO clinics (name, time_zone) VALUES ('Managed', 'Europe/Madrid') RETURNING id`);
        await ds.query(
          `INSERT INTO audit_events (clinic_id, clinic_seq, occurred_at, actor_type, action, entity_type, prev_hash, hash) VALUES ($1, 1, now(), 'system', 'x', 'clinic', 'a', 'b')`,
          [clinic.id],
        );
        await expect(ds.query(`UPDATE audit_events SET action = 'y'`)).rejects.toThrow(/permission denied/);
        await expect(ds.query(`DELETE FROM audit_events`)).rejects.toThrow(/permission denied/);
        await expect(ds.query(`TRUNCATE audit_events`)).rejects.toThrow(/permission denied/);
      } finally {
        await ds.destroy();
      }
      // The owner itself is refused by the triggers.
      const ownerClient = new Client({ connectionString: urlFor(owner, dbName) });
      await ownerClient.connect();
      try {
        await expect(ownerClient.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
      } finally {
        await ownerClient.end();
      }
    } finally {
      await asOwner(async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.query(`DROP ROLE IF EXISTS ${service}`);
        await admin.query(`DROP ROLE IF EXISTS ${owner}`);
      });
    }
  });
});
