import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';

export type SignalReport = components['schemas']['SignalReportDto'];
export type SignalRow = components['schemas']['SignalRowDto'];
export type SignalDimension = SignalRow['dimension'];
export type SignalCases = components['schemas']['SignalCasesDto'];
export type CourseReport = components['schemas']['CourseReportDto'];
export type CourseGroup = components['schemas']['CourseGroupDto'];

export const WINDOWS = [30, 90, 180, 365] as const;
export const DEFAULT_WINDOW = 90;

export const DIMENSION_LABELS: Record<SignalDimension, string> = {
  lot: 'Lot',
  product: 'Product',
  practitioner: 'Practitioner',
  technique: 'Technique',
  formula: 'Formula',
  clinic: 'Clinic period',
};

const TECHNIQUES: Record<string, string> = { manual: 'by hand', injector_gun: 'injector gun' };

/** The value in words: the practitioner's name, "This window against the previous one" for the clinic. */
export function valueLabel(r: { dimension: SignalDimension; value: string; label: string | null }): string {
  if (r.dimension === 'clinic') return 'This window against the previous one';
  if (r.dimension === 'technique') return TECHNIQUES[r.value] ?? r.value;
  return r.label ?? r.value;
}

export function windowFrom(param: string | null): number {
  const n = Number(param);
  return Number.isInteger(n) && n >= 1 && n <= 730 ? n : DEFAULT_WINDOW;
}

export function useSignals(windowDays: number) {
  return useQuery({
    queryKey: ['signals', windowDays],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/signals', { params: { query: { windowDays } }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useSignalCases(dimension: SignalDimension, value: string, windowDays: number) {
  return useQuery({
    queryKey: ['signals', 'cases', dimension, value, windowDays],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/signals/cases', { params: { query: { dimension, value, windowDays } }, signal })),
    enabled: !!value,
  });
}

export function useCourseReport(filter: { from?: string; to?: string }) {
  return useQuery({
    queryKey: ['reports', 'course', filter.from ?? '', filter.to ?? ''],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/reports/course', { params: { query: { from: filter.from || undefined, to: filter.to || undefined } }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** 0.123 → "12.3%"; null → "–". */
export function percent(x: number | null | undefined, digits = 1): string {
  if (x == null) return '–';
  const p = x * 100;
  return `${Number.isInteger(p) ? p : p.toFixed(digits)}%`;
}

/** A statistic rounded to two decimals; null → "–". */
export function stat(x: number | null | undefined): string {
  if (x == null) return '–';
  if (x >= 100) return x.toFixed(0);
  return String(Math.round(x * 100) / 100);
}
