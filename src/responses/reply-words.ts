/**
 * The words patients use in SMS replies for the five symptoms and their levels, in English,
 * German, French and Spanish: "bruising bad, rest fine", "Bluterguss leicht, Rötung keine",
 * "bleus modéré", "moretón fuerte, lo demás bien". Written as people spell them; accents,
 * umlauts and case are folded when matching (see protocols/free-text.ts). Data only: the
 * SMS reply parser reads it.
 */
import { LexiconLanguage } from '../protocols/free-text';
import { Symptom } from '../protocols/questions';

export const SYMPTOM_WORDS: Record<Symptom, Record<LexiconLanguage, readonly string[]>> = {
  bruising: {
    en: ['bruising', 'bruise', 'bruises', 'bruised', 'bruisy'],
    de: ['Bluterguss', 'Blutergüsse', 'Blutergüssen', 'Hämatom', 'Hämatome', 'Hämatomen', 'blaue Flecken', 'blaue Flecke', 'blauer Fleck', 'blauen Flecken', 'blaue Fleck'],
    fr: ['bleu', 'bleus', 'ecchymose', 'ecchymoses', 'hématome', 'hématomes'],
    es: ['moretón', 'moretones', 'moratón', 'moratones', 'morado', 'morados', 'cardenal', 'cardenales', 'hematoma', 'hematomas'],
  },
  redness: {
    en: ['redness', 'red', 'reddish', 'reddening'],
    de: ['Rötung', 'Rötungen', 'Röte', 'rot', 'gerötet'],
    fr: ['rougeur', 'rougeurs', 'rouge', 'rouges'],
    es: ['enrojecimiento', 'rojez', 'rojeces', 'rojo', 'roja', 'rojos', 'rojas'],
  },
  itching: {
    en: ['itching', 'itch', 'itches', 'itchy', 'itchiness'],
    de: ['Juckreiz', 'Jucken', 'juckt', 'juckend'],
    fr: ['démangeaison', 'démangeaisons', 'démange', 'démangent', 'gratte', 'ça gratte', 'prurit'],
    es: ['picor', 'picores', 'picazón', 'comezón', 'pica', 'me pica', 'prurito'],
  },
  burning: {
    en: ['burning', 'burn', 'burns', 'stinging', 'sting', 'stings'],
    de: ['Brennen', 'brennt', 'brennend'],
    fr: ['brûlure', 'brûlures', 'brûle', 'brûlant', 'sensation de brûlure', 'échauffement'],
    es: ['ardor', 'ardores', 'quemazón', 'arde', 'me arde', 'escozor', 'quemadura'],
  },
  pain: {
    en: ['pain', 'pains', 'painful', 'hurts', 'hurt', 'hurting', 'sore', 'soreness', 'ache', 'aches', 'aching', 'tender', 'tenderness'],
    de: ['Schmerz', 'Schmerzen', 'schmerzt', 'schmerzhaft', 'weh'],
    fr: ['douleur', 'douleurs', 'douloureux', 'douloureuse', 'mal'],
    es: ['dolor', 'dolores', 'doloroso', 'dolorosa', 'duele', 'me duele'],
  },
};

/** Short labels from the reply format ("b1 r0 i2 bu0 p1"): symptoms only when a number follows. */
export const SHORT_LABELS: Readonly<Record<string, Symptom>> = { b: 'bruising', r: 'redness', i: 'itching', bu: 'burning', p: 'pain' };

export type Level = 0 | 1 | 2 | 3 | 4;

