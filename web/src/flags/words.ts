import type { components } from '../api/schema';

export type Priority = components['schemas']['CaseDto']['priority'];
export type Outcome = components['schemas']['ResolveCaseDto']['outcome'];

export const PRIORITIES: Priority[] = ['urgent', 'high', 'normal', 'low'];
export const PRIORITY_WORDS: Record<Priority, string> = { urgent: 'Urgent', high: 'High', normal: 'Normal', low: 'Low' };
export const STATUS_WORDS: Record<string, string> = { open: 'Open', acknowledged: 'Acknowledged', resolved: 'Resolved' };
export const RULES: Array<{ id: string; label: string }> = [
  { id: 'warning-sign', label: 'Warning sign' },
  { id: 'severe-symptom', label: 'Severe symptom' },
  { id: 'above-expected-course', label: 'Above the expected course' },
  { id: 'worsening', label: 'Worsening' },
  { id: 'persisting-symptom', label: 'Persisting symptom' },
  { id: 'late-onset', label: 'Late onset' },
  { id: 'unreadable-reply', label: 'Reply needs a person' },
  { id: 'stop-request', label: 'Asked to stop, in words' },
  { id: 'photo-without-answer', label: 'Photo without an answer' },
  { id: 'lost-to-follow-up', label: 'Lost to follow-up' },
];
export const OUTCOME_WORDS: Record<Outcome, string> = {
  no_action_needed: 'No action needed',
  advice_given: 'Advice given',
  seen_in_clinic: 'Seen in clinic',
  referred: 'Referred',
  reported_to_authority: 'Reported to the authority',
};
export const EVENT_WORDS: Record<string, string> = {
  raised: 'Raised',
  acknowledged: 'Acknowledged',
  assigned: 'Assigned',
  note: 'Note',
  resolved: 'Resolved',
  reopened: 'Reopened',
  evidence_added: 'More evidence',
  priority_raised: 'Priority raised',
  escalated: 'Escalated',
  extra_check_in_requested: 'Extra check-in asked for',
  assessed: 'Assessed',
};

/** "12 minutes", "3 hours", "2 days": how long something has waited. */
export function waited(since: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(since)) / 60_000));
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'}`;
  return `${Math.floor(hours / 24)} days`;
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

type Assess = components['schemas']['AssessFlagDto'];

/** A message's purpose in words. */
export const PURPOSE_WORDS: Record<string, string> = {
  check_in: 'Check-in',
  reminder: 'Reminder',
  safety_advice: 'Safety advice',
  clarification: 'Clarification',
  staff_alert: 'Staff alert',
  consent_reply: 'Consent reply',
  aftercare_instructions: 'Aftercare instructions',
  reply: 'Reply',
};
export const ROLE_WORDS: Record<string, string> = { practitioner: 'practitioner', admin: 'admin', compliance: 'compliance' };
// Words for the API's own values: Records over the generated types, so a value the API adds fails to compile here.
const choices = <K extends string>(words: Record<K, string>) => (Object.entries(words) as Array<[K, string]>).map(([id, label]) => ({ id, label }));
export const CAUSALITY = choices<Assess['causality']>({
  related: 'Related',
  possibly_related: 'Possibly related',
  unlikely_related: 'Unlikely related',
  unrelated: 'Unrelated',
});
export const SERIOUSNESS = choices<Assess['seriousness']>({ non_serious: 'Not serious', serious: 'Serious' });
export const CRITERIA = choices<NonNullable<Assess['seriousnessCriteria']>[number]>({
  death: 'Death',
  life_threatening: 'Life-threatening',
  hospitalisation: 'Hospitalisation',
  disability: 'Disability',
  congenital_anomaly: 'Congenital anomaly',
  medically_important: 'Medically important',
});
