import { ApiError } from '../api/client';

/**
 * The service's 400 messages each begin with the path of the field they are about: `name must …`,
 * `shifts.0.start must …` (class-validator's nested form) or `shifts[0].start must …` (the
 * services' own checks) — both read as `shifts.0.start`. A message whose first word is not a
 * known field (the root of the path is checked against `roots`) is a form-level message.
 */
const PATH = /^"?([A-Za-z][A-Za-z0-9]*(?:\[\d+\]|\.\d+|\.[A-Za-z][A-Za-z0-9]*)*)"?(?=[\s:,]|$)/;

export function fieldPathOf(message: string): string | null {
  const m = PATH.exec(message.trim());
  return m ? m[1].replace(/\[(\d+)\]/g, '.$1') : null;
}

export interface FieldErrors {
  /** The first message for each field path. */
  byField: Record<string, string>;
  /** Messages about no field, or a field not on the form. */
  other: string[];
}

export function fieldErrorsOf(err: unknown, roots: readonly string[]): FieldErrors {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  if (!(err instanceof ApiError) || err.statusCode !== 400) return { byField, other };
  for (const message of err.messages) {
    const path = fieldPathOf(message);
    const root = path?.split('.')[0];
    if (path && root && roots.includes(root)) {
      byField[path] ??= atField(message, path);
      // "sendWindowStart and sendWindowEnd must differ" belongs to both.
      for (const r of roots) if (r !== root && new RegExp(`^${root} and ${r}\\b`).test(message)) byField[r] ??= sentence(message);
    } else other.push(sentence(message));
  }
  return { byField, other };
}

/**
 * Shown at its field, the message leaves out the path ("Must be a local time HH:mm") when what
 * follows reads on its own; otherwise it is kept whole ("sendWindowStart and sendWindowEnd must differ").
 */
function atField(message: string, path: string): string {
  const rest = message.trim().replace(/^"?[A-Za-z0-9.[\]]+"?[:\s]*/, '');
  return /^(must|is|has|should|cannot|may)\b/.test(rest) ? sentence(rest) : sentence(message);
}

function sentence(t: string): string {
  const s = t.trim();
  return s ? s[0].toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.') : s;
}
