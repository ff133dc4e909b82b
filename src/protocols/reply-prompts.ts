/**
 * The SMS that asks a patient for the scores their reply left out ("bruising bad" → "please
 * also send redness, itching, burning and pain…"), in the patient's language. Apart from
 * texts.ts for now; it belongs in the per-language catalogues once they land. GSM-7 only, so
 * it stays within two SMS segments.
 */
import { Symptom } from './questions';

type PromptLocale = 'en' | 'de' | 'fr' | 'es';

interface MissingScoresText {
  /** Each symptom as the SMS reply parser reads it in this language, so the example works as a reply. */
  names: Record<Symptom, string>;
  and: string;
  text: (clinic: string, list: string, example: string) => string;
}

const MISSING_SCORES: Record<PromptLocale, MissingScoresText> = {
  en: {
    names: { bruising: 'bruising', redness: 'redness', itching: 'itching', burning: 'burning', pain: 'pain' },
    and: 'and',
    text: (clinic, list, example) => `${clinic}: thank you. Please also send ${list}, each as a number 0-4 (0 none, 4 very severe), e.g. ${example}`,
  },
  de: {
    names: { bruising: 'Bluterguss', redness: 'Rötung', itching: 'Juckreiz', burning: 'Brennen', pain: 'Schmerzen' },
    and: 'und',
    text: (clinic, list, example) => `${clinic}: danke. Bitte senden Sie noch ${list}, je als Zahl 0-4 (0 keine, 4 sehr stark), z.B. ${example}`,
  },
  fr: {
    // "brulure": the 1990 spelling, inside GSM-7 (û is not).
    names: { bruising: 'bleus', redness: 'rougeur', itching: 'démangeaisons', burning: 'brulure', pain: 'douleur' },
    and: 'et',
    text: (clinic, list, example) => `${clinic}: merci. Envoyez aussi ${list}, chacun avec un chiffre de 0 à 4 (0 aucun, 4 très fort), par ex. ${example}`,
  },
  es: {
    names: { bruising: 'moretones', redness: 'enrojecimiento', itching: 'picor', burning: 'ardor', pain: 'dolor' },
    and: 'y',
    text: (clinic, list, example) => `${clinic}: gracias. Mande también ${list}, cada uno de 0 a 4 (0 nada, 4 muy fuerte), p. ej. ${example}`,
  },
};

/** Example scores in the prompt; varied so it reads as an example, not an answer. */
const EXAMPLE_SCORES = [1, 0, 2, 0, 1];

/** Asks for just the `missing` symptoms (in the order given); an unknown locale gets English. */
export function missingScoresSms(locale: string, clinicName: string, missing: readonly Symptom[]): string {
  const t = MISSING_SCORES[(Object.hasOwn(MISSING_SCORES, locale) ? locale : 'en') as PromptLocale];
  const names = missing.map((s) => t.names[s]);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} ${t.and} ${names[names.length - 1]}` : (names[0] ?? '');
  const example = names.map((name, i) => `${name} ${EXAMPLE_SCORES[i]}`).join(' ');
  return t.text(clinicName, list, example);
}
