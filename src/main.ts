import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, configureApp } from './app.module';
import { checkChannels, checkServiceConfig, ConfigError, loadConfig } from './config/app-config';
import { resolveDatabase } from './database/connect';
import { requireAuditSigningKey } from './audit/signing-key';

function persistentSecret(file: string, fresh: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, fresh, { mode: 0o600 });
  return fresh;
}

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

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
  const db = await resolveDatabase(config);
  if (config.jwtSecretGenerated && !config.databaseUrl) {
    // Embedded first run: keep the generated secret beside the data so logins survive a restart.
    config.jwtSecret = persistentSecret(path.join(config.dataDir, 'jwt-secret'), config.jwtSecret);
    config.jwtSecretGenerated = false;
  }
  // The same condition loadConfig uses for the devOutbox default: keep the two in step.
  const embeddedDatabase = !config.databaseUrl;
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ ...config, databaseUrl: db.url, embeddedDatabase }),
    {
      logger: LEVELS.slice(0, LEVELS.indexOf(config.logLevel as LogLevel) + 1),
    },
  );
  app.set('trust proxy', 'loopback');
  configureApp(app);
  const stopDb = async () => {
    await db.stop().catch(() => undefined);
  };
  process.once('SIGINT', () => void app.close().then(stopDb).then(() => process.exit(0)));
  process.once('SIGTERM', () => void app.close().then(stopDb).then(() => process.exit(0)));
  await app.listen(config.port, config.host);
  if (config.jwtSecretGenerated) logger.warn('JWT_SECRET is not set: a random one is used and logins end when the service restarts');
  logger.log(channels.live);
  for (const warning of channels.warnings) logger.warn(warning);
  logger.log(`Aftercare listening on ${config.host}:${config.port}, reached at ${config.publicBaseUrl} (API docs at /docs)`);
}

bootstrap().catch((err) => {
  console.error(err);
  process.exit(1);
});
