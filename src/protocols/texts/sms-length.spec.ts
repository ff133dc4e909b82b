import { smsSegments } from '../../common/sms-segments';
import { aftercareInstructions, checkInSms, clarificationSms, helpSms, LOCALES, smsClinicName } from './index';

/**
 * The longest check-in a patient can realistically get: a clinic SMS name of 20 characters
 * (SMS_NAME_MAX), a given name of 20, the link with its 43-character token, and the last day of
 * the default protocol. Longer names, any script: sms-names.spec.ts.
 */
const worstCase = {
  clinicName: smsClinicName({ name: 'Klinik für Ästhetik am Seeufer' }).padEnd(20, 'x'),
  givenName: 'Maria-Magdalena Anne'.slice(0, 20),
  link: `https://aftercare.example.com/c/${'A'.repeat(43)}`,
  dayOffset: 60,
};
const longestPhone = '+491701234567890';

describe('SMS length in every language', () => {
  it('uses the worst case it claims', () => {
    expect(worstCase.clinicName).toHaveLength(20);
    expect(worstCase.givenName).toHaveLength(20);
    expect(worstCase.link).toHaveLength(75);
    expect(longestPhone).toHaveLength(16);
  });

  describe.each(LOCALES)('%s', (locale) => {
    it.each([
      ['check-in', false],
      ['reminder', true],
    ])('the %s SMS fits two GSM-7 segments', (_, reminder) => {
      const text = checkInSms(locale, worstCase, reminder);
      expect(text).toContain(worstCase.link);
      expect(smsSegments(text)).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    });

    it('the check-in SMS still fits two segments for a name outside GSM-7 (written plainly)', () => {
      const text = checkInSms(locale, { ...worstCase, givenName: 'Małgorzata Çağla Zoë' }, false);
      expect(text).toContain('Malgorzata Çagla Zoe');
      expect(smsSegments(text)).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    });

    it('the clarification and the HELP reply fit two segments', () => {
      expect(smsSegments(clarificationSms(locale, worstCase.clinicName)).segments).toBeLessThanOrEqual(2);
      expect(smsSegments(helpSms(locale, worstCase.clinicName, longestPhone)).segments).toBeLessThanOrEqual(2);
    });

    it('the aftercare instructions by SMS stay under six segments', () => {
      const { text } = aftercareInstructions(locale, {
        clinicName: worstCase.clinicName,
        clinicPhone: longestPhone,
        // The shipped body and face/scalp protocols.
        dayOffsets: [1, 3, 7, 14, 30, 60, 90],
        channel: 'sms',
      });
      expect(smsSegments(text).encoding).toBe('GSM-7');
      expect(smsSegments(text).segments).toBeLessThan(6);
    });
  });
});
