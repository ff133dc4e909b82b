import { DynamicModule, Global, INestApplication, INestApplicationContext, Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';
import { AdverseEventsModule } from './adverse-events/adverse-events.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CheckInsModule } from './check-ins/check-ins.module';
import { ClinicsModule } from './clinics/clinics.module';
import { ConsoleModule } from './console/console.module';
import { CoursesModule } from './courses/courses.module';
import { Clock } from './common/clock';
import { useBodyGuards } from './common/body-guards';
import { ApiExceptionFilter } from './common/errors';
import { useHttpSecurity } from './common/http-security';
import { createAppLogger, requestLogging } from './common/logging';
import { Metrics } from './common/metrics';
import { assignRequestId, enterRequestContext } from './common/request-context';
import { StorableTextInterceptor } from './common/storable-text';
import { APP_CONFIG, AppConfig, loadConfig } from './config/app-config';
import { dataSourceOptions, runMigrationsAsOwner, serviceDatabaseUrl } from './database/data-source';
import { FlagsModule } from './flags/flags.module';
import { HealthModule } from './health/health.module';
import { MessagingModule } from './messaging/messaging.module';
import { OnCallModule } from './on-call/on-call.module';
import { PatientRightsModule } from './patient-rights/patient-rights.module';
import { PatientsModule } from './patients/patients.module';
import { ProtocolsModule } from './protocols/protocols.module';
import { RateLimitsModule } from './rate-limits/rate-limits.module';
import { ReportsModule } from './reports/reports.module';
import { ResponsesModule } from './responses/responses.module';
import { SignalsModule } from './signals/signals.module';
import { TimelineModule } from './timeline/timeline.module';
import { TreatmentsModule } from './treatments/treatments.module';
import { TriageModule } from './triage/triage.module';

/** The service's pino logger (src/common/logging.ts): request lines and Nest's own logs. */
export const APP_LOGGER = Symbol('APP_LOGGER');

/** Settings, time, the logger and the in-process metrics, available to every feature. */
@Global()
@Module({})
class CoreModule {
  static forRoot(config: AppConfig, clock: Clock, logger: Pino): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
        { provide: APP_LOGGER, useValue: logger },
        Metrics,
      ],
      exports: [APP_CONFIG, Clock, APP_LOGGER, Metrics],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, clock: Clock = new Clock()): DynamicModule {
    if (!config.databaseUrl) throw new Error('AppModule needs a database URL (resolve the embedded one first)');
    const logger = createAppLogger(config);
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, clock, logger),
        // useExisting: configureApp runs pino-http itself (first, so every request gets its line);
        // nestjs-pino binds each request's logger and uses `logger` outside requests.
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true }),
        TypeOrmModule.forRootAsync({
          // Migrations run as the owner first; the service's own connections then act as the restricted role.
          useFactory: async () => {
            if (config.migrationsRun) await runMigrationsAsOwner(config.databaseUrl!);
            // A login the service's sessions cannot RESET ROLE out of (see serviceDatabaseUrl).
            // Each feature module registers its own entities (TypeOrmModule.forFeature).
            return { ...dataSourceOptions(await serviceDatabaseUrl(config), config.databasePoolMax, config.databaseRole), autoLoadEntities: true };
          },
        }),
        ScheduleModule.forRoot(),
        RateLimitsModule,
        AuditModule,
        AuthModule,
        ClinicsModule,
        PatientsModule,
        ProtocolsModule,
        TreatmentsModule,
        CoursesModule,
        CheckInsModule,
        MessagingModule,
        FlagsModule,
        OnCallModule,
        TriageModule,
        ResponsesModule,
        TimelineModule,
        SignalsModule,
        ReportsModule,
        AdverseEventsModule,
        PatientRightsModule,
        HealthModule,
        ConsoleModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}

/** HTTP settings shared by main.ts and the tests, so tests exercise what runs. */
export function configureApp(app: INestApplication): void {
  const http = app as NestExpressApplication;
  const config = app.get<AppConfig>(APP_CONFIG);
  const metrics = app.get(Metrics);
  // Order matters: the id first (every response carries it), then the request's log line and
  // timing, the headers, the body parsers, and only then the request context (see request-context.ts).
  http.use(assignRequestId);
  http.use(requestLogging(app.get<Pino>(APP_LOGGER)));
  http.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      // The route pattern (/c/:token), never the path: tokens and ids would make a series per request.
      const routePath = (req.route as { path?: unknown } | undefined)?.path;
      const route = routePath ? `${req.baseUrl}${String(routePath)}` : 'unmatched';
      metrics.httpRequest(req.method, route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  });
  useHttpSecurity(http, config);
  useBodyGuards(http);
  http.use(enterRequestContext);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
    }),
  );
  app.useGlobalInterceptors(new StorableTextInterceptor());
  // No enableShutdownHooks(): main.ts owns SIGINT/SIGTERM (close the app, then stop the embedded
  // database); both closing the app ended its pool twice. app.close() runs the shutdown hooks either way.
  if (config.apiDocs) SwaggerModule.setup('docs', app, () => apiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
}

/** The OpenAPI document served at /docs and the one the console's client is generated from (npm run openapi). */
export function apiDocument(app: INestApplication): OpenAPIObject {
  const doc = new DocumentBuilder()
    .setTitle('Aftercare API')
    .setDescription('Post-treatment follow-up: patients, treatments, check-ins, flags and the audit log.')
    .setVersion('1')
    .addBearerAuth()
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .addCookieAuth('aftercare_session', { type: 'apiKey', in: 'cookie', name: 'aftercare_session' }, 'aftercare_session')
    .build();
  return SwaggerModule.createDocument(app, doc);
}

/** An application context without HTTP, for CLI commands. */
export async function createCliContext(overrides: Partial<AppConfig> = {}): Promise<INestApplicationContext> {
  const config = { ...loadConfig(), dispatchIntervalMs: 0, signalIntervalMs: 0, escalationIntervalMs: 0, migrationsRun: true, bootstrapOnStart: false, ...overrides };
  return NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
}
