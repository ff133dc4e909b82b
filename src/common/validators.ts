import { registerDecorator, ValidationOptions } from 'class-validator';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { isValidTimeZone } from '../check-ins/planner';

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
