import { escapeHtml } from '../web/layout';
import { SEVERITY_LABELS, SYMPTOM_LABELS, SYMPTOMS, WARNING_SIGN_QUESTIONS, WarningSign } from './questions';

/** Every word a patient or a staff member reads in a message is written here. */

export interface CheckInText {
  clinicName: string;
  givenName: string;
  link: string;
  dayOffset: number;
}

export const SMS_REPLY_FORMAT =
  'Reply with 5 numbers 0-4 for bruising, redness, itching, burning, pain (0 none, 4 very severe), e.g. 1 0 2 0 1. Reply 0 if you have none.';

export function checkInSms(t: CheckInText, reminder = false): string {
  const opening = reminder ? `Reminder from ${t.clinicName}:` : `${t.clinicName}: hi ${t.givenName},`;
  return `${opening} how is your skin ${dayPhrase(t.dayOffset)} after your treatment? ${SMS_REPLY_FORMAT} Or answer here: ${t.link}`;
}

export function checkInEmail(t: CheckInText, reminder = false): { subject: string; text: string; html: string } {
  const subject = `${reminder ? 'Reminder: ' : ''}How are you ${dayPhrase(t.dayOffset)} after your treatment? (${t.clinicName})`;
  const intro = `Hello ${t.givenName},\n\nIt is ${dayPhrase(t.dayOffset)} since your treatment at ${t.clinicName}. Please tell us how your skin is: it takes a minute.`;
  const text = `${intro}\n\nAnswer here: ${t.link}\n\nThe link works once and expires after two days.\n\nIf you have a fever, pus, redness that is spreading, a new hard lump, blisters or skin turning dark, grey or white, call the clinic now. If your face, lips or throat swell or you find it hard to breathe, call emergency services.\n\n${t.clinicName}`;
  const html = `<p>Hello ${escapeHtml(t.givenName)},</p>
<p>It is ${escapeHtml(dayPhrase(t.dayOffset))} since your treatment at ${escapeHtml(t.clinicName)}. Please tell us how your skin is: it takes a minute.</p>
<p><a href="${escapeHtml(t.link)}" style="display:inline-block;padding:12px 20px;background:#1f5fbf;color:#fff;border-radius:6px;text-decoration:none">Answer the check-in</a></p>
<p style="color:#555">The link works once and expires after two days.</p>
<p>If you have a fever, pus, redness that is spreading, a new hard lump, blisters or skin turning dark, grey or white, call the clinic now. If your face, lips or throat swell or you find it hard to breathe, call emergency services.</p>
<p>${escapeHtml(t.clinicName)}</p>`;
  return { subject, text, html };
}

export function clarificationSms(clinicName: string): string {
  return `${clinicName}: sorry, we could not read that. ${SMS_REPLY_FORMAT}`;
}

export function helpSms(clinicName: string, clinicPhone: string | null): string {
  return `${clinicName} aftercare check-ins.${clinicPhone ? ` Call ${clinicPhone} for help.` : ''} ${SMS_REPLY_FORMAT} Reply STOP to stop texts.`;
}

export function safetyAdvice(clinicName: string, clinicPhone: string | null, signs: WarningSign[]): { subject: string; text: string } {
  const airway = signs.includes('airway_swelling');
  const first = airway
    ? 'Swelling of the face, lips or throat or difficulty breathing can be an emergency: call emergency services (112 / 999 / 911) now.'
    : `Please call ${clinicName}${clinicPhone ? ` on ${clinicPhone}` : ''} now.`;
  const rest = airway
    ? `Then tell ${clinicName}${clinicPhone ? ` (${clinicPhone})` : ''}.`
    : 'If it is out of hours or you feel very unwell, go to urgent care or call emergency services.';
  return {
    subject: `${clinicName}: please contact us now`,
    text: `${clinicName}: thank you for your answer. What you told us needs to be checked. ${first} ${rest} A practitioner has been told.`,
  };
}

export function staffAlert(input: {
  clinicName: string;
  priority: string;
  reason: string;
  flagUrl: string;
}): { subject: string; text: string } {
  return {
    subject: `[${input.priority.toUpperCase()}] Aftercare flag at ${input.clinicName}`,
    text: `${input.priority.toUpperCase()} flag at ${input.clinicName}: ${input.reason} Open: ${input.flagUrl}`,
  };
}

export function dayPhrase(dayOffset: number): string {
  return dayOffset === 1 ? 'one day' : `${dayOffset} days`;
}

export const FORM_TEXT = {
  title: 'How are you after your treatment?',
  symptomsLegend: (s: (typeof SYMPTOMS)[number]) => SYMPTOM_LABELS[s],
  levels: SEVERITY_LABELS,
  warningIntro: 'Do you have any of these?',
  warningSigns: WARNING_SIGN_QUESTIONS,
  freeText: 'Anything else you want to tell us (optional)',
  submit: 'Send my answers',
};
