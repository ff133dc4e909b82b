import { createApiClient, unwrap, ApiError } from '../api/client';

// TODO: generated after merge. The session routes (engineer "auth") are not in this branch's
// OpenAPI document yet: these are the only hand-written API types in the console. Once they are
// in web/src/api/schema.d.ts, delete SessionPaths and the types below, use `api` from
// ../api/client, and take Session / SessionStaff from the generated components.

export type StaffRole = 'practitioner' | 'compliance' | 'admin';

export interface SessionStaff {
  id: string;
  clinicId: string;
  clinicName: string;
  email: string;
  name: string;
  role: StaffRole;
  mustChangePassword: boolean;
}

export interface Session {
  staff: SessionStaff;
  csrfToken: string;
}

type NoParams = { query?: never; header?: never; path?: never; cookie?: never };
type Json<T> = { headers: { [name: string]: unknown }; content: { 'application/json': T } };
type Empty = { headers: { [name: string]: unknown }; content?: never };
interface SessionPaths {
  '/v1/auth/session': {
    parameters: NoParams;
    get: { parameters: NoParams; requestBody?: never; responses: { 200: Json<Session>; 401: Json<unknown> } };
    post: {
      parameters: NoParams;
      requestBody: { content: { 'application/json': { email: string; password: string } } };
      responses: { 200: Json<Session>; 401: Json<unknown>; 429: Json<unknown> };
    };
    delete: { parameters: NoParams; requestBody?: never; responses: { 204: Empty } };
  };
  '/v1/auth/password': {
    parameters: NoParams;
    post: {
      parameters: NoParams;
      requestBody: { content: { 'application/json': { currentPassword: string; newPassword: string } } };
      responses: { 204: Empty; 400: Json<unknown>; 401: Json<unknown> };
    };
  };
}

const client = createApiClient<SessionPaths>();

/** The signed-in staff member, or null when there is no session (401). */
export async function getSession(): Promise<Session | null> {
  try {
    return await unwrap(client.GET('/v1/auth/session'));
  } catch (err) {
    if (err instanceof ApiError && err.statusCode === 401) return null;
    throw err;
  }
}

export function signIn(email: string, password: string): Promise<Session> {
  return unwrap(client.POST('/v1/auth/session', { body: { email, password } }));
}

export async function signOut(): Promise<void> {
  await unwrap(client.DELETE('/v1/auth/session'));
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  await unwrap(client.POST('/v1/auth/password', { body: { currentPassword, newPassword } }));
}
