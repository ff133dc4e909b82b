import { ApiError } from '../api/client';
import type { components } from '../api/schema';

export type Staff = components['schemas']['StaffDto'];
export type StaffRole = Staff['role'];
export type Clinic = components['schemas']['ClinicDto'];
export type UpdateClinic = components['schemas']['UpdateClinicDto'];
export type Shift = components['schemas']['OnCallShiftDto'];
export type Protocol = components['schemas']['ProtocolDto'];
export type PutProtocol = components['schemas']['PutProtocolDto'];
export type ProtocolUsage = components['schemas']['ProtocolUsageDto'];
export type ApiKey = components['schemas']['ApiKeyDto'];

export const ROLE_NAMES: Record<StaffRole, string> = { practitioner: 'Practitioner', compliance: 'Compliance', admin: 'Administrator' };
export const ROLE_OPTIONS = (Object.keys(ROLE_NAMES) as StaffRole[]).map((id) => ({ id, label: ROLE_NAMES[id] }));

export const adminKeys = {
  staff: ['admin', 'staff'] as const,
  clinic: ['admin', 'clinic'] as const,
  rota: ['on-call'] as const,
  protocols: ['protocols'] as const,
  versions: (key: string) => ['protocols', 'versions', key] as const,
  usage: ['protocols', 'usage'] as const,
  apiKeys: ['admin', 'api-keys'] as const,
};

/** Runs `call`; a 409 is given the page's own words (the service's are kept for the rest). */
export async function withConflictWords<T>(call: Promise<T>, words: string): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ApiError && err.statusCode === 409) throw new ApiError({ statusCode: 409, error: err.error, message: words });
    throw err;
  }
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const formatDateTime = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—');
