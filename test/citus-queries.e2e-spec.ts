import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import ts from 'typescript';

/**
 * Beyond one machine (issue 9): every statement in src/ that touches clinic data filters by the
 * clinic, so that on a distributed PostgreSQL (Citus, by clinic_id) it is routed to the one shard
 * that holds the clinic instead of asking every node. Read statically: each SQL string in src/
 * (template literals and strings starting with SELECT, INSERT, UPDATE, DELETE or WITH, with the
 * constants they interpolate resolved from the file or from other files' exports) and each call
 * of TypeORM's repository API on an entity of clinic data (find*, exists*, count*, update,
 * delete, increment). A statement on a table that carries clinic_id (or chain_id, the audit
 * chain's key; or `id` on clinics itself) must name it; one that cannot is listed below by its
 * file and function, with the reason. INSERTs carry clinic_id in their columns (checked the same
 * way); statements on tables without clinic data (rate_limits, migrations) are not checked.
 *
 * A statement that fails here: add `clinic_id = $n` (the caller has the clinic), or, if it really
 * must cross clinics, list its function in CROSS_CLINIC with why and say so in a comment beside it.
 * A listed function that no longer has an unfiltered statement fails too: remove it from the list.
 */

/** Functions whose statements read or write across clinics on purpose, by `file#Class.method` (or `file#name`). */
const CROSS_CLINIC: Record<string, string> = {
  // Scheduled passes and queue claims: one instance serves every clinic; each row returned carries its clinic_id.
  'src/check-ins/check-in-dispatch.repository.ts#CheckInDispatchRepository.expireOverdue': 'the expiry pass over every clinic (RETURNING the clinic_id of each row)',
  'src/check-ins/check-in-dispatch.repository.ts#CheckInDispatchRepository.lockRemindersDue': 'the reminder pass over every clinic',
  'src/messaging/messages.repository.ts#MessagesRepository.byIds': "the message queue's claimed rows, by the ids just claimed",
  // Lookups by an unguessable credential or signed link: the row found says whose it is.
  'src/patients/patients.repository.ts#PatientsRepository.findByIdForUpdate': 'the one-click unsubscribe link carries only the patient id (HMAC-signed)',
  'src/patients/patients.repository.ts#PatientsRepository.localeOf': 'the unsubscribe page: the signed link carries only the patient id',
  'src/auth/auth.repository.ts#AuthRepository.sessionByTokenHash': 'a browser session found by its cookie (hashed): the credential names the clinic',
  'src/auth/auth.repository.ts#AuthRepository.activeApiKeyByHash': 'an API key found by its hash: the credential names the clinic',
  'src/clinics/clinics.repository.ts#ClinicsRepository.credentialOf': "a verified bearer token names only its subject (Citus step: the token carries the clinic id as a claim)",
  'src/signals/signals.repository.ts#SignalsRepository.clinicsWithTreatmentsSince': 'the scheduled signal detection pass: which clinics have anything to look at',
  'src/check-ins/check-ins.repository.ts#CheckInsRepository.checkInIdOfToken': "the patient's link: the token (its hash) is the credential, no clinic is known yet",
  'src/check-ins/check-ins.repository.ts#CheckInsRepository.findById': "the token's check-in, read before the clinic is known (the token is the credential)",
  // The SMS webhook finds the clinic by the number texted; the first run asks whether any clinic exists.
  'src/clinics/clinics.repository.ts#ClinicsRepository.clinicsBySender': 'the SMS webhook: which clinics send from the number the patient texted (clinics is a reference table)',
  'src/clinics/clinics.repository.ts#ClinicsRepository.countClinics': 'first-run bootstrap: whether any clinic exists yet',
  // A provider's callback names only its message; the row found says whose it is.
  'src/messaging/messages.repository.ts#MessagesRepository.lockForReport': "a provider's status callback names only the message (provider id, or ours)",
  // Operations metrics (/metrics, readiness): totals over every clinic, on a scrape's schedule.
  'src/health/operations.repository.ts#OperationsRepository': 'service-wide gauges (queue depth, oldest urgent flag, audit events appended): across clinics by definition',
};

interface Found {
  key: string;
  file: string;
  line: number;
  text: string;
  tables: string[];
  /** Whether the clinic is named as a condition (or, for an INSERT, as a column written). */
  filtered: boolean;
}

