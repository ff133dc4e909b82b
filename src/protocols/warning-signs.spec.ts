import { LEXICON_LANGUAGES } from './free-text';
import { WARNING_SIGNS } from './questions';
import { warningSignsInText } from './sign-reader';
import { WARNING_SIGN_WORDS } from './warning-signs';

describe('warningSignsInText in German, French and Spanish', () => {
  it.each([
    ['Ich habe Fieber', 'fever'],
    ['Schuettelfrost seit gestern', 'fever'],
    ["j'ai de la fièvre", 'fever'],
    ['un peu de fievre', 'fever'],
    ['tengo fiebre y escalofríos', 'fever'],
    ['Es kommt Eiter raus', 'discharge'],
    ['die Stelle nässt', 'discharge'],
    ['il y a du pus', 'discharge'],
    ['un écoulement jaune', 'discharge'],
    ['la herida supura', 'discharge'],
    ['die Rötung breitet sich aus', 'spreading_redness'],
    ['Die Rötung wird immer größer', 'spreading_redness'],
    ['ein roter Streifen am Bein', 'spreading_redness'],
    ["la rougeur s'étend vers le genou", 'spreading_redness'],
    ['la rougeur se propage', 'spreading_redness'],
    ['el enrojecimiento se está extendiendo', 'spreading_redness'],
    ['hay una línea roja', 'spreading_redness'],
    ['ein harter Knoten', 'new_lump'],
    ['une boule sous la peau', 'new_lump'],
    ['tengo un bulto duro', 'new_lump'],
    ['Blasen an der Stelle', 'skin_change'],
    ['die Haut wird grau', 'skin_change'],
    ['the skin around one spot is turning grey', 'skin_change'],
    ['the skin on my thigh went very white', 'skin_change'],
    ['des cloques', 'skin_change'],
    ['la peau devient noire', 'skin_change'],
    ['me salieron ampollas', 'skin_change'],
    ['la piel se pone oscura', 'skin_change'],
    ['meine Lippen sind geschwollen', 'airway_swelling'],
    ['Schwellung im Gesicht', 'airway_swelling'],
    ['ich bekomme keine Luft', 'airway_swelling'],
    ['Atemnot', 'airway_swelling'],
    ['mes lèvres sont gonflées', 'airway_swelling'],
    ["j'ai du mal à respirer", 'airway_swelling'],
    ['gonflement du visage', 'airway_swelling'],
    ['tengo los labios hinchados', 'airway_swelling'],
    ['no puedo respirar bien', 'airway_swelling'],
    ['hinchazón de la cara', 'airway_swelling'],
    ['Quaddeln am Arm', 'hives'],
    ["de l'urticaire partout", 'hives'],
    ['me salieron ronchas', 'hives'],
  ])('%j → %s', (text, sign) => {
    expect(warningSignsInText(text)).toEqual([sign]);
  });

  it.each([
    'Bluterguss leicht, Rötung keine',
    'Rötung stark, Schmerzen mittel',
    'bleus modéré',
    'rougeur forte, le reste bien',
    'moretón fuerte, lo demás bien',
    'enrojecimiento leve',
    'der Bluterguss breitet sich aus',
    "le bleu s'étend un peu",
    'el moretón se extiende',
    'Schwellung am Oberschenkel',
    'the skin around the bruise is going purple',
    'gonflement de la cuisse',
    'hinchazón en el muslo',
    'Juckreiz und Brennen',
    'démangeaisons et brûlure',
    'picor y ardor',
    'Temperament',
    'Bleistift',
  ])('does not fire on %j', (text) => {
    expect(warningSignsInText(text)).toEqual([]);
  });

  it('reads negations in every language: a negated sign does not count', () => {
    expect(warningSignsInText('kein Fieber, kein Eiter')).toEqual([]);
    expect(warningSignsInText('pas de fièvre')).toEqual([]);
    expect(warningSignsInText('sin fiebre, sin pus')).toEqual([]);
  });

  it('finds every listed word on its own, in capitals and without accents too', () => {
    for (const sign of WARNING_SIGNS) {
      for (const language of LEXICON_LANGUAGES) {
        for (const word of WARNING_SIGN_WORDS[sign][language]) {
          const plain = word.normalize('NFD').replace(/\p{M}/gu, '');
          for (const text of [word, word.toUpperCase(), plain]) {
            expect({ text, signs: warningSignsInText(text) }).toEqual({ text, signs: expect.arrayContaining([sign]) as unknown });
          }
        }
      }
    }
  });

  it('lists words for every sign in every language', () => {
    for (const sign of WARNING_SIGNS) {
      for (const language of LEXICON_LANGUAGES) expect(WARNING_SIGN_WORDS[sign][language].length).toBeGreaterThan(0);
    }
  });
});
