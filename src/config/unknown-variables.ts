import { getMetadataStorage } from 'class-validator';
import { EnvironmentVariables } from './environment';

/** Prefixes of the service's variables: a name with one of them that the service does not know is probably a typo. */
const OUR_PREFIXES = [
  'DATABASE_', 'APP_DATABASE', 'SMTP_', 'TWILIO_', 'JWT_', 'BOOTSTRAP_', 'AUDIT_', 'EMAIL_', 'DEV_', 'PUBLIC_', 'DISPATCH_', 'ESCALAT',
  'SESSION_', 'S3_', 'SIGNAL_', 'SHUTDOWN_', 'EMBEDDED_', 'MIGRATION', 'ACCESS_TOKEN', 'LOG_', 'DATA_DIR', 'HOST_', 'PORT_', 'HTTP_PORT', 'LISTEN_',
];
/** Read by the tools around the service, not by it; never a typo of ours. */
const NOT_OURS = new Set(['DATABASE_URL_TEST', 'DEV_CONTAINER']);

/** Every variable the service reads: the properties of EnvironmentVariables (HOST too, handled at listen). */
export function knownVariables(): string[] {
  const props = getMetadataStorage()
    .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
    .map((m) => m.propertyName);
  return [...new Set([...props, 'HOST'])].sort();
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The known variable `name` was most likely meant to be, if any is close. */
export function closestVariable(name: string, known: string[] = knownVariables()): string | null {
  let best: { name: string; score: number } | null = null;
  for (const k of known) {
    // TWILIO_FROM_NUMBER → TWILIO_FROM; SMTP_URI → SMTP_URL; JWT_SECERT → JWT_SECRET.
    const contained = name.startsWith(k + '_') || k.startsWith(name + '_') ? 1 : Infinity;
    const score = Math.min(contained, editDistance(name, k));
    if (score <= Math.max(2, Math.floor(k.length / 4)) && (!best || score < best.score)) best = { name: k, score };
  }
  return best?.name ?? null;
}

/**
 * One warning line for each set variable that looks like one of the service's (by prefix) but
 * is not one it reads, naming the closest known one: a misspelled setting is otherwise silently
 * ignored and its default used.
 */
export function unknownVariableWarnings(env: NodeJS.ProcessEnv = process.env): string[] {
  const known = knownVariables();
  const set = new Set(known);
  return Object.keys(env)
    .filter((name) => env[name] !== undefined && !set.has(name) && !NOT_OURS.has(name) && OUR_PREFIXES.some((p) => name.startsWith(p)))
    .sort()
    .map((name) => {
      const near = closestVariable(name, known);
      return `Unknown environment variable ${name} is ignored${near ? `: did you mean ${near}?` : ''}`;
    });
}
