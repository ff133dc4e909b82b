/**
 * Before and after of a clinical record's changed fields. Values may hold personal data, so an
 * audit event keeps only the field names in its chained `data`; the values go to the event's
 * redactable payload, whose digest the chain covers.
 */
export type FieldChanges = Record<string, { from: unknown; to: unknown }>;

/** The fields whose value differs between two versions of a record (compared as JSON). */
export function changedFields<T extends object>(before: T, after: T, fields: readonly (keyof T & string)[]): FieldChanges {
  const changes: FieldChanges = {};
  for (const field of fields) {
    const from = normalise(before[field]);
    const to = normalise(after[field]);
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
  }
  return changes;
}

function normalise(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return value;
}
