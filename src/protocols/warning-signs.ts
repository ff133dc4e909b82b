/**
 * Words that name a warning sign in free text, shared by the SMS parser and the rules.
 * Negations are not handled on purpose: "no fever" still counts, so a person looks.
 */
import { WARNING_SIGNS, WarningSign } from './questions';

/**
 * Free-text phrases per warning sign, English for now. Negations are NOT handled ("no fever"
 * still flags fever): over-flagging costs a practitioner a glance, missing a sign costs far more.
 */
const WARNING_SIGN_PATTERNS: Record<WarningSign, RegExp[]> = {
  fever: [/\bfever(?:s|ed|ish)?\b/i, /\btemperature\b/i, /\bchills\b/i, /\bshiver(?:s|ing)\b/i],
  discharge: [
    /\bpus\b/i,
    /\bdischarg(?:e|es|ing)\b/i,
    /\booz(?:e|es|ed|ing)\b/i,
    /\bleak(?:s|ing|ed)? (?:of )?fluid\b/i,
    /\bfluid (?:is |was )?(?:leaking|coming out)\b/i,
  ],
  spreading_redness: [
    /\bred(?:ness)?\b[^.!?\n]{0,40}?\b(?:spread(?:s|ing)?|getting bigger|growing)\b/i,
    /\b(?:spread(?:s|ing)?|growing)\b[^.!?\n]{0,20}?\bred(?:ness)?\b/i,
    /\bred streaks?\b/i,
    /\bstreaks? of red\b/i,
    /\bwarm(?:th)?\b[^.!?\n]{0,40}?\bspread(?:s|ing)?\b/i,
  ],
  new_lump: [/\blumps?\b/i, /\blumpy\b/i, /\bnodules?\b/i, /\bhard bumps?\b/i],
  skin_change: [
    /\bblister(?:s|ed|ing)?\b/i,
    /\b(?:dark|darker|grey|gray|white|black|dusky) skin\b/i,
    /\bskin (?:is |has )?(?:turning|turned|going|gone|went|looks|looking) (?:dark|grey|gray|white|black|dusky)\b/i,
    /\bnecros(?:is|ed)\b/i,
    /\bnecrotic\b/i,
    /\bblanch(?:ed|es|ing)?\b/i,
  ],
  airway_swelling: [
    /\bswelling (?:of|in|on|around) (?:the |my |her |his )?(?:face|lips?|tongue|throat|mouth)\b/i,
    /\bswollen (?:face|lips?|tongue|throat|mouth)\b/i,
    /\b(?:face|lips?|tongue|throat|mouth) (?:is |are |has |have |keeps? )?(?:swelling|swollen|swelled|swell(?:s)? up)\b/i,
    /\bcan'?t breathe?\b/i,
    /\bcan ?not breathe?\b/i,
    /\b(?:difficulty|trouble|struggling|struggle|problems?) (?:in )?breathing\b/i,
    /\b(?:hard|difficult|struggling|struggle) to breathe\b/i,
    /\bshort(?:ness)? of breath\b/i,
    /\bbreathless\b/i,
    /\bthroat (?:is )?(?:closing|tight)\b/i,
  ],
  hives: [/\bhives\b/i, /\bwelts?\b/i, /\burticaria\b/i],
};

/** Warning signs named in free text, deduplicated, in WARNING_SIGNS order. */
export function warningSignsInText(text: string): WarningSign[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const normalised = text.replace(/[\u2018\u2019\u02bc`´]/g, "'");
  return WARNING_SIGNS.filter((sign) =>
    WARNING_SIGN_PATTERNS[sign].some((pattern) => pattern.test(normalised)),
  );
}
