/**
 * Words that name a warning sign in free text, in English, German, French and Spanish, and where
 * each mention sits in the (folded) text. Whether a mention is negated or hedged is read by
 * sign-reader.ts, which the SMS parser and the rules use.
 */
import { LexiconLanguage, phrasesPattern } from './free-text';
import { WARNING_SIGNS, WarningSign } from './questions';

/**
 * Words and fixed phrases, written as people spell them (accents and umlauts are folded when
 * matching, so "fievre", "Schuettelfrost" and "fiebre" match too). Each one alone means the sign.
 */
export const WARNING_SIGN_WORDS: Record<WarningSign, Record<LexiconLanguage, readonly string[]>> = {
  fever: {
    // Typos as patients type them ("fevr", "temprature", "Fiber") and the thermometer face.
    en: ['fever', 'fevers', 'fevered', 'feverish', 'temperature', 'chills', 'shivers', 'shivering', 'shivery', 'fevr', 'feaver', 'fevor', 'fver', 'feverr', 'temprature', 'temperture', 'tempreture', 'high temp', 'chils', '🤒'],
    de: ['Fieber', 'fiebrig', 'fiebrige', 'Schüttelfrost', 'Temperatur', 'erhöhte Temperatur', 'Frösteln', 'Fiber', 'Fieba', 'Fiebr', 'Schuttelfrost', 'Schüttelfrost'],
    fr: ['fièvre', 'fiévreux', 'fiévreuse', 'fébrile', 'frissons', 'température', 'fievr', 'fiévre', 'fiève', 'frisson'],
    es: ['fiebre', 'febril', 'escalofríos', 'escalofrío', 'temperatura', 'calentura', 'fiebr', 'fibre', 'calenturas'],
  },
  discharge: {
    en: ['pus', 'discharge', 'discharges', 'discharging', 'ooze', 'oozes', 'oozed', 'oozing', 'weeping', 'puss', 'dischage', 'discharg', 'oozin', 'ozing'],
    de: ['Eiter', 'eitert', 'eitern', 'eitrig', 'eitrige', 'eitriger', 'eitriges', 'Ausfluss', 'nässt', 'nässen', 'nässend', 'Sekret', 'Flüssigkeit tritt aus', 'Flüssigkeit läuft raus'],
    fr: ['pus', 'écoulement', 'écoulements', 'suinte', 'suintent', 'suintement', 'suinter', 'liquide qui coule', 'liquide qui sort'],
    es: ['pus', 'supura', 'supuración', 'supurando', 'supurar', 'secreción', 'sale líquido', 'líquido que sale'],
  },
  spreading_redness: {
    en: ['red streak', 'red streaks', 'streak of red', 'streaks of red', 'spreading redness', 'redness spreading'],
    de: ['roter Streifen', 'rote Streifen', 'roten Streifen', 'Rötung breitet sich aus', 'ausbreitende Rötung', 'Rötung wird größer'],
    fr: ['traînée rouge', 'traînées rouges', "rougeur qui s'étend", "la rougeur s'étend", 'rougeur qui grandit'],
    es: ['línea roja', 'líneas rojas', 'raya roja', 'rayas rojas', 'enrojecimiento que se extiende', 'la rojez se extiende'],
  },
  new_lump: {
    en: ['lump', 'lumps', 'lumpy', 'nodule', 'nodules', 'hard bump', 'hard bumps', 'knot under the skin'],
    de: ['Knoten', 'Knötchen', 'Verhärtung', 'Verhärtungen', 'verhärtet', 'harte Beule', 'Klumpen', 'Knubbel'],
    fr: ['nodule', 'nodules', 'grosseur', 'boule', 'boules', 'bosse dure', 'induration'],
    es: ['bulto', 'bultos', 'bultito', 'nódulo', 'nódulos', 'bolita', 'bolitas', 'dureza', 'endurecimiento'],
  },
  skin_change: {
    en: ['blister', 'blisters', 'blistr', 'blistres', 'blistered', 'blistering', 'necrosis', 'necrosed', 'necrotic', 'blanch', 'blanched', 'blanches', 'blanching'],
    de: ['Blase', 'Blasen', 'Bläschen', 'Nekrose', 'nekrotisch', 'dunkle Haut', 'graue Haut', 'weiße Haut', 'schwarze Haut'],
    fr: ['cloque', 'cloques', 'ampoule', 'ampoules', 'phlyctène', 'nécrose', 'nécrosé', 'peau foncée', 'peau grise', 'peau blanche', 'peau noire'],
    es: ['ampolla', 'ampollas', 'necrosis', 'necrótico', 'necrótica', 'piel oscura', 'piel gris', 'piel grisácea', 'piel blanca', 'piel negra'],
  },
  airway_swelling: {
    en: ['swollen lips', 'swollen face', 'swollen tongue', 'swollen throat', "can't breathe", 'cannot breathe', 'difficulty breathing', 'short of breath', 'shortness of breath', 'breathless'],
    de: ['Atemnot', 'Atembeschwerden', 'kurzatmig', 'geschwollene Lippen', 'geschwollenes Gesicht', 'geschwollene Zunge', 'geschwollener Hals', 'kann nicht atmen', 'kann kaum atmen', 'bekomme keine Luft', 'kriege keine Luft', 'schwer zu atmen'],
    fr: ['lèvres gonflées', 'visage gonflé', 'langue gonflée', 'gorge gonflée', 'lèvres enflées', 'visage enflé', 'mal à respirer', 'difficulté à respirer', 'difficultés à respirer', 'difficultés respiratoires', "n'arrive pas à respirer", 'ne peux pas respirer', 'essoufflé', 'essoufflée', 'gorge serrée', "j'étouffe"],
    es: ['labios hinchados', 'cara hinchada', 'lengua hinchada', 'garganta hinchada', 'no puedo respirar', 'me cuesta respirar', 'dificultad para respirar', 'dificultad respiratoria', 'falta de aire', 'me falta el aire', 'me ahogo', 'se me cierra la garganta'],
  },
  hives: {
    en: ['hives', 'welt', 'welts', 'urticaria'],
    de: ['Nesselsucht', 'Nesselausschlag', 'Quaddel', 'Quaddeln', 'Urtikaria'],
    fr: ['urticaire'],
    es: ['urticaria', 'roncha', 'ronchas', 'habón', 'habones'],
  },
};

