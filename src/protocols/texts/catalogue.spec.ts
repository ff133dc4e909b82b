import { isGsm7 } from '../../common/sms-segments';
import { WARNING_SIGNS } from '../questions';
import { CATALOGUES, LOCALES } from './index';

/** Texts a translation may share with English, by locale and path. */
const SAME_AS_ENGLISH: Record<string, string[]> = {
  de: ['staff.priorities.normal'],
  fr: ['staff.minute', 'staff.minutes'],
  es: ['form.no', 'staff.priorities.normal'],
};

/** Placeholders a translation may leave out, by locale and path, and why. */
const PLACEHOLDERS_LEFT_OUT: Record<string, Record<string, string[]>> = {};

/** Every string in a catalogue, by its path ("form.levels.2"). */
function leaves(value: unknown, path = ''): Array<[string, unknown]> {
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  }
  return [[path, value]];
}

const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

const english = new Map(leaves(CATALOGUES.en));

describe('the text catalogues', () => {
  it('cover exactly the locales a patient may have', () => {
    expect(Object.keys(CATALOGUES).sort()).toEqual([...LOCALES].sort());
  });

  it('have some English to compare with', () => {
    expect(english.size).toBeGreaterThan(80);
  });

  describe.each(LOCALES)('%s', (locale) => {
    const texts = new Map(leaves(CATALOGUES[locale]));

    it('has every text English has, and no other', () => {
      expect([...texts.keys()].sort()).toEqual([...english.keys()].sort());
    });

    it('has no missing or empty text', () => {
      const bad = [...texts].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
      expect(bad).toEqual([]);
    });

    it('has no text left in English', () => {
      if (locale === 'en') return;
      const allowed = SAME_AS_ENGLISH[locale] ?? [];
      const copied = [...texts].filter(([k, v]) => v === english.get(k) && !allowed.includes(k)).map(([k]) => k);
      expect(copied).toEqual([]);
    });

    it('fills in the same values as English', () => {
      const leftOut = PLACEHOLDERS_LEFT_OUT[locale] ?? {};
      const wrong = [...texts]
        .filter(([k, v]) => {
          const want = placeholders(String(english.get(k))).filter((p) => !(leftOut[k] ?? []).includes(p));
          return JSON.stringify(placeholders(String(v))) !== JSON.stringify(want);
        })
        .map(([k, v]) => `${k}: ${v}`);
      expect(wrong).toEqual([]);
    });

    it('writes its SMS texts in the GSM-7 alphabet, so they cost a third of UCS-2', () => {
      const sms = [...texts].filter(([k]) => k.startsWith('sms.') && !isGsm7(String(texts.get(k)))).map(([k, v]) => `${k}: ${v}`);
      expect(sms).toEqual([]);
    });

    it('asks about every warning sign on the form and names each in the aftercare instructions', () => {
      const c = CATALOGUES[locale];
      expect(Object.keys(c.form.warningSigns).sort()).toEqual([...WARNING_SIGNS].sort());
      // The seventh, swelling of the face, lips or throat, is the emergency sentence.
      expect(Object.keys(c.aftercare.signs).sort()).toEqual(WARNING_SIGNS.filter((w) => w !== 'airway_swelling').sort());
    });
  });
});
