/**
 * The compliance pages' periods: whole days in UTC, both ends inclusive as a person reads them
 * ("from 1 Feb to 28 Feb"), kept in the URL as YYYY-MM-DD and sent to the API as instants with
 * the end exclusive (the next day's midnight).
 */
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isDay(s: string | null): s is string {
  return !!s && DAY.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

/** The instant a day starts (UTC). */
export function startOf(day: string): string {
  return `${day}T00:00:00Z`;
}

/** The instant after a day ends (UTC): the exclusive end the API takes. */
export function endOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().replace('.000Z', 'Z');
}

/** Search params without the empty ones. */
export function compact(values: Record<string, string | null | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => !!e[1]));
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function dateOnly(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });
}