/** Up to this many characters of the same sentence may sit between the two halves of a phrase. */
const NEAR = '[^.!?\\n]{0,40}?';
const CLOSE = '[^.,;!?\\n]{0,20}?';
const AIRWAY_PARTS = '(?:face|lips?|lipps?|tongue|throat|mouth)';
const SWOLLEN = '(?:swelling|swel+ing|swoll?en|swolle?n)';
const AIRWAY_PARTS_DE = '(?:lippen?|gesicht|zunge|hals|rachen|mund)';
const AIRWAY_PARTS_FR = '(?:levres?|visage|langue|gorge|bouche)';
const AIRWAY_PARTS_ES = '(?:labios?|cara|lengua|garganta|boca)';
const RED_DE = 'r(?:o|oe)t(?:ung|ungen|e|er|es|en)?';
const RED_FR = 'rouge(?:ur|urs|s)?';
const RED_ES = '(?:enrojecimiento|rojez|roj[oa]s?)';
const SPREADS_DE = '(?:breitet sich(?: \\w+)? aus|ausbreit\\w*|wird (?:immer |noch )?gr(?:o|oe)ss?er|w(?:a|ae)chst)';
const SPREADS_FR = "(?:s'?\\s?(?:etend|etale|agrandit)|se propage|grandit|progresse)";
const SPREADS_ES = '(?:se (?:esta )?(?:extiende|extendiendo|expande|expandiendo|agranda|agrandando)|crece|creciendo|mas grande)';

