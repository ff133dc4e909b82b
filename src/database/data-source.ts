import { Logger } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';

/**
 * The one DataSource shape, shared by the app (via TypeOrmModule) and the CLI. With `role`,
 * every pooled connection acts as that role from its start (`-c role=…`), so the service holds
 * only that role's privileges; without it (migrations, the CLI's owner work) the login's own.
 * No entities by default: the app's feature modules register their own (`forFeature`, the root
 * has `autoLoadEntities`), migrations need none, and `migration:generate` passes a glob.
 */
export function dataSourceOptions(url: string, poolMax = 20, role: string | null = null, entities: string[] = []): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // An id that is undefined (a missing claim, a missing field) must not drop its condition and match any row.
    invalidWhereValuesBehavior: { undefined: 'throw', null: 'throw' },
    // A request waiting on an exhausted pool fails after 10 s instead of hanging forever.
    extra: { max: poolMax, connectionTimeoutMillis: 10_000, ...(role ? { options: `-c role=${role}` } : {}) },
  };
}

export function createDataSource(url: string, poolMax?: number, role: string | null = null, entities: string[] = []): DataSource {
  return new DataSource(dataSourceOptions(url, poolMax, role, entities));
}

/** Applies pending migrations as the owner (DATABASE_URL), on a connection of its own. */
export async function runMigrationsAsOwner(ownerUrl: string): Promise<string[]> {
  const ds = await createDataSource(ownerUrl, 2).initialize();
  try {
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/**
 * The URL the service's pool connects with. `SET ROLE` (the `-c role=…` option) alone does not
 * hold a session whose login is a superuser or owns the tables: `RESET ROLE` (or `SET ROLE`
 * back) gives it all the owner's powers again, and `SET SESSION AUTHORIZATION` does not help
 * either (a session authenticated as a superuser may always reset it). Only a login without
 * those powers holds. So with no APP_DATABASE_URL, when the owner's login could escape, the
 * role itself (aftercare_app) is given LOGIN and a password derived from the owner's password
 * (HMAC-SHA256: every instance with the same DATABASE_URL derives the same one, and it reveals
 * nothing of the owner's), and the pool connects as it. Without that ability (no password in
 * DATABASE_URL, no right to alter the role, pg_hba refusing the login) it warns and keeps
 * today's SET ROLE.
 */
export async function serviceDatabaseUrl(config: { databaseUrl?: string; appDatabaseUrl?: string; databaseRole: string | null }): Promise<string> {
  const ownerUrl = config.databaseUrl!;
  if (config.appDatabaseUrl) return config.appDatabaseUrl;
  const role = config.databaseRole;
  if (!role) return ownerUrl;
  const logger = new Logger('Database');
  const owner = new Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    const [login] = (
      await owner.query<{ super: boolean; createrole: boolean; is_role: boolean; owns: boolean }>(
        `SELECT r.rolsuper AS super, r.rolcreaterole AS createrole, session_user = $1 AS is_role,
                EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid AND c.relnamespace = 'public'::regnamespace) AS owns
           FROM pg_roles r WHERE r.rolname = session_user`,
        [role],
      )
    ).rows;
    // Already the role, or a login with no powers of its own to go back to.
    if (!login || login.is_role || (!login.super && !login.owns)) return ownerUrl;
    const escape = `the service's sessions could RESET ROLE from ${role} back to ${owner.user}; set APP_DATABASE_URL to a login of the service's own (README: Database roles)`;
    const ownerPassword = new URL(ownerUrl).password;
    if (!ownerPassword) {
      logger.warn(`DATABASE_URL has no password to derive ${role}'s from: ${escape}`);
      return ownerUrl;
    }
    const password = createHmac('sha256', decodeURIComponent(ownerPassword)).update(`aftercare service login:${role}`).digest('base64url');
    const url = new URL(ownerUrl);
    url.username = role;
    url.password = password;
    const works = async () => {
      const c = new Client({ connectionString: url.toString() });
      try {
        await c.connect();
        return true;
      } catch {
        return false;
      } finally {
        await c.end().catch(() => undefined);
      }
    };
    if (await works()) return url.toString();
    if (login.super || login.createrole) {
      try {
        await owner.query(`ALTER ROLE ${owner.escapeIdentifier(role)} WITH LOGIN PASSWORD ${owner.escapeLiteral(password)}`);
      } catch (err) {
        // Another instance doing the same at the same moment ("tuple concurrently updated") is fine.
        logger.debug?.(`ALTER ROLE ${role}: ${(err as Error).message}`);
      }
      if (await works()) {
        logger.log(`The service connects as ${role} (a login of its own), so its sessions cannot RESET ROLE to the owner`);
        return url.toString();
      }
    }
    logger.warn(`Could not give ${role} a login (no right to alter it, or pg_hba refuses it): ${escape}`);
    return ownerUrl;
  } finally {
    await owner.end();
  }
}
