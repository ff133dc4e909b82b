import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule, configureApp } from './app.module';
import { ConfigError, loadConfig } from './config/app-config';
import { resolveDatabase } from './database/connect';

function persistentSecret(file: string, fresh: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, fresh, { mode: 0o600 });
  return fresh;
}

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
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
    // Held until the pino logger (JSON lines, or pretty on a terminal; LOG_LEVEL applies) takes over.
    { bufferLogs: true },
  );
  app.useLogger(app.get(PinoNestLogger));
  configureApp(app);
  const stopDb = async () => {
    await db.stop().catch(() => undefined);
  };
  process.once('SIGINT', () => void app.close().then(stopDb).then(() => process.exit(0)));
  process.once('SIGTERM', () => void app.close().then(stopDb).then(() => process.exit(0)));
  await app.listen(config.port);
  if (config.jwtSecretGenerated) logger.warn('JWT_SECRET is not set: a random one is used and logins end when the service restarts');
  if (!config.smtpUrl || !config.twilio) {
    const missing = [!config.smtpUrl && 'SMTP_URL', !config.twilio && 'TWILIO_*'].filter(Boolean).join(' / ');
    logger.log(
      config.devOutbox
        ? `No ${missing}: those messages go to the dev outbox at ${config.publicBaseUrl}/dev/outbox`
        : `No ${missing}: those messages are stored unsent (DEV_OUTBOX is off, so /dev/outbox does not show them)`,
    );
  }
  logger.log(`Aftercare listening on ${config.publicBaseUrl}${config.apiDocs ? ' (API docs at /docs)' : ''}`);
}

bootstrap().catch((err) => {
  console.error(err);
  process.exit(1);
});
