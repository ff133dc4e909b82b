import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { EmbeddedDatabase, EmbeddedStartError, startPersistentEmbedded } from './embedded';

/**
 * DATABASE_URL when given; otherwise the persistent embedded PostgreSQL under DATA_DIR (its
 * port, generated superuser password and log kept there). `attach` (the CLI) uses the database
 * of a service already running on the same DATA_DIR instead of refusing.
 */
export async function resolveDatabase(config: AppConfig, opts: { attach?: boolean } = {}): Promise<EmbeddedDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => undefined };
  const logger = new Logger('EmbeddedPostgres');
  try {
    const db = await startPersistentEmbedded({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      attach: opts.attach,
      log: (line) => logger.log(line),
      warn: (line) => logger.warn(line),
    });
    logger.log(`No DATABASE_URL: embedded PostgreSQL in ${db.pgdata} on 127.0.0.1:${db.port}`);
    return db;
  } catch (err) {
    if (err instanceof EmbeddedStartError) throw err;
    throw new EmbeddedStartError(`Could not start the embedded PostgreSQL: ${err instanceof Error ? err.message : String(err)}`);
  }
}
