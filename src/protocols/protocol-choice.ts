/**
 * Which shipped protocol key a treatment gets when the request names none. Pure.
 *
 * Face and scalp (skin rejuvenation, hair loss) when every body area is on the face, head or
 * neck; body (cellulite, contouring) when any area is on the body. When no area is recognised,
 * the indication decides: skin rejuvenation, hair loss and other face or scalp concerns get
 * face-scalp, anything else body (the longer expected course, so nothing usual is missed).
 */
import { regionOf } from './body-areas';

export const BODY_PROTOCOL = 'body';
export const FACE_SCALP_PROTOCOL = 'face-scalp';
/** The protocol every treatment used before body and face/scalp were told apart; kept for them. */
export const LEGACY_PROTOCOL = 'default';

const FACE_SCALP_AREA = /\b(face|facial|forehead|glabella|brows?|temples?|cheeks?|chin|jaw|jawline|nose|lips?|perioral|periorbital|eyes?|under[- ]eye|crow'?s[- ]feet|neck|d[eé]collet[eé]|scalp|hairline|crown|head)\b/i;
const BODY_AREA = /\b(thighs?|buttocks?|glutes?|abdomen|abdominal|belly|stomach|flanks?|love handles|hips?|arms?|upper arms?|knees?|back|waist|legs?|calf|calves|ankles?|chest|breasts?|bra line|saddlebags?|body)\b/i;
const FACE_SCALP_INDICATION = /rejuvenat|hair|alopecia|scalp|facial|\bface\b|wrinkle|fine lines|acne|pigment|melasma|skin quality|dark circles/i;

export const protocolKeyPattern = /^[a-z][a-z0-9-]{0,39}$/;

export function protocolKeyFor(indication: string, bodyAreas: readonly string[]): string {
  // The API's list of areas names each one's region; other words (older records) by their sense.
  const isBody = (a: string) => (regionOf(a) ? regionOf(a) === 'body' : BODY_AREA.test(a));
  const known = bodyAreas.filter((a) => regionOf(a) || BODY_AREA.test(a) || FACE_SCALP_AREA.test(a));
  if (known.some(isBody)) return BODY_PROTOCOL;
  if (known.length) return FACE_SCALP_PROTOCOL;
  return FACE_SCALP_INDICATION.test(indication) ? FACE_SCALP_PROTOCOL : BODY_PROTOCOL;
}
