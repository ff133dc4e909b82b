import { smsSegments } from '../common/sms-segments';
import { combineReplies } from './sms-reply.parser';
import { SYMPTOMS, Symptom } from '../protocols/questions';
import { missingScoresSms } from '../protocols/texts/index';

const LOCALES = ['en', 'de', 'fr', 'es'] as const;
/** Where each language's example starts. */
const EXAMPLE_MARKER = { en: 'e.g. ', de: 'z.B. ', fr: 'par ex. ', es: 'p. ej. ' };
const CLINIC = 'Clinica Dermatologica Santa Barbara'; // a long name, as clinics have

/** Every way of leaving out some of the five, but not all: what a partial answer can be missing. */
const MISSING_SETS: Symptom[][] = Array.from({ length: 2 ** SYMPTOMS.length - 2 }, (_, i) => SYMPTOMS.filter((_s, bit) => ((i + 1) >> bit) & 1));

describe('missingScoresSms', () => {
  it.each(LOCALES)('%s: fits two GSM-7 segments for any set of missing symptoms', (locale) => {
    for (const missing of MISSING_SETS) {
      const text = missingScoresSms(locale, CLINIC, missing);
      const { encoding, segments } = smsSegments(text);
      expect({ missing, encoding, twoOrFewer: segments <= 2 }).toEqual({ missing, encoding: 'GSM-7', twoOrFewer: true });
    }
  });

  it.each(LOCALES)('%s: names the clinic and gives an example the parser reads as exactly the missing symptoms', (locale) => {
    for (const missing of MISSING_SETS) {
      const text = missingScoresSms(locale, CLINIC, missing);
      expect(text.startsWith(`${CLINIC}:`)).toBe(true);
      const example = text.slice(text.lastIndexOf(EXAMPLE_MARKER[locale]) + EXAMPLE_MARKER[locale].length);
      const read = combineReplies([example]);
      // The example fills exactly the missing ones, so combined with the rest it would complete the answer.
      const scored = read.kind === 'partial' || read.kind === 'scores' ? Object.keys(read.scores) : [];
      expect({ missing, scored: scored.sort() }).toEqual({ missing, scored: [...missing].sort() });
    }
  });

  it('names only the missing symptoms', () => {
    expect(missingScoresSms('en', 'Skin Clinic', ['itching', 'burning', 'pain'])).toBe(
      'Skin Clinic: thank you. Please also send itching, burning and pain, each as a number 0-4 (0 none, 4 very severe), e.g. itching 1 burning 0 pain 2',
    );
    const one = missingScoresSms('de', 'Hautklinik', ['redness']);
    expect(one).toContain('noch Rötung, je als Zahl');
    for (const other of ['Bluterguss', 'Juckreiz', 'Brennen', 'Schmerzen']) expect(one).not.toContain(other);
  });

  it('falls back to English for a locale it does not know', () => {
    expect(missingScoresSms('it', 'X', ['pain'])).toBe(missingScoresSms('en', 'X', ['pain']));
    expect(missingScoresSms('toString', 'X', ['pain'])).toBe(missingScoresSms('en', 'X', ['pain']));
  });
});
