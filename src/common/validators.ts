import { registerDecorator, ValidationOptions } from 'class-validator';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { isValidTimeZone } from './time-zone';
import { UNSTORABLE_TEXT } from './storable-text';

/** A valid phone number already written in E.164 (+ and country code). */
export function isE164(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\+[1-9]\d{6,14}$/.test(value)) return false;
  const parsed = parsePhoneNumberFromString(value);
  return !!parsed && parsed.isValid() && parsed.number === value;
}

/** What Twilio sends from: an E.164 number or a messaging service SID (MG + 32 hex digits). */
export function isSmsSender(value: unknown): value is string {
  return isE164(value) || (typeof value === 'string' && /^MG[0-9a-fA-F]{32}$/.test(value));
}

export function IsE164(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isE164',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a valid phone number in E.164 format, e.g. +447700900123`, ...options },
      validator: { validate: isE164 },
    });
}

export function IsSmsSender(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isSmsSender',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a phone number in E.164 format or a Twilio messaging service SID (MG followed by 32 hex digits)`, ...options },
      validator: { validate: isSmsSender },
    });
}

export function IsTimeZone(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isTimeZone',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be an IANA time zone such as Europe/Paris`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isValidTimeZone(value) },
    });
}

/** 'HH:mm' on a 24-hour clock. */
export function IsLocalTime(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isLocalTime',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a local time as HH:mm`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(value) },
    });
}

/* Free text typed by people: one rule for every DTO text field (issue 10, hole 7). */

// Unicode bidi embedding/override (U+202A–U+202E) and isolate (U+2066–U+2069) controls reorder what a reader sees.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
// C0 controls other than tab/LF/CR, DEL and the C1 block; for single-line text tab, LF, CR (and U+2028/2029) too.
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
const LINE_BREAK = /[\r\n\u2028\u2029]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with `value` as text a person typed, or null when nothing is (non-strings are left to @IsString). */
export function textProblem(value: unknown, opts: { singleLine: boolean }): string | null {
  if (typeof value !== 'string') return null;
  if (!value.trim()) return 'must not be blank';
  if (LONE_SURROGATE.test(value)) return 'must not contain a lone surrogate (broken UTF-16)';
  if (BIDI_CONTROL.test(value)) return 'must not contain bidirectional override or isolate characters (U+202A–U+202E, U+2066–U+2069)';
  if (opts.singleLine && LINE_BREAK.test(value)) return 'must be a single line (no line breaks)';
  if ((opts.singleLine ? CONTROL_SINGLE_LINE : CONTROL_MULTI_LINE).test(value)) return 'must not contain control characters';
  return null;
}

function textDecorator(name: string, singleLine: boolean, options?: ValidationOptions & { each?: boolean }) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name,
      target: object.constructor,
      propertyName,
      options: {
        message: (args) => {
          const values: unknown[] = options?.each && Array.isArray(args.value) ? args.value : [args.value];
          // The same words as for a NUL anywhere else in a request (StorableTextInterceptor, the database's 22021).
          if (values.some((v) => typeof v === 'string' && v.includes('\u0000'))) return `${UNSTORABLE_TEXT} (a NUL character in ${args.property})`;
          const problem = values.map((v) => textProblem(v, { singleLine })).find((p) => p) ?? 'is not valid text';
          return `${args.property} ${problem}`;
        },
        ...options,
      },
      validator: { validate: (value: unknown) => textProblem(value, { singleLine }) === null },
    });
}

/** A name, reason or label: one line, not blank, no control, bidi-override or lone-surrogate characters. */
export function SingleLineText(options?: ValidationOptions) {
  return textDecorator('singleLineText', true, options);
}

/** Notes and other free text: line breaks and tabs allowed; otherwise as SingleLineText. */
export function PlainText(options?: ValidationOptions) {
  return textDecorator('plainText', false, options);
}
