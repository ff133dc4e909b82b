import { isGsm7, smsSegments, toGsm7IfPossible } from '../../common/sms-segments';
import { escapeHtml } from '../../web/layout';
import { Symptom, WARNING_SIGNS, WarningSign } from '../questions';
import { Catalogue, ClinicCallSign, isLocale, Locale } from './catalogue';
import { de } from './de';
import { en } from './en';
import { es } from './es';
import { fr } from './fr';

/**
 * Every word a patient or a staff member reads in a message is built here: patients' words
 * from the catalogue of their language, staff alerts from the catalogue of the clinic's staff
 * language. Every patient SMS keeps to two segments (SMS_SEGMENTS_MAX), whatever the names.
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

/** What every patient SMS but the aftercare instructions keeps to. */
export const SMS_SEGMENTS_MAX = 2;
/** The longest SMS name of a clinic (its `smsName`, or its name made short). */
export const SMS_NAME_MAX = 20;

/**
 * How patients' SMS name the clinic: its SMS name when set; else its name in plain letters
 * (GSM-7 look-alikes, other characters left out) cut at a word to SMS_NAME_MAX; "Aftercare" when
 * nothing of the name is left (a name in a script SMS cannot carry cheaply, and no SMS name set).
 */
export function smsClinicName(clinic: { name: string; smsName?: string | null }): string {
  if (clinic.smsName) return clinic.smsName;
  let plain = toGsm7IfPossible(clinic.name.normalize('NFC'));
  if (!isGsm7(plain)) {
    plain = Array.from(clinic.name.normalize('NFD').replace(/\p{M}/gu, ''))
      .map((c) => toGsm7IfPossible(c))
      .filter((c) => isGsm7(c) && c !== '\n' && c !== '\r')
      .join('');
  }
  plain = plain.replace(/\s+/g, ' ').trim();
  if (plain.length > SMS_NAME_MAX) {
    const cut = plain.slice(0, SMS_NAME_MAX + 1);
    const atWord = cut.lastIndexOf(' ');
    plain = (atWord >= 8 ? cut.slice(0, atWord) : plain.slice(0, SMS_NAME_MAX)).replace(/[\s,.;:-]+$/, '');
  }
  return /[\p{L}\p{N}]/u.test(plain) ? plain : 'Aftercare';
}

