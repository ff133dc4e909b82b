import { toGsm7IfPossible } from '../../messaging/sms-segments';
import { escapeHtml } from '../../web/layout';
import { WARNING_SIGNS, WarningSign } from '../questions';
import { Catalogue, ClinicCallSign, isLocale, Locale } from './catalogue';
import { de } from './de';
import { en } from './en';
import { es } from './es';
import { fr } from './fr';

/**
 * Every word a patient or a staff member reads in a message is built here: patients' words
 * from the catalogue of their language, staff alerts in English.
 */

export { LOCALES, isLocale } from './catalogue';
export type { Catalogue, ClosedState, Locale } from './catalogue';

export const CATALOGUES: Record<Locale, Catalogue> = { en, de, fr, es };

/** The texts of a locale; English for anything else (an old row, a typo). */
export function textsFor(locale: string | null | undefined): Catalogue {
  return CATALOGUES[localeOf(locale)];
}

export function localeOf(locale: string | null | undefined): Locale {
  return isLocale(locale) ? locale : 'en';
}

/** Fills `{name}` placeholders in one pass, so a value that contains braces is left alone. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    if (!(key in values)) throw new Error(`No value for {${key}} in "${template}"`);
    return String(values[key]);
  });
}

/** SMS go out in GSM-7 when a plain look-alike makes that possible (a name with "ł" would triple the cost). */
function sms(text: string): string {
  return toGsm7IfPossible(text);
}

export interface CheckInText {
  clinicName: string;
  givenName: string;
  link: string;
  dayOffset: number;
}

export function dayPhrase(locale: string, dayOffset: number): string {
  const t = textsFor(locale);
  return dayOffset === 1 ? t.day.one : fill(t.day.many, { n: dayOffset });
}

export function smsReplyFormat(locale: string): string {
  return textsFor(locale).sms.replyFormat;
}

export function checkInSms(locale: string, t: CheckInText, reminder = false): string {
  const c = textsFor(locale);
  return sms(
    fill(reminder ? c.sms.reminder : c.sms.checkIn, {
      clinic: t.clinicName,
      name: t.givenName,
      day: dayPhrase(locale, t.dayOffset),
      replyFormat: c.sms.replyFormat,
      link: t.link,
    }),
  );
}

export function checkInEmail(locale: string, t: CheckInText, reminder = false): { subject: string; text: string; html: string } {
  const c = textsFor(locale).email;
  const values = { clinic: t.clinicName, name: t.givenName, day: dayPhrase(locale, t.dayOffset), link: t.link };
  const subject = fill(reminder ? c.reminderSubject : c.subject, values);
  const greeting = fill(c.greeting, values);
  const intro = fill(c.intro, values);
  const text = `${greeting}\n\n${intro}\n\n${fill(c.answerHere, values)}\n\n${c.linkNote}\n\n${c.warning}\n\n${t.clinicName}`;
  const html = `<p>${escapeHtml(greeting)}</p>
<p>${escapeHtml(intro)}</p>
<p><a href="${escapeHtml(t.link)}" style="display:inline-block;padding:12px 20px;background:#1f5fbf;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(c.button)}</a></p>
<p style="color:#555">${escapeHtml(c.linkNote)}</p>
<p>${escapeHtml(c.warning)}</p>
<p>${escapeHtml(t.clinicName)}</p>`;
  return { subject, text, html };
}

export function clarificationSms(locale: string, clinicName: string): string {
  const c = textsFor(locale).sms;
  return sms(fill(c.clarification, { clinic: clinicName, replyFormat: c.replyFormat }));
}

export function helpSms(locale: string, clinicName: string, clinicPhone: string | null): string {
  const c = textsFor(locale).sms;
  return sms(fill(clinicPhone ? c.helpWithPhone : c.help, { clinic: clinicName, phone: clinicPhone ?? '', replyFormat: c.replyFormat }));
}

/** Sent by SMS or email alike, and shown on the form's thank-you page. */
export function safetyAdvice(
  locale: string,
  clinicName: string,
  clinicPhone: string | null,
  signs: WarningSign[],
): { subject: string; text: string } {
  const c = textsFor(locale).safety;
  const values = { clinic: clinicName, phone: clinicPhone ?? '' };
  const airway = signs.includes('airway_swelling');
  const first = airway ? c.airway : fill(clinicPhone ? c.callClinicOnPhone : c.callClinic, values);
  const rest = airway ? fill(clinicPhone ? c.airwayThenTellPhone : c.airwayThenTell, values) : c.outOfHours;
  return {
    subject: fill(c.subject, values),
    text: `${fill(c.thanks, values)} ${first} ${rest} ${c.practitionerTold}`,
  };
}