/** Level words, before or after the symptom: "mild bruising", "bruising mild", "no pain". */
export const LEVEL_WORDS: Record<LexiconLanguage, Record<Level, readonly string[]>> = {
  en: {
    0: ['none', 'no', 'nil', 'zero', 'nothing', 'not at all', 'gone', 'all gone'],
    1: ['mild', 'mildly', 'slight', 'slightly', 'a little', 'a little bit', 'little', 'a bit', 'a tiny bit', 'a touch', 'minor', 'light', 'faint', 'barely', 'hardly', 'minimal', 'low', 'not bad', 'not too bad', 'not much', 'not very'],
    2: ['moderate', 'moderately', 'medium', 'noticeable', 'middling', 'so so', 'average'],
    3: ['severe', 'severely', 'bad', 'strong', 'a lot', 'lots', 'heavy', 'intense', 'serious', 'high'],
    4: ['very severe', 'terrible', 'terribly', 'awful', 'horrible', 'unbearable', 'extreme', 'excruciating', 'worst', 'agonising', 'agonizing'],
  },
  de: {
    0: ['kein', 'keine', 'keinen', 'keiner', 'keins', 'nichts', 'null', 'gar nicht', 'gar keine', 'überhaupt nicht', 'ohne'],
    1: ['leicht', 'leichte', 'leichter', 'leichtes', 'leichten', 'gering', 'geringe', 'geringer', 'wenig', 'ein wenig', 'ein bisschen', 'bisschen', 'etwas', 'schwach', 'schwache', 'kaum', 'minimal', 'nicht schlimm', 'nicht so schlimm', 'nicht stark', 'nicht viel'],
    2: ['mäßig', 'mäßige', 'mäßiger', 'mittel', 'mittelmäßig', 'mittelstark', 'mittelstarke', 'mittlere', 'mittlerer', 'merklich', 'deutlich'],
    3: ['stark', 'starke', 'starker', 'starkes', 'starken', 'schlimm', 'schlimme', 'schlimmer', 'heftig', 'heftige', 'heftiger', 'schwer', 'schwere', 'viel', 'arg'],
    4: ['sehr stark', 'unerträglich', 'extrem', 'furchtbar', 'schrecklich', 'höllisch', 'unaushaltbar'],
  },
  fr: {
    0: ['aucun', 'aucune', 'pas de', "pas d'", 'sans', 'rien', 'zéro', 'nul', 'nulle', 'pas du tout', 'disparu', 'disparue', 'disparus'],
    1: ['léger', 'légère', 'légers', 'légères', 'légèrement', 'un peu', 'un petit peu', 'peu', 'faible', 'faibles', 'minime', 'pas grave', 'pas fort', 'pas très fort'],
    2: ['modéré', 'modérée', 'modérés', 'modérées', 'moyen', 'moyenne', 'moyens', 'moyennes'],
    3: ['fort', 'forte', 'forts', 'fortes', 'sévère', 'sévères', 'important', 'importante', 'importants', 'importantes', 'intense', 'intenses', 'beaucoup', 'grave', 'graves'],
    4: ['très fort', 'très forte', 'insupportable', 'terrible', 'horrible', 'atroce', 'extrême', 'affreux', 'affreuse', 'épouvantable'],
  },
  es: {
    0: ['nada', 'nada de', 'ninguno', 'ninguna', 'ningún', 'sin', 'cero', 'no', 'no tengo'],
    1: ['leve', 'leves', 'poco', 'poca', 'un poco', 'un poquito', 'poquito', 'ligero', 'ligera', 'ligeramente', 'suave', 'algo', 'mínimo', 'mínima', 'no mucho', 'nada grave'],
    2: ['moderado', 'moderada', 'moderados', 'moderadas', 'medio', 'media', 'regular', 'mediano', 'mediana'],
    3: ['fuerte', 'fuertes', 'severo', 'severa', 'grave', 'graves', 'mucho', 'mucha', 'muchos', 'muchas', 'intenso', 'intensa'],
    4: ['muy fuerte', 'insoportable', 'terrible', 'horrible', 'extremo', 'extrema', 'fatal', 'muchísimo', 'muchísima', 'atroz', 'tremendo', 'tremenda', 'insufrible'],
  },
};

/**
 * Level-0 words that read as "none" only after the symptom ("bruising fine", "Rest gut"):
 * before it they say something else ("fine lines", "gut pain"). "Normal" is left out on
 * purpose: it may mean "as expected", which is not 0.
 */
export const CLEAR_AFTER_WORDS: Record<LexiconLanguage, readonly string[]> = {
  en: ['fine', 'ok', 'okay', 'good', 'all good', 'all fine', 'all clear', 'no problem'],
  de: ['gut', 'ok', 'okay', 'weg', 'in Ordnung', 'alles gut', 'verschwunden'],
  fr: ['bien', 'ok', 'ça va', 'rien à signaler'],
  es: ['bien', 'ok', 'vale', 'todo bien', 'desaparecido', 'desaparecida'],
};

/** "The others", "the rest": the symptoms not named take the level given to these. */
export const REST_WORDS: Record<LexiconLanguage, readonly string[]> = {
  en: ['rest', 'the rest', 'all the rest', 'rest of them', 'the others', 'others', 'other ones', 'all others', 'all the others', 'everything else', 'all else', 'otherwise', 'other symptoms', 'the other symptoms', 'anything else'],
  de: ['Rest', 'der Rest', 'sonst', 'sonst alles', 'alles andere', 'alle anderen', 'die anderen', 'andere', 'anderen', 'ansonsten', 'übrige', 'übrigen', 'das Übrige', 'die übrigen', 'restliche', 'die restlichen', 'alles sonst'],
  fr: ['le reste', 'tout le reste', 'pour le reste', 'les autres', 'autres', 'sinon', 'autrement', 'le restant'],
  es: ['resto', 'el resto', 'lo demás', 'los demás', 'las demás', 'todo lo demás', 'por lo demás', 'lo otro', 'los otros', 'las otras', 'lo restante', 'todo lo otro'],
};