/** The first of the wordings (each made GSM-7 when it can be) that fits SMS_SEGMENTS_MAX; the last one otherwise. */
function fitting(...wordings: string[]): string {
  const texts = wordings.map(sms);
  return texts.find((t) => smsSegments(t).segments <= SMS_SEGMENTS_MAX) ?? texts[texts.length - 1];
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

/**
 * The check-in (or reminder) SMS. `clinicName` is the clinic's SMS name (smsClinicName); the
 * greeting goes without the patient's name when the name would not fit two segments (a long
 * name, or one in a script that turns the SMS into UCS-2).
 */
export function checkInSms(locale: string, t: CheckInText, reminder = false): string {
  const c = textsFor(locale);
  const values = { clinic: t.clinicName, name: t.givenName.trim(), day: dayPhrase(locale, t.dayOffset), replyFormat: c.sms.replyFormat, link: t.link };
  if (reminder) return fitting(fill(c.sms.reminder, values));
  return fitting(...(values.name ? [fill(c.sms.checkIn, values)] : []), fill(c.sms.checkInNoName, values));
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
  return fitting(fill(c.clarification, { clinic: clinicName, replyFormat: c.replyFormat }));
}

/** Example scores in the missing-scores request; varied so it reads as an example, not an answer. */
const EXAMPLE_SCORES = [1, 0, 2, 0, 1];

/** Asks for just the `missing` symptoms (in the order given), in words the SMS parser reads back. */
export function missingScoresSms(locale: string, clinicName: string, missing: readonly Symptom[]): string {
  const c = textsFor(locale);
  const names = missing.map((s) => c.sms.missingScoreNames[s]);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} ${c.and} ${names[names.length - 1]}` : (names[0] ?? '');
  const example = names.map((name, i) => `${name} ${EXAMPLE_SCORES[i]}`).join(' ');
  return fitting(fill(c.sms.missingScores, { clinic: clinicName, list, example }));
}

export function helpSms(locale: string, clinicName: string, clinicPhone: string | null): string {
  const c = textsFor(locale).sms;
  const values = { clinic: clinicName, phone: clinicPhone ?? '', replyFormat: c.replyFormat };
  return fitting(...(clinicPhone ? [fill(c.helpWithPhone, values)] : []), fill(c.help, values));
}

/**
 * Sent by email (`text`) or SMS (`sms`: the clinic's SMS name, in two segments; the thanks
 * left out when it would not fit), and shown on the form's thank-you page.
 */
export function safetyAdvice(
  locale: string,
  clinic: string | { name: string; smsName?: string | null },
  clinicPhone: string | null,
  signs: WarningSign[],
): { subject: string; text: string; sms: string } {
  const c = textsFor(locale).safety;
  const name = typeof clinic === 'string' ? clinic : clinic.name;
  const wording = (clinicName: string) => {
    const values = { clinic: clinicName, phone: clinicPhone ?? '' };
    const airway = signs.includes('airway_swelling');
    const first = airway ? c.airway : fill(clinicPhone ? c.callClinicOnPhone : c.callClinic, values);
    const rest = airway ? fill(clinicPhone ? c.airwayThenTellPhone : c.airwayThenTell, values) : c.outOfHours;
    return { thanks: fill(c.thanks, values), body: `${first} ${rest} ${c.practitionerTold}`, subject: fill(c.subject, values) };
  };
  const full = wording(name);
  const short = wording(smsClinicName(typeof clinic === 'string' ? { name: clinic } : clinic));
  return {
    subject: full.subject,
    text: `${full.thanks} ${full.body}`,
    sms: fitting(`${short.thanks} ${short.body}`, `${short.subject.replace(/[.:]?$/, ':')} ${short.body}`, short.body),
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

/** An alert to staff, in the clinic's staff language; the reason is the flag's own (English). */
export function staffAlert(input: {
  locale?: string | null;
  clinicName: string;
  priority: string;
  reason: string;
  flagUrl: string;
}): { subject: string; text: string } {
  const c = textsFor(input.locale).staff;
  const values = { clinic: input.clinicName, priority: priorityWord(c, input.priority), reason: input.reason, link: input.flagUrl };
  return { subject: fill(c.alertSubject, values), text: fill(c.alertText, values) };
}

/** To every practitioner and admin when no one acknowledged a flag in time, in the clinic's staff language. */
export function staffEscalation(input: {
  locale?: string | null;
  clinicName: string;
  priority: string;
  reason: string;
  flagUrl: string;
  /** How long it has waited, in milliseconds. */
  waitedMs: number;
}): { subject: string; text: string } {
  const c = textsFor(input.locale).staff;
  const values = { clinic: input.clinicName, priority: priorityWord(c, input.priority), reason: input.reason, link: input.flagUrl, waited: waitedWords(input.locale, input.waitedMs) };
  return { subject: fill(c.escalationSubject, values), text: fill(c.escalationText, values) };
}

function priorityWord(c: Catalogue['staff'], priority: string): string {
  return Object.hasOwn(c.priorities, priority) ? c.priorities[priority as keyof Catalogue['staff']['priorities']] : priority.toUpperCase();
}

/** "31 minutes", "2 hours", "1 day 3 hours" (in the locale): how long something has waited. */
export function waitedWords(locale: string | null | undefined, ms: number): string {
  const c = textsFor(locale).staff;
  const count = (n: number, one: string, many: string) => (n === 1 ? one : fill(many, { n }));
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return count(minutes, c.minute, c.minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return count(hours, c.hour, c.hours);
  const days = Math.floor(hours / 24);
  const dayWords = count(days, c.day, c.days);
  return hours % 24 ? `${dayWords} ${count(hours % 24, c.hour, c.hours)}` : dayWords;
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
