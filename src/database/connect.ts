import { Logger } from '@nestjs/common';
import path from 'node:path';
import type { AppConfig } from '../config/app-config';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded';

/** DATABASE_URL when given; otherwise the persistent embedded PostgreSQL under DATA_DIR. */
export async function resolveDatabase(config: AppConfig): Promise<EmbeddedDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => undefined };
  const logger = new Logger('EmbeddedPostgres');
  const dataDir = path.join(config.dataDir, 'postgres');
  logger.log(`No DATABASE_URL: starting embedded PostgreSQL in ${dataDir} on port ${config.embeddedPgPort}`);
  try {
    return await startEmbeddedPostgres({ dataDir, port: config.embeddedPgPort, persistent: true });
  } catch (err) {
    const why = err instanceof Error ? err.message : 'no reason given (often: the port is taken)';
    throw new Error(`Could not start embedded PostgreSQL on port ${config.embeddedPgPort}: ${why}. Set EMBEDDED_PG_PORT or DATABASE_URL.`);
  }
}
