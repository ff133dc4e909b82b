import type { Symptom, WarningSign } from '../questions';

/** The languages patients read; a patient's `locale` column holds one of these. */
export const LOCALES = ['en', 'de', 'fr', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export type ClosedState = 'unknown' | 'answered' | 'expired' | 'closed';
/** The warning signs a patient should call the clinic about; the seventh (airway) is an emergency, said apart. */
export type ClinicCallSign = Exclude<WarningSign, 'airway_swelling'>;

/**
 * Every word a patient reads, in one language. Each locale implements all of it, so a missing
 * text does not compile. Texts are plain (no HTML); `{name}` marks a value filled in when the
 * message is built, and each language uses the same ones as English (the spec checks).
 * SMS texts stay inside the GSM-7 alphabet, so a check-in fits in two segments.
 */
export interface Catalogue {
  day: {
    /** "one day" */
    one: string;
    /** "{n} days"; n may be a list ("1, 3 and 7") */
    many: string;
  };
  /** Joins the last two items of a list: "1, 3 and 7". */
  and: string;
  sms: {
    /** How to answer by SMS, in one line: five numbers in the parser's order. */
    replyFormat: string;
    checkIn: string;
    /** The check-in without the patient's name, when the name would not fit two SMS segments. */
    checkInNoName: string;
    reminder: string;
    clarification: string;
    help: string;
    helpWithPhone: string;
    /** Asks for just the scores a reply left out: {list} of missingScoreNames, {example} of them with numbers. */
    missingScores: string;
    /** Each symptom as the SMS reply parser reads it in this language, so the example works as a reply. */
    missingScoreNames: Record<Symptom, string>;
  };
  email: {
    subject: string;
    reminderSubject: string;
    greeting: string;
    intro: string;
    answerHere: string;
    button: string;
    linkNote: string;
    warning: string;
  };
  safety: {
    subject: string;
    thanks: string;
    callClinic: string;
    callClinicOnPhone: string;
    outOfHours: string;
    airway: string;
    airwayThenTell: string;
    airwayThenTellPhone: string;
    practitionerTold: string;
  };
  form: {
    title: string;
    intro: string;
    checkAnswers: string;
    /** Legends on the form. */
    symptoms: Record<Symptom, string>;
    levels: readonly [string, string, string, string, string];
    warningIntro: string;
    warningSigns: Record<WarningSign, string>;
    yes: string;
    no: string;
    freeText: string;
    submit: string;
  };
  formErrors: {
    chooseLevel: string;
    /** The symptom as it reads inside a sentence. */
    symptomInSentence: Record<Symptom, string>;
    answerYesNo: string;
    notText: string;
    tooLong: string;
    badCharacter: string;
    unknownFields: string;
  };
  thanks: {
    title: string;
    actNow: string;
    reached: string;
  };
  /** A patient page (/c, /u) refused by the rate limit (429): `{seconds}` until they may try again. */
  busy: { title: string; text: string };
  closed: Record<ClosedState, { title: string; text: string }>;
  /** The one-click unsubscribe page (/u/:token). */
  unsubscribe: {
    title: string;
    heading: string;
    text: string;
    button: string;
    doneTitle: string;
    doneText: string;
    notFoundTitle: string;
    notFoundText: string;
  };
  /** What staff read: alerts and escalations, in the clinic's staff language. */
  staff: {
    alertSubject: string;
    alertText: string;
    escalationSubject: string;
    escalationText: string;
    /** To a clinic's admins: a carrier filtered an SMS as spam ({clinic}, {code}, {messageId}). */
    smsFilteredSubject: string;
    smsFilteredText: string;
    /** To a clinic's admins, once: SMS cannot go out, no sender ({clinic}). */
    noSmsSenderSubject: string;
    noSmsSenderText: string;
    priorities: { urgent: string; high: string; normal: string; low: string };
    minute: string;
    minutes: string;
    hour: string;
    hours: string;
    day: string;
    days: string;
  };
  aftercare: {
    subject: string;
    intro: string;
    smsOpening: string;
    usualIntro: string;
    usual: { bruising: string; rednessBurningPain: string; itching: string };
    usualOutro: string;
    callIntro: string;
    callIntroPhone: string;
    signs: Record<ClinicCallSign, string>;
    emergency: string;
    checkIns: string;
    answerSms: string;
    answerEmail: string;
  };
  /** Photos with an answer: the invitation after a warning sign, the form's photo field and its refusals. */
  photos: {
    /** Added to the safety advice by SMS: the patient can answer with an MMS. */
    invite: string;
    label: string;
    hint: string;
    refused: { type: string; size: string; count: string; unreadable: string };
    again: string;
  };
}