const ROOT = path.join(__dirname, '..');
const STATEMENT = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/;
const TABLE_REF = /\b(?:FROM|JOIN|INTO|UPDATE|USING)\s+([a-z_][a-z0-9_]*)\b(?!\s*\()/g;
/** clinic_id (or chain_id) in a condition: `x.clinic_id = …`, `… = x.clinic_id`, `clinic_id IN …`, `= ANY`. Selecting the column is not filtering by it. */
const FILTER = /\b(?:clinic_id|chain_id)\s*(?:=|IN\b|IS NOT DISTINCT FROM\b)|(?:=|IS NOT DISTINCT FROM)\s*[a-z_]*\.?(?:clinic_id|chain_id)\b/;
/** On clinics itself, the clinic is its id. */
const CLINICS_FILTER = /\b(?:[a-z]\.)?id\s*(?:=|IN\b)|\bclinic_id\s*=/;
/** An INSERT names the clinic in the columns it writes (INSERT … SELECT is read as a statement too). */
const INSERT_COLUMNS = /^\s*INSERT\s+INTO\s+[a-z_]+(?:\s+AS\s+[a-z_]+)?\s*\([^)]*\b(?:clinic_id|chain_id)\b/;
const TYPEORM_METHODS = new Set(['find', 'findBy', 'findOne', 'findOneBy', 'findOneOrFail', 'findOneByOrFail', 'findAndCount', 'findAndCountBy', 'exists', 'existsBy', 'count', 'countBy', 'update', 'delete', 'increment', 'decrement', 'softDelete']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.spec.ts') ? [p] : [];
  });
}

const parsed = sourceFiles(path.join(ROOT, 'src')).map((file) => ({
  file: path.relative(ROOT, file),
  sf: ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true),
}));

/** Top-level string constants of every file (`const X = '…'` / `` `…` ``): interpolated SQL fragments. */
const constants = new Map<string, ts.Expression>();
for (const { sf } of parsed) {
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer && (ts.isStringLiteral(d.initializer) || ts.isTemplateLiteral(d.initializer))) constants.set(d.name.text, d.initializer);
    }
  }
}

/** The SQL text of an expression, as far as it can be read statically (an unknown part reads «…»). */
function textOf(e: ts.Expression, depth = 0): string {
  if (depth > 8) return '«…»';
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isTemplateExpression(e)) return e.head.text + e.templateSpans.map((s) => textOf(s.expression, depth + 1) + s.literal.text).join('');
  if (ts.isParenthesizedExpression(e)) return textOf(e.expression, depth + 1);
  if (ts.isConditionalExpression(e)) return `${textOf(e.whenTrue, depth + 1)} ${textOf(e.whenFalse, depth + 1)}`;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return textOf(e.left, depth + 1) + textOf(e.right, depth + 1);
  if (ts.isIdentifier(e)) {
    const local = localInitializer(e);
    if (local) return textOf(local, depth + 1);
    if (constants.has(e.text)) return textOf(constants.get(e.text)!, depth + 1);
  }
  if (ts.isArrayLiteralExpression(e)) return e.elements.map((x) => textOf(x, depth + 1)).join(' ');
  // where.join(' AND '): the array's own elements (pushed conditions are added to them, never replace them).
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'join') return textOf(e.expression.expression, depth + 1);
  if (ts.isCallExpression(e)) {
    // A helper that builds a fragment (e.g. openCheckInSql('c')): its string arguments are part of the text.
    return `«${e.expression.getText()}(${e.arguments.map((a) => (ts.isStringLiteral(a) ? a.text : '…')).join(', ')})»`;
  }
  return `«${e.getText()}»`;
}

/** The initializer of a `const` of this name declared in an enclosing function (not a parameter). */
function localInitializer(id: ts.Identifier): ts.Expression | undefined {
  for (let n: ts.Node | undefined = id.parent; n && !ts.isSourceFile(n); n = n.parent) {
    if (!ts.isBlock(n)) continue;
    for (const st of n.statements) {
      if (!ts.isVariableStatement(st) || st.getStart() > id.getStart()) continue;
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === id.text && d.initializer) return d.initializer;
    }
  }
  return undefined;
}

/** `Class.method`, `function`, or the constant's name: where a statement is written. */
function ownerOf(node: ts.Node): string {
  const names: string[] = [];
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if ((ts.isMethodDeclaration(n) || ts.isFunctionDeclaration(n) || ts.isPropertyDeclaration(n) || ts.isGetAccessorDeclaration(n)) && n.name && ts.isIdentifier(n.name)) names.unshift(n.name.text);
    else if (ts.isClassDeclaration(n) && n.name) names.unshift(n.name.text);
    else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && ts.isSourceFile(n.parent.parent.parent)) names.unshift(n.name.text);
  }
  return names.join('.') || '(top level)';
}

/** Entity class → its table (`@Entity('table')`). */
const entityTables = new Map<string, string>();
for (const { sf } of parsed) {
  for (const st of sf.statements) {
    if (!ts.isClassDeclaration(st) || !st.name) continue;
    for (const m of ts.getDecorators(st) ?? []) {
      const call = m.expression;
      if (ts.isCallExpression(call) && call.expression.getText() === 'Entity' && call.arguments[0] && ts.isStringLiteral(call.arguments[0])) entityTables.set(st.name.text, call.arguments[0].text);
    }
  }
}

