import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, ApiError, unwrap } from '../api/client';
import type { components } from '../api/schema';

export type Patient = components['schemas']['PatientDto'];
export type TimelineItem = components['schemas']['TimelineDto']['items'][number];
export type CheckIn = components['schemas']['CourseCheckInDto'];
export type Protocol = components['schemas']['ProtocolDto'];

export const PAGE_SIZE = 20;

export const patientKeys = {
  search: (q: string, offset: number) => ['patients', 'search', q, offset] as const,
  one: (id: string) => ['patients', id] as const,
  timeline: (id: string) => ['patients', id, 'timeline'] as const,
};

export function usePatientSearch(q: string, offset: number) {
  return useQuery({
    queryKey: patientKeys.search(q, offset),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/patients', { params: { query: { q: q || undefined, limit: PAGE_SIZE, offset } }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function usePatient(id: string) {
  return useQuery({
    queryKey: patientKeys.one(id),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/patients/{id}', { params: { path: { id } }, signal })),
  });
}

export function useTimeline(id: string) {
  return useQuery({
    queryKey: patientKeys.timeline(id),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/patients/{id}/timeline', { params: { path: { id } }, signal })),
  });
}

export function useProtocols() {
  return useQuery({
    queryKey: ['protocols'],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/protocols', { signal })),
    staleTime: 10 * 60_000,
  });
}

/** The treatment areas the API accepts (its one list), for the picker. */
export function useBodyAreas() {
  return useQuery({
    queryKey: ['body-areas'],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/body-areas', { signal })),
    staleTime: 60 * 60_000,
  });
}

/** A 404 (unknown id, or another clinic's patient) is "not found", not an error to retry. */
export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.statusCode === 404;
}

/**
 * The API's 400 messages name the field first ("phone must be …"): each goes to its field; the rest
 * are shown above the form.
 */
export function fieldErrors(err: unknown, fields: readonly string[]): { byField: Record<string, string>; other: string[] } {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  if (!(err instanceof ApiError) || err.statusCode !== 400) return { byField, other };
  for (const m of err.messages) {
    const field = fields.find((f) => new RegExp(`^"?${f}\\b`).test(m) || new RegExp(`\\b${f}\\b`).test(m.split(' ').slice(0, 3).join(' ')));
    if (field && !byField[field]) byField[field] = sentence(m);
    else other.push(sentence(m));
  }
  return { byField, other };
}

function sentence(t: string): string {
  const s = t.trim();
  return s ? s[0].toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.') : s;
}

/** "30–39" from a birth year: staff see an age band, not an age. */
export function ageBand(birthYear: number | null, now = new Date()): string | null {
  if (!birthYear) return null;
  const age = now.getFullYear() - birthYear;
  if (age < 18) return 'under 18';
  const low = Math.floor(age / 10) * 10;
  return `${low}–${low + 9}`;
}

export function fullName(p: Pick<Patient, 'givenName' | 'familyName'>): string {
  return `${p.givenName} ${p.familyName}`.trim();
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));
export const formatDate = (iso: string) => dateOnly.format(new Date(iso));
