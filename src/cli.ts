import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Clock } from './common/clock';
import { loadConfig, unknownVariableWarnings } from './config/app-config';
import { resolveDatabase } from './database/connect';
import { createDataSource } from './database/data-source';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migration:run                     apply pending migrations
  migration:revert                  undo the last migration
  migration:generate <Name>         write migrations/<timestamp>-<Name>.ts from entity changes
  clinic:create --name NAME --admin-email EMAIL --admin-password PASSWORD [--time-zone ZONE]
                [--phone E164] [--sms-from E164|MG…]
                                    create a clinic and its first admin
  audit:verify --clinic ID [--checkpoint FILE.json] [--public-key FILE.pem]
                                    verify the clinic's whole audit chain and check it against
                                    every stored checkpoint (and the exported one given) signed
                                    by the trusted key: the public key given, else the configured
                                    signing key (AUDIT_SIGNING_KEY, or on the embedded database the
                                    key the service keeps in DATA_DIR); prints the report as JSON;
                                    exits 0 if ok, 1 if broken or truncated, 3 if no trusted key
                                    is known (status unverifiable_truncation: a cut-off end
                                    cannot be ruled out), 2 on bad arguments`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  for (const line of unknownVariableWarnings()) console.warn(line);
  // Beside a running service on the same DATA_DIR, its embedded database is used.
  const db = await resolveDatabase(config, { attach: true });
  try {
    switch (command) {
      case 'migration:run':
      case 'migration:revert':
      case 'migration:generate':
        return await migrations(command, rest, db.url, config.databasePoolMax);
      case 'clinic:create':
        return await clinicCreate(rest, db.url);
      case 'audit:verify':
        // On the embedded database the CLI reads the signing key the service keeps in DATA_DIR.
        return await auditVerify(rest, db.url, !config.databaseUrl);
      default:
        console.error(`Unknown command: ${command}\n\n${USAGE}`);
        return 2;
    }
  } finally {
    await db.stop();
  }
}

async function migrations(command: string, args: string[], url: string, poolMax: number): Promise<number> {
  // Only generating compares against the entities: every feature's *.entity file, found by name
  // so that database/ imports no feature (the app registers them per module instead).
  const entities = command === 'migration:generate' ? [path.join(__dirname, '**', '*.entity.{ts,js}')] : [];
  const ds = await createDataSource(url, poolMax, null, entities).initialize();
  try {
    if (command === 'migration:run') {
      const ran = await ds.runMigrations({ transaction: 'each' });
      console.log(ran.length ? `Applied: ${ran.map((m) => m.name).join(', ')}` : 'No pending migrations');
    } else if (command === 'migration:revert') {
      await ds.undoLastMigration({ transaction: 'each' });
      console.log('Reverted the last migration');
    } else {
      const name = args[0];
      if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
        console.error('migration:generate needs a PascalCase name, e.g. AddFlagNotes');
        return 2;
      }
      const sql = await ds.driver.createSchemaBuilder().log();
      // Entities do not declare the hand-written indexes, constraints, defaults and triggers,
      // so TypeORM would drop them: keep only what adds or changes columns and tables.
      const noise = /DROP (CONSTRAINT|INDEX|DEFAULT|SEQUENCE)|SET DEFAULT|ADD CONSTRAINT|CREATE (UNIQUE )?INDEX|CREATE SEQUENCE/;
      sql.upQueries = sql.upQueries.filter((x) => !noise.test(x.query));
      sql.downQueries = sql.downQueries.filter((x) => !noise.test(x.query));
      if (!sql.upQueries.length) {
        console.log('No changes in the entities: nothing to generate');
        return 0;
      }
      const ts = new Clock().now().getTime();
      const q = (s: string) => '`' + s.replace(/`/g, '\\`') + '`';
      const body = `import { MigrationInterface, QueryRunner } from 'typeorm';

/** Generated: read it, edit it, then add it to migrations/index.ts. */
export class ${name}${ts} implements MigrationInterface {
  name = '${name}${ts}';

  async up(q: QueryRunner): Promise<void> {
${sql.upQueries.map((x) => `    await q.query(${q(x.query)});`).join('\n')}
  }

  async down(q: QueryRunner): Promise<void> {
${sql.downQueries.reverse().map((x) => `    await q.query(${q(x.query)});`).join('\n')}
  }
}
`;
      const file = path.join(__dirname, '..', 'migrations', `${ts}-${name}.ts`);
      writeFileSync(file, body);
      console.log(`Wrote ${file}; add it to migrations/index.ts`);
    }
    return 0;
  } finally {
    await ds.destroy();
  }
}