/** Every SQL statement and TypeORM repository call in src/, with the tables it names. */
function statements(): Found[] {
  const found: Found[] = [];
  for (const { file, sf } of parsed) {
    const visit = (node: ts.Node): void => {
      const at = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
      if ((ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isStringLiteral(node)) && !isInsideTemplate(node)) {
        const text = textOf(node);
        if (STATEMENT.test(text)) {
          const tables = [...text.matchAll(TABLE_REF)].map((m) => m[1]);
          const tablesTouched = tables.filter((t) => t !== 'clinics');
          const filtered = (tablesTouched.length ? FILTER : CLINICS_FILTER).test(text) || INSERT_COLUMNS.test(text);
          found.push({ key: `${file}#${ownerOf(node)}`, file, line: at(node), text: text.replace(/\s+/g, ' ').trim(), tables, filtered });
        }
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && TYPEORM_METHODS.has(node.expression.name.text)) {
        const target = node.expression.expression;
        let entity: string | undefined;
        let criteria: ts.Node | undefined;
        // x.getRepository(Entity).findOneBy({ … })
        if (ts.isCallExpression(target) && ts.isPropertyAccessExpression(target.expression) && target.expression.name.text === 'getRepository' && target.arguments[0] && ts.isIdentifier(target.arguments[0])) {
          entity = target.arguments[0].text;
          criteria = node.arguments[0];
        } else if (node.arguments[0] && ts.isIdentifier(node.arguments[0]) && entityTables.has(node.arguments[0].text)) {
          // manager.update(Entity, { … }, …)
          entity = node.arguments[0].text;
          criteria = node.arguments[1];
        }
        const table = entity && entityTables.get(entity);
        if (table) {
          const where = criteria?.getText() ?? '(no criteria)';
          const filtered = table === 'clinics' ? /\bid\s*:/.test(where) : /\bclinicId\b/.test(where);
          found.push({ key: `${file}#${ownerOf(node)}`, file, line: at(node), text: `${node.expression.name.text} ${table} ${where}`.replace(/\s+/g, ' '), tables: [table], filtered });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

/** A literal inside another template's `${…}` is part of that statement, read with it. */
function isInsideTemplate(node: ts.Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isTemplateSpan(n)) return true;
    if (ts.isBlock(n) || ts.isSourceFile(n)) return false;
  }
  return false;
}

describe('Citus readiness: every statement on clinic data filters by the clinic', () => {
  let clinicTables: Set<string>;
  let found: Found[];
  beforeAll(async () => {
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      // Tables of clinic data: those carrying clinic_id (NOT NULL or not: protocols' shared rows are NULL).
      const { rows } = await db.query<{ table: string }>(
        `SELECT c.relname AS table FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'clinic_id' AND NOT a.attisdropped
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')`,
      );
      clinicTables = new Set([...rows.map((r) => r.table), 'clinics']);
    } finally {
      await db.end();
    }
    found = statements();
  });

  it('finds the statements (the reader still understands the code)', () => {
    expect(found.length).toBeGreaterThan(150);
    // Interpolated constants (the audit log's filters) and conditions built in an array (the flags page) are read.
    expect(found.filter((f) => f.text.includes('FROM audit_events e WHERE e.clinic_id = $1')).map((f) => f.filtered)).toEqual([true, true]);
    expect(found.filter((f) => f.text.includes('FROM flags f WHERE f.clinic_id = $1')).length).toBeGreaterThan(1);
    // Selecting clinic_id is not filtering by it.
    expect(FILTER.test('SELECT id, clinic_id FROM messages WHERE provider_id = $1')).toBe(false);
    expect(FILTER.test('SELECT 1 FROM flags g JOIN flag_events x ON x.clinic_id = g.clinic_id')).toBe(true);
  });

  it('every statement that touches a table of clinic data names the clinic, or its function is a listed cross-clinic exception', () => {
    const unfiltered = found.filter((f) => f.tables.some((t) => clinicTables.has(t)) && !f.filtered);
    const problems = unfiltered
      .filter((f) => !CROSS_CLINIC[f.key] && !CROSS_CLINIC[f.key.replace(/\.[^.#]+$/, '')])
      .map((f) => `${f.file}:${f.line} (${f.key.split('#')[1]}) touches ${[...new Set(f.tables.filter((t) => clinicTables.has(t)))].join(', ')} without clinic_id: add clinic_id = $n, or list it in CROSS_CLINIC (test/citus-queries.e2e-spec.ts) with why — ${f.text.slice(0, 160)}`);
    expect(problems).toEqual([]);
    const stale = Object.keys(CROSS_CLINIC)
      .filter((k) => !unfiltered.some((f) => f.key === k || f.key.startsWith(`${k}.`)))
      .map((k) => `${k} is listed in CROSS_CLINIC but has no statement without clinic_id: remove it`);
    expect(stale).toEqual([]);
  });
});
