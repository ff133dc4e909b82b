/**
 * Triage rules over a check-in answer. Each rule is versioned so a flag can say exactly which
 * logic raised it; changing a rule's behaviour means bumping its version.
 */
import {
  MAX_SEVERITY,
  SEVERE,
  SYMPTOM_LABELS,
  SYMPTOMS,
  Symptom,
  SymptomScores,
  WARNING_SIGNS,
  WarningSign,
} from '../protocols/questions';
import { warningSignsInText } from '../protocols/warning-signs';

export type FlagPriority = 'urgent' | 'high' | 'normal' | 'low';

/** Lower is more urgent; sorting by rank puts the flag to look at first on top. */
export const PRIORITY_RANK: Record<FlagPriority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

export interface AnswerForRules {
  scores: SymptomScores;
  warningSigns: WarningSign[];
  freeText: string | null;
  daySinceTreatment: number;
}

export interface RuleHit {
  ruleId: string;
  ruleVersion: number;
  priority: FlagPriority;
  reason: string;
  evidence: Record<string, unknown>;
}

export interface Rule {
  id: string;
  version: number;
  evaluate(current: AnswerForRules, previous: AnswerForRules | null): RuleHit | null;
}

/** How a practitioner would name each warning sign in a flag's reason. */
const WARNING_SIGN_WORDS: Record<WarningSign, string> = {
  fever: 'fever',
  discharge: 'discharge (pus or fluid)',
  spreading_redness: 'spreading redness',
  new_lump: 'new hard lump',
  skin_change: 'skin change (blisters or dark, grey or white skin)',
  airway_swelling: 'face/lip/throat swelling or difficulty breathing',
  hives: 'hives',
};

/** Early on, a one-point rise is ordinary settling; after this many days any rise is worth a look. */
const EARLY_DAYS = 3;
const EARLY_RISE_THRESHOLD = 2;

const warningSignRule: Rule = {
  id: 'warning-sign',
  version: 1,
  evaluate(current) {
    const ticked = inWarningSignOrder(current.warningSigns);
    const fromText = warningSignsInText(current.freeText ?? '');
    const signs = inWarningSignOrder([...ticked, ...fromText]);
    if (signs.length === 0) return null;
    // Text matches ignore negation ("no fever"), so the practitioner must see which signs were only written.
    const onlyInText = fromText.filter((sign) => !ticked.includes(sign));
    const textNote = onlyInText.length ? ` (${wordsFor(onlyInText)} only mentioned in their message)` : '';
    return {
      ruleId: warningSignRule.id,
      ruleVersion: warningSignRule.version,
      priority: 'urgent',
      reason: `Patient reported warning signs: ${wordsFor(signs)}${textNote}`,
      evidence: { signs, ticked, fromText, onlyInText, freeText: current.freeText },
    };
  },
};

const severeSymptomRule: Rule = {
  id: 'severe-symptom',
  version: 1,
  evaluate(current) {
    const severe = SYMPTOMS.filter((symptom) => current.scores[symptom] >= SEVERE).map((symptom) => ({
      symptom,
      score: current.scores[symptom],
    }));
    if (severe.length === 0) return null;
    const listed = severe.map(({ symptom, score }) => `${symptomWord(symptom)} ${score}/${MAX_SEVERITY}`);
    return {
      ruleId: severeSymptomRule.id,
      ruleVersion: severeSymptomRule.version,
      priority: 'high',
      reason: `Severe symptoms: ${listed.join(', ')}`,
      evidence: { severe, threshold: SEVERE, daySinceTreatment: current.daySinceTreatment },
    };
  },
};

const worseningRule: Rule = {
  id: 'worsening',
  version: 1,
  evaluate(current, previous) {
    if (!previous) return null;
    const minimumRise = current.daySinceTreatment > EARLY_DAYS ? 1 : EARLY_RISE_THRESHOLD;
    const worsened = SYMPTOMS.filter(
      (symptom) => current.scores[symptom] - previous.scores[symptom] >= minimumRise,
    ).map((symptom) => ({ symptom, from: previous.scores[symptom], to: current.scores[symptom] }));
    if (worsened.length === 0) return null;
    const changes = worsened.map(({ symptom, from, to }) => `${symptomWord(symptom)} ${from}→${to}`).join(', ');
    return {
      ruleId: worseningRule.id,
      ruleVersion: worseningRule.version,
      priority: 'normal',
      reason:
        `Worse than the previous check-in (day ${previous.daySinceTreatment} → ` +
        `day ${current.daySinceTreatment}): ${changes}`,
      evidence: {
        worsened,
        minimumRise,
        daySinceTreatment: current.daySinceTreatment,
        previousDaySinceTreatment: previous.daySinceTreatment,
      },
    };
  },
};

export const RULES: Rule[] = [warningSignRule, severeSymptomRule, worseningRule];

/** Every rule that fires, most urgent first (ties keep RULES order). */
export function evaluateRules(current: AnswerForRules, previous: AnswerForRules | null): RuleHit[] {
  return RULES.map((rule) => rule.evaluate(current, previous))
    .filter((hit): hit is RuleHit => hit !== null)
    .sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority]);
}

/** Deduplicated, in WARNING_SIGNS order; anything not a known sign is dropped. */
function inWarningSignOrder(signs: readonly WarningSign[]): WarningSign[] {
  return WARNING_SIGNS.filter((sign) => signs.includes(sign));
}

function wordsFor(signs: WarningSign[]): string {
  return signs.map((sign) => WARNING_SIGN_WORDS[sign]).join(', ');
}

function symptomWord(symptom: Symptom): string {
  return SYMPTOM_LABELS[symptom].toLowerCase();
}
