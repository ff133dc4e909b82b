import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

/**
 * The one DataSource shape, shared by the app (via TypeOrmModule) and the CLI. With `role`,
 * every pooled connection acts as that role from its start (`-c role=…`), so the service holds
 * only that role's privileges; without it (migrations, the CLI's owner work) the login's own.
 */
export function dataSourceOptions(url: string, poolMax = 20, role: string | null = null): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
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

export function createDataSource(url: string, poolMax?: number, role: string | null = null): DataSource {
  return new DataSource(dataSourceOptions(url, poolMax, role));
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