async function clinicCreate(args: string[], url: string): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password': { type: 'string' },
      'time-zone': { type: 'string' },
      phone: { type: 'string' },
      'sms-from': { type: 'string' },
    },
    strict: true,
  });
  if (!values.name || !values['admin-email'] || !values['admin-password']) {
    console.error('clinic:create needs --name, --admin-email and --admin-password');
    return 2;
  }
  const { passwordProblem } = await import('./common/password-policy');
  const weak = passwordProblem(values['admin-password'], [values['admin-email']]);
  if (weak) {
    console.error(`--admin-password: ${weak.replace(/^password /, '')}`);
    return 2;
  }
  process.env.DATABASE_URL = url;
  const { createCliContext } = await import('./app.module');
  const app = await createCliContext();
  try {
    const { ClinicsService } = await import('./clinics/clinics.service');
    const result = await app.get(ClinicsService).createClinicWithAdmin({
      name: values.name,
      timeZone: values['time-zone'] ?? 'Europe/London',
      adminEmail: values['admin-email'],
      adminPassword: values['admin-password'],
      phone: values.phone,
      smsFrom: values['sms-from'],
    });
    console.log(`Created clinic ${result.clinic.name} (${result.clinic.id}) with admin ${result.admin.email}`);
    return 0;
  } finally {
    await app.close();
  }
}

async function auditVerify(args: string[], url: string, embeddedDatabase: boolean): Promise<number> {
  const { values } = parseArgs({ args, options: { clinic: { type: 'string' }, checkpoint: { type: 'string' }, 'public-key': { type: 'string' } }, strict: true });
  if (!values.clinic || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values.clinic)) {
    console.error('audit:verify needs --clinic <clinic id (a UUID)>');
    return 2;
  }
  let checkpoint;
  if (values.checkpoint) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(readFileSync(values.checkpoint, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      console.error(`audit:verify: cannot read checkpoint ${values.checkpoint}: ${err instanceof Error ? err.message : err}`);
      return 2;
    }
    const fields = ['clinicId', 'clinicSeq', 'headHash', 'createdAt', 'signature', 'publicKey'] as const;
    const missing = fields.filter((f) => typeof parsed?.[f] !== 'string');
    if (missing.length) {
      console.error(`audit:verify: the checkpoint file needs string fields ${missing.join(', ')}`);
      return 2;
    }
    checkpoint = Object.fromEntries(fields.map((f) => [f, parsed[f] as string])) as Record<(typeof fields)[number], string>;
  }
  let trustedKey: string | undefined;
  if (values['public-key']) {
    try {
      trustedKey = readFileSync(values['public-key'], 'utf8');
    } catch (err) {
      console.error(`audit:verify: cannot read public key ${values['public-key']}: ${err instanceof Error ? err.message : err}`);
      return 2;
    }
  }
  process.env.DATABASE_URL = url;
  // Verifying needs no schedule (and, with --public-key, no signing key).
  process.env.AUDIT_CHECKPOINT_INTERVAL_MS = '0';
  const { createCliContext } = await import('./app.module');
  // Reading only: no migrations, so an auditor's login (DATABASE_ROLE=aftercare_auditor) can verify.
  const app = await createCliContext({ migrationsRun: false, embeddedDatabase });
  try {
    const { AuditCheckpointsService } = await import('./audit/checkpoints.service');
    const report = await app.get(AuditCheckpointsService).verifyTrusted(values.clinic, { checkpoint, trustedKey });
    console.log(JSON.stringify(report, null, 2));
    return report.ok ? 0 : report.status === 'unverifiable_truncation' ? 3 : 1;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
