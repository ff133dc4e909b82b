import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule, configureApp } from './app.module';
import { checkChannels, checkServiceConfig, ConfigError, loadConfig, unknownVariableWarnings } from './config/app-config';
import { resolveDatabase } from './database/connect';
import { requireAuditSigningKey } from './audit/signing-key';
import { EmbeddedDatabase, EmbeddedStartError } from './database/embedded';

function persistentSecret(file: string, fresh: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, fresh, { mode: 0o600 });
  return fresh;
}


/** The embedded database once started: stopped last, whatever ends the process. */
let database: EmbeddedDatabase | null = null;
async function stopDatabase(): Promise<void> {
  const db = database;
  database = null;
  await db?.stop().catch((err) => console.error(`Stopping the embedded PostgreSQL failed: ${err instanceof Error ? err.message : String(err)}`));
}

async function bootstrap(): Promise<void> {
  let config;
  let channels;
  try {
    config = loadConfig();
    requireAuditSigningKey(config);
    checkServiceConfig(config);
    channels = checkChannels(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = new Logger('Main');
  for (const line of unknownVariableWarnings()) logger.warn(line);
  const db = await resolveDatabase(config);
  database = db;
  // Shutdown, in order: stop claiming and drain the work held (bounded by SHUTDOWN_GRACE_MS;
  // the dispatcher's and the queue's beforeApplicationShutdown), close the HTTP server and the
  // pool (app.close), then stop the embedded database. A second signal stops at once.
  let app: NestExpressApplication | null = null;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) {
      logger.warn(`${signal} again: stopping now`);
      await stopDatabase();
      process.exit(130);
    }
    closing = true;
    logger.log(`${signal}: finishing the work under way (at most ${config.shutdownGraceMs} ms), then stopping`);
    // app.close() waits on open HTTP requests too: never longer than the grace period and a margin.
    const hard = setTimeout(() => {
      logger.error('Shutdown is taking too long: stopping the database and exiting');
      void stopDatabase().finally(() => process.exit(1));
    }, config.shutdownGraceMs + 15_000);
    hard.unref();
    try {
      await app?.close();
    } catch (err) {
      logger.error(`Closing the application failed: ${(err as Error)?.stack ?? err}`);
    }
    await stopDatabase();
    logger.log('Stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  if (config.jwtSecretGenerated && !config.databaseUrl) {
    // Embedded first run: keep the generated secret beside the data so logins survive a restart.
    config.jwtSecret = persistentSecret(path.join(config.dataDir, 'jwt-secret'), config.jwtSecret);
    config.jwtSecretGenerated = false;
  }
  // The same condition loadConfig uses for the devOutbox default: keep the two in step.
  const embeddedDatabase = !config.databaseUrl;
  app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ ...config, databaseUrl: db.url, embeddedDatabase }),
    // Held until the pino logger (JSON lines, or pretty on a terminal; LOG_LEVEL applies) takes over.
    { bufferLogs: true },
  );
  app.useLogger(app.get(PinoNestLogger));
  configureApp(app);
  if (closing) return;
  await app.listen(config.port, config.host);
  if (config.jwtSecretGenerated) logger.warn('JWT_SECRET is not set: a random one is used and logins end when the service restarts');
  logger.log(channels.live);
  for (const warning of channels.warnings) logger.warn(warning);
  logger.log(`Aftercare listening on ${config.host}:${config.port}, reached at ${config.publicBaseUrl} ${config.apiDocs ? ' (API docs at /docs)' : ''}`);
}

bootstrap().catch(async (err) => {
  // A start error of the embedded database says what PostgreSQL said and what to do: no stack.
  console.error(err instanceof EmbeddedStartError ? err.message : err);
  await stopDatabase();
  process.exit(1);
});
