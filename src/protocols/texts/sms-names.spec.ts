import fc from 'fast-check';
import { isGsm7, smsSegments } from '../../common/sms-segments';
import { SYMPTOMS, WARNING_SIGNS } from '../questions';
import { checkInSms, clarificationSms, helpSms, LOCALES, missingScoresSms, safetyAdvice, SMS_NAME_MAX, SMS_SEGMENTS_MAX, smsClinicName } from './index';

/**
 * Every patient SMS keeps to two segments for any name: the patient's given name in any script
 * and length (up to the 200 characters the API allows), the clinic's name up to its 200, with
 * or without an SMS name. The aftercare instructions are the one longer message (sms-length.spec).
 */

const range = (from: number, to: number) => fc.integer({ min: from, max: to }).map((c) => String.fromCodePoint(c));
/** Letters of one script: Latin with accents, Cyrillic, Greek, CJK, Arabic, Hebrew, Devanagari, Thai, emoji. */
const SCRIPTS = {
  latin: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'),
  latinAccents: fc.constantFrom(...'áàâäãåçéèêëíìîïñóòôöõøúùûüýÿłŁőűşğıčřžšđœæß'),
  cyrillic: range(0x0410, 0x044f),
  greek: range(0x0391, 0x03c9).filter((c) => c !== '\u03a2'),
  cjk: range(0x4e00, 0x9fff),
  arabic: range(0x0627, 0x064a),
  hebrew: range(0x05d0, 0x05ea),
  devanagari: range(0x0905, 0x0939),
  thai: range(0x0e01, 0x0e2e),
  emoji: range(0x1f600, 0x1f64f),
};
const anyScript = fc.constantFrom(...(Object.keys(SCRIPTS) as Array<keyof typeof SCRIPTS>));

/** A name: words of one or two scripts, separated by spaces, hyphens or apostrophes, up to `max` characters. */
function name(max: number) {
  return fc
    .tuple(anyScript, anyScript, fc.integer({ min: 1, max }))
    .chain(([a, b, length]) =>
      fc.array(fc.oneof({ weight: 8, arbitrary: fc.oneof(SCRIPTS[a], SCRIPTS[b]) }, { weight: 1, arbitrary: fc.constantFrom(' ', '-', "'") }), { minLength: 1, maxLength: length }),
    )
    .map((chars) => chars.join('').slice(0, max))
    .filter((n) => n.trim().length > 0);
}

/** Mostly the longest names, where the promise is hardest to keep. */
const givenName = fc.oneof(name(200), name(40), fc.constantFrom('Ana', 'Maria-Magdalena Anne', 'Małgorzata Çağla Zoë', 'Александра', 'Χριστίνα', '王秀英', 'فاطمة', 'x'.repeat(200)));
const clinicName = fc.oneof(name(200), fc.constantFrom('Klinik für Ästhetik am Seeufer', 'Clínica Dermatológica Santa Bárbara de los Ángeles y Asociados', 'A'.repeat(200), 'Клиника эстетической медицины', '美容皮肤科诊所'));
const gsmChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 &-\'.éèÉüöäñÜÖÄ');
const smsName = fc.option(fc.string({ unit: gsmChar, minLength: 1, maxLength: SMS_NAME_MAX }).filter((s) => s.trim().length > 0), { nil: null });
const phone = fc.option(fc.constantFrom('+491701234567890', '+34911234567', '+12025550123'), { nil: null });
const link = `https://aftercare.example.com/c/${'A'.repeat(43)}`;
const fits = (text: string) => smsSegments(text).segments <= SMS_SEGMENTS_MAX;

describe('every patient SMS within two segments, for any name', () => {
  it('the clinic SMS name is short and GSM-7 whatever the clinic is called', () => {
    fc.assert(
      fc.property(clinicName, smsName, (n, s) => {
        const used = smsClinicName({ name: n, smsName: s });
        expect(used.length).toBeLessThanOrEqual(SMS_NAME_MAX);
        expect(used.length).toBeGreaterThan(0);
        expect(isGsm7(used)).toBe(true);
        if (s) expect(used).toBe(s);
      }),
      { numRuns: 500 },
    );
    expect(smsClinicName({ name: 'Klinik für Ästhetik am Seeufer' })).toBe('Klinik für Ästhetik');
    expect(smsClinicName({ name: 'Клиника эстетической медицины' })).toBe('Aftercare');
    expect(smsClinicName({ name: 'Clinique Łódź 2' })).toBe('Clinique Lodz 2');
  });

  describe.each(LOCALES)('%s', (locale) => {
    it('check-ins and reminders: with the name when it fits, without it when not, always with the day count', () => {
      fc.assert(
        fc.property(givenName, clinicName, smsName, fc.constantFrom(1, 3, 7, 14, 30, 60, 90, 365), fc.boolean(), (given, clinic, s, day, reminder) => {
          const text = checkInSms(locale, { clinicName: smsClinicName({ name: clinic, smsName: s }), givenName: given, link, dayOffset: day }, reminder);
          expect(fits(text)).toBe(true);
          expect(text).toContain(link);
          expect(text).toContain(day === 1 ? '' : String(day));
        }),
        { numRuns: 300 },
      );
    });

    it('a short name in GSM-7 is kept in the greeting', () => {
      const text = checkInSms(locale, { clinicName: 'x'.repeat(SMS_NAME_MAX), givenName: 'Maria-Magdalena Anne', link, dayOffset: 60 });
      expect(text).toContain('Maria-Magdalena Anne');
      expect(fits(text)).toBe(true);
    });

    it('clarification, HELP, missing scores and safety advice', () => {
      fc.assert(
        fc.property(clinicName, smsName, phone, fc.subarray([...SYMPTOMS], { minLength: 1, maxLength: 4 }), fc.subarray([...WARNING_SIGNS], { minLength: 1 }), (clinic, s, p, missing, signs) => {
          const sms = smsClinicName({ name: clinic, smsName: s });
          expect(fits(clarificationSms(locale, sms))).toBe(true);
          expect(fits(helpSms(locale, sms, p))).toBe(true);
          expect(fits(missingScoresSms(locale, sms, missing))).toBe(true);
          const advice = safetyAdvice(locale, { name: clinic, smsName: s }, p, signs).sms;
          expect(fits(advice)).toBe(true);
          if (signs.includes('airway_swelling')) expect(advice).toMatch(/112/);
        }),
        { numRuns: 300 },
      );
    });
  });
});
