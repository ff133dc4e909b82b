import { IANAZone } from 'luxon';

/**
 * Remembered per name: luxon checks a zone by building an Intl.DateTimeFormat, whose native
 * memory Node does not give back (20,000 checks grew the process by 400 MiB). Bounded, since
 * the names come from requests.
 */
const zoneValidity = new Map<string, boolean>();

/** Whether `zone` names an IANA time zone (Europe/Paris), as planning and validation read it. */
export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64) return false;
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneValidity.size >= 1000) zoneValidity.clear();
    zoneValidity.set(zone, valid);
  }
  return valid;
}
