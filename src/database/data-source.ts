import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

/** The one DataSource shape, shared by the app (via TypeOrmModule) and the CLI. */
export function dataSourceOptions(url: string, poolMax = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // A request waiting on an exhausted pool fails after 10 s instead of hanging forever.
    extra: { max: poolMax, connectionTimeoutMillis: 10_000 },
  };
}

export function createDataSource(url: string, poolMax?: number): DataSource {
  return new DataSource(dataSourceOptions(url, poolMax));
}