/** "Nothing else", "all fine except…": the symptoms not named are 0. */
export const REST_NONE_WORDS: Record<LexiconLanguage, readonly string[]> = {
  en: ['nothing else', 'no others', 'none of the others', 'no other symptoms', 'nothing more', 'all fine except', 'all good except', 'everything fine except', 'everything else fine', 'all fine apart from', 'all good apart from'],
  de: ['sonst nichts', 'nichts anderes', 'sonst keine', 'keine anderen', 'keine weiteren', 'nichts weiter', 'alles gut außer', 'alles gut bis auf'],
  fr: ["rien d'autre", 'rien de plus', "pas d'autres", 'aucun autre', 'aucune autre', 'tout va bien sauf', 'tout va bien à part'],
  es: ['nada más', 'nada mas', 'ningún otro', 'ninguna otra', 'nada más que', 'todo bien excepto', 'todo bien menos', 'todo bien salvo'],
};

/** Before a level they make it stronger: "very bad" is very severe; "very mild" stays mild. */
export const INTENSIFIERS: readonly string[] = ['very', 'really', 'so', 'extremely', 'super', 'incredibly', 'sehr', 'echt', 'richtig', 'total', 'ganz', 'très', 'vraiment', 'trop', 'hyper', 'tellement', 'muy', 'realmente', 'súper', 'demasiado'];

/** Before a level they turn it into something the parser will not guess at ("not severe"). */
export const NEGATORS: readonly string[] = ['not', "isn't", 'isnt', "aren't", "wasn't", 'never', 'nicht', 'nie', 'pas', 'ne', 'jamais', 'nunca'];

/** Words that may sit between a symptom and its level without separating them. */
export const FILLER_WORDS: readonly string[] = [
  // English
  'is', 'are', 'was', 'were', 'be', 'been', 'still', 'now', 'today', 'the', 'my', 'a', 'an', 'of', 'it', "it's", 'its', 'quite', 'pretty', 'rather', 'fairly',
  'kind of', 'kinda', 'sort of', 'just', 'only', 'feels', 'feel', 'felt', 'looks', 'look', 'seems', 'seem', 'at', 'about', 'around', 'level', 'i', "i'd say", 'i would say',
  'have', 'has', 'got', "i've got", 'there is', "there's", 'there are', 'maybe', 'probably', 'mostly', 'also', 'too', 'as well', 'score', 'which is', 'that is', 'with', 'some',
  'out of 4', 'of 4',
  // German
  'ist', 'sind', 'war', 'waren', 'noch', 'jetzt', 'heute', 'die', 'der', 'das', 'den', 'dem', 'des', 'mein', 'meine', 'meinen', 'ein', 'eine', 'einen', 'es',
  'ziemlich', 'recht', 'eher', 'nur', 'bei', 'auf', 'habe', 'hab', 'ich', 'ich habe', 'gibt es', 'wird', 'eigentlich', 'auch', 'mit', 'tut', 'tut es', 'von 4',
  // French
  'est', 'sont', 'était', "c'est", 'encore', 'toujours', 'maintenant', "aujourd'hui", 'le', 'la', 'les', "l'", 'un', 'une', 'des', 'de', 'du', "d'", 'mon', 'ma', 'mes',
  'assez', 'plutôt', 'juste', 'seulement', "j'ai", 'ai', 'il y a', 'y a', 'à', 'niveau', 'aussi', 'ça', 'va', 'sur 4',
  // Spanish
  'es', 'está', 'están', 'son', 'estaba', 'sigue', 'todavía', 'ahora', 'hoy', 'el', 'los', 'las', 'lo', 'una', 'unos', 'unas', 'del', 'mi', 'mis', 'tengo', 'hay',
  'bastante', 'en', 'solo', 'sólo', 'nivel', 'me', 'también', 'con', 'de 4',
];

/** A number next to one of these is a time ("since day 3", "2 Tage"), not a score. */
export const TIME_WORDS: readonly string[] = [
  'day', 'days', 'week', 'weeks', 'hour', 'hours', 'hrs', 'h', 'times', 'x',
  'tag', 'tage', 'tagen', 'woche', 'wochen', 'stunde', 'stunden', 'uhr',
  'jour', 'jours', 'semaine', 'semaines', 'heure', 'heures',
  'dia', 'dias', 'semana', 'semanas', 'hora', 'horas', 'veces',
];

/** Words that end one statement and start the next, as a comma would. */
export const BREAK_WORDS: readonly string[] = ['and', 'but', 'though', 'und', 'aber', 'sowie', 'et', 'mais', 'y', 'pero', 'aunque'];