/** Two-part phrases: a body part or colour near a verb. Matched against folded text (no accents, lower case). */
const WARNING_SIGN_PATTERNS: Record<WarningSign, RegExp[]> = {
  fever: [],
  discharge: [/\bleak(?:s|ing|ed)? (?:of )?fluid\b/, /\bfluid (?:is |was )?(?:leaking|coming out)\b/],
  spreading_redness: [
    new RegExp(`\\bred(?:ness)?\\b${NEAR}\\b(?:spread(?:s|ing)?|getting bigger|growing)\\b`),
    /\b(?:spread(?:s|ing)?|growing)\b[^.!?\n]{0,20}?\bred(?:ness)?\b/,
    new RegExp(`\\bwarm(?:th)?\\b${NEAR}\\bspread(?:s|ing)?\\b`),
    new RegExp(`\\b${RED_DE}\\b${NEAR}\\b${SPREADS_DE}`),
    new RegExp(`\\b(?:breitet sich|ausbreit\\w*)\\b${CLOSE}\\b${RED_DE}\\b`),
    new RegExp(`\\bw(?:a|ae)rme\\b${NEAR}\\b${SPREADS_DE}`),
    new RegExp(`\\b${RED_FR}\\b${NEAR}\\b${SPREADS_FR}\\b`),
    new RegExp(`\\bchaleur\\b${NEAR}\\b${SPREADS_FR}\\b`),
    new RegExp(`\\b${RED_ES}\\b${NEAR}\\b${SPREADS_ES}\\b`),
    new RegExp(`\\bse (?:extiende|expande)\\b${CLOSE}\\b${RED_ES}\\b`),
    new RegExp(`\\bcalor\\b${NEAR}\\b${SPREADS_ES}\\b`),
  ],
  new_lump: [],
  skin_change: [
    /\b(?:dark|darker|grey|gray|white|black|dusky) skin\b/,
    /\bskin (?:is |has )?(?:turning|turned|going|gone|went|looks|looking) (?:dark|grey|gray|white|black|dusky)\b/,
    // Words between skin and the change ("the skin around one spot is turning grey"): blanching or
    // greying after an injection can be a blocked vessel, so a few words must not hide it. Purple
    // and blue stay out: that is how patients describe a bruise.
    new RegExp(`\\bskin\\b${CLOSE}\\b(?:is |has |keeps )?(?:turning|turned|going|gone|went|looks|looking|become|becoming|getting) (?:a bit |quite |very |really )?(?:dark|darker|grey|gray|white|black|dusky|mottled)\\b`),
    /\bhaut (?:ist |wird |wurde )?(?:ganz |sehr )?(?:dunkel|grau|weiss|schwarz)\b/,
    /\b(?:dunkle|graue|weisse|schwarze)[rn]? haut\b/,
    /\bpeau (?:qui )?(?:est |devient |est devenue )?(?:tres )?(?:foncee|grise|blanche|noire|noircit|grisatre|blanchatre)\b/,
    /\bpiel (?:se (?:pone|esta poniendo|ve|volvio) |esta |muy )?(?:oscura|gris|grisacea|blanca|negra|negruzca)\b/,
  ],
  airway_swelling: [
    new RegExp(`\\bswelling (?:of|in|on|around) (?:the |my |her |his )?${AIRWAY_PARTS}\\b`),
    new RegExp(`\\b${SWOLLEN} ${AIRWAY_PARTS}\\b`),
    new RegExp(`\\b${AIRWAY_PARTS} (?:is |are |r |has |have |keeps? |keep |started |start |starting )?(?:${SWOLLEN}|swelled|swell(?:s)?(?: up)?)\\b`),
    /\bcan'?t breathe?\b/,
    /\bcan ?not breathe?\b/,
    /\b(?:difficulty|trouble|struggling|struggle|problems?) (?:in )?breathing\b/,
    /\b(?:hard|difficult|struggling|struggle) to breathe\b/,
    /\bthroat (?:is )?(?:closing|tight)\b/,
    new RegExp(`\\b${AIRWAY_PARTS_DE}\\b${CLOSE}\\b(?:geschwoll?en\\w*|schwillt|schwellen|angeschwollen\\w*)`),
    new RegExp(`\\b(?:geschwollen\\w*|schwellung\\w*)${CLOSE}\\b${AIRWAY_PARTS_DE}\\b`),
    new RegExp(`\\b${AIRWAY_PARTS_FR}\\b${CLOSE}\\b(?:gonfl|enfl)\\w*`),
    new RegExp(`\\b(?:gonflement|enflure|oedeme)\\b${CLOSE}\\b${AIRWAY_PARTS_FR}\\b`),
    new RegExp(`\\b${AIRWAY_PARTS_ES}\\b${CLOSE}\\b(?:hinchad[oa]s?|inchad[oa]s?|se (?:me )?hincha\\w*)`),
    new RegExp(`\\b(?:hinchazon|inflamacion)\\b${CLOSE}\\b${AIRWAY_PARTS_ES}\\b`),
    new RegExp(`\\bse (?:me |le )?(?:esta |estan )?h?inch(?:a|an|ando)\\b${CLOSE}\\b${AIRWAY_PARTS_ES}\\b`),
  ],
  hives: [],
};

/** Where a sign is named: [start, end) in the folded text. */
export interface SignMention {
  sign: WarningSign;
  start: number;
  end: number;
}

const MENTION_PATTERNS: ReadonlyArray<[WarningSign, RegExp]> = WARNING_SIGNS.flatMap((sign) =>
  [phrasesPattern(Object.values(WARNING_SIGN_WORDS[sign]).flat()), ...WARNING_SIGN_PATTERNS[sign]].map(
    (pattern): [WarningSign, RegExp] => [sign, new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`)],
  ),
);

/**
 * Every place a sign is named in folded text (see foldText), in text order. Of two mentions of
 * the same sign that overlap, the longer stands ("swollen lips" over "lips swelling" inside it).
 */
export function signMentions(folded: string): SignMention[] {
  const found: SignMention[] = [];
  for (const [sign, pattern] of MENTION_PATTERNS) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(folded); m; m = pattern.exec(folded)) {
      if (m[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      found.push({ sign, start: m.index, end: m.index + m[0].length });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  return found.filter((m, i) => !found.some((o, j) => j !== i && o.sign === m.sign && o.start <= m.start && o.end >= m.end && (o.end - o.start > m.end - m.start || j < i)));
}