export interface AftercareInput {
  clinicName: string;
  clinicPhone: string | null;
  /** Days after the treatment when check-ins come, e.g. [1, 3, 7, 14, 30, 60]. */
  dayOffsets: number[];
  channel: 'sms' | 'email';
}

const CALL_SIGNS = WARNING_SIGNS.filter((w): w is ClinicCallSign => w !== 'airway_swelling');

/**
 * The one message a patient gets when a treatment is recorded: what is usual in the coming
 * days, the warning signs to call about, the emergency, and when and how the check-ins come.
 */
export function aftercareInstructions(locale: string, input: AftercareInput): { subject: string; text: string; html?: string } {
  const t = textsFor(locale);
  const c = t.aftercare;
  const values = { clinic: input.clinicName, phone: input.clinicPhone ?? '' };
  const subject = fill(c.subject, values);
  const usual = [c.usual.bruising, c.usual.rednessBurningPain, c.usual.itching];
  const callIntro = fill(input.clinicPhone ? c.callIntroPhone : c.callIntro, values);
  const signs = CALL_SIGNS.map((w) => c.signs[w]);
  const checkIns = input.dayOffsets.length ? fill(c.checkIns, { when: daysList(locale, input.dayOffsets) }) : '';
  if (input.channel === 'sms') {
    const answer = fill(c.answerSms, { replyFormat: t.sms.replyFormat });
    const text = [
      fill(c.smsOpening, values),
      `${c.usualIntro} ${usual.join('; ')}.`,
      c.usualOutro,
      `${callIntro} ${signs.join('; ')}.`,
      c.emergency,
      checkIns && `${checkIns} ${answer}`,
    ]
      .filter(Boolean)
      .join(' ');
    return { subject, text: sms(text) };
  }
  const intro = fill(c.intro, values);
  const bullets = (items: string[]) => items.map((i) => `- ${i}`).join('\n');
  const when = checkIns && `${checkIns} ${c.answerEmail}`;
  const text = [intro, `${c.usualIntro}\n${bullets(usual)}\n${c.usualOutro}`, `${callIntro}\n${bullets(signs)}`, c.emergency, when, input.clinicName]
    .filter(Boolean)
    .join('\n\n');
  const list = (items: string[]) => `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  const html = [
    `<p>${escapeHtml(intro)}</p>`,
    `<p>${escapeHtml(c.usualIntro)}</p>${list(usual)}<p>${escapeHtml(c.usualOutro)}</p>`,
    `<p><strong>${escapeHtml(callIntro)}</strong></p>${list(signs)}`,
    `<p><strong>${escapeHtml(c.emergency)}</strong></p>`,
    when && `<p>${escapeHtml(when)}</p>`,
    `<p>${escapeHtml(input.clinicName)}</p>`,
  ]
    .filter(Boolean)
    .join('\n');
  return { subject, text, html };
}

/** "one day", "1, 3 and 7 days". */
function daysList(locale: string, dayOffsets: number[]): string {
  const t = textsFor(locale);
  if (dayOffsets.length === 1) return dayPhrase(locale, dayOffsets[0]);
  const head = dayOffsets.slice(0, -1).join(', ');
  return fill(t.day.many, { n: `${head} ${t.and} ${dayOffsets[dayOffsets.length - 1]}` });
}

/** Staff read English. */
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

/** To every practitioner and admin when no one acknowledged a flag in time. Staff read English. */
export function staffEscalation(input: {
  clinicName: string;
  priority: string;
  reason: string;
  flagUrl: string;
  /** How long it has waited, e.g. "30 minutes", "24 hours". */
  waited: string;
}): { subject: string; text: string } {
  const p = input.priority.toUpperCase();
  return {
    subject: `[${p}] Not acknowledged for ${input.waited}: Aftercare flag at ${input.clinicName}`,
    text: `ESCALATED: ${p} flag at ${input.clinicName} not acknowledged for ${input.waited}. ${input.reason} Open: ${input.flagUrl}`,
  };
}


/**
 * The best of our locales for an Accept-Language header ("de-CH,de;q=0.9,en;q=0.8"), English
 * when none fits: for pages shown before the patient is known (a link that matches nothing).
 */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale {
  if (!header) return 'en';
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { lang: tag.trim().toLowerCase().split('-')[0], q: q ? Number(q[1]) : 1, index };
    })
    .filter((r) => r.q > 0 && isLocale(r.lang))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.length ? (ranked[0].lang as Locale) : 'en';
}
