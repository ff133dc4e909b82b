import { api, unwrap, ApiError } from '../api/client';
import type { components } from '../api/schema';

// The session routes, typed from the generated client (web/src/api/schema.d.ts).
export type Session = components['schemas']['SessionDto'];
export type SessionStaff = components['schemas']['SessionStaffDto'];
export type StaffRole = SessionStaff['role'];

/** The signed-in staff member, or null when there is no session (401). */
export async function getSession(): Promise<Session | null> {
  try {
    return await unwrap(api.GET('/v1/auth/session'));
  } catch (err) {
    if (err instanceof ApiError && err.statusCode === 401) return null;
    throw err;
  }
}

export type ClinicChoice = components['schemas']['ClinicChoiceItemDto'];

/** `clinicId` only when the person chose a clinic (or came by a clinic's sign-in link). */
export function signIn(email: string, password: string, clinicId?: string): Promise<Session> {
  return unwrap(api.POST('/v1/auth/session', { body: { email, password, ...(clinicId ? { clinicId } : {}) } }));
}

/**
 * The clinics to choose from when the email and password open accounts at more than one
 * (409 ClinicChoiceDto), else null.
 */
export function clinicsToChoose(err: unknown): ClinicChoice[] | null {
  if (!(err instanceof ApiError) || err.statusCode !== 409) return null;
  const clinics = (err.body as Partial<components['schemas']['ClinicChoiceDto']>).clinics;
  return Array.isArray(clinics) && clinics.length > 1 ? clinics : null;
}

export async function signOut(): Promise<void> {
  await unwrap(api.DELETE('/v1/auth/session'));
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  await unwrap(api.POST('/v1/auth/password', { body: { currentPassword, newPassword } }));
}
