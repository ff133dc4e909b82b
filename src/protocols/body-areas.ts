/**
 * The treatment areas of mesotherapy and other aesthetic injections that the API accepts in a
 * treatment's `bodyAreas`: the one list (the console's picker reads it from GET /v1/body-areas,
 * its type from the OpenAPI document). Each names its region, which also chooses the follow-up
 * protocol when a treatment names none (src/protocols/protocol-choice.ts): any body area → the
 * body protocol (the longer expected course), only face and scalp areas → face-scalp.
 *
 * Treatments recorded before this list existed may carry other words; they are shown as stored.
 */
export const BODY_AREA_REGIONS = ['face-scalp', 'body'] as const;
export type BodyAreaRegion = (typeof BODY_AREA_REGIONS)[number];

export const BODY_AREA_LIST = [
  // Face, head and neck
  { id: 'scalp', label: 'Scalp', region: 'face-scalp' },
  { id: 'forehead', label: 'Forehead', region: 'face-scalp' },
  { id: 'glabella', label: 'Glabella (between the brows)', region: 'face-scalp' },
  { id: 'temples', label: 'Temples', region: 'face-scalp' },
  { id: 'periorbital', label: 'Around the eyes', region: 'face-scalp' },
  { id: 'cheeks', label: 'Cheeks', region: 'face-scalp' },
  { id: 'nasolabial-folds', label: 'Nasolabial folds', region: 'face-scalp' },
  { id: 'lips', label: 'Lips', region: 'face-scalp' },
  { id: 'perioral', label: 'Around the mouth', region: 'face-scalp' },
  { id: 'chin', label: 'Chin', region: 'face-scalp' },
  { id: 'jawline', label: 'Jawline', region: 'face-scalp' },
  { id: 'double-chin', label: 'Double chin (submental)', region: 'face-scalp' },
  { id: 'face', label: 'Whole face', region: 'face-scalp' },
  { id: 'neck', label: 'Neck', region: 'face-scalp' },
  { id: 'decollete', label: 'Décolleté', region: 'face-scalp' },
  // Body
  { id: 'upper-arms', label: 'Upper arms', region: 'body' },
  { id: 'hands', label: 'Backs of the hands', region: 'body' },
  { id: 'abdomen', label: 'Abdomen', region: 'body' },
  { id: 'flanks', label: 'Flanks', region: 'body' },
  { id: 'back', label: 'Back', region: 'body' },
  { id: 'bra-line', label: 'Bra line', region: 'body' },
  { id: 'hips', label: 'Hips', region: 'body' },
  { id: 'buttocks', label: 'Buttocks', region: 'body' },
  { id: 'thighs', label: 'Thighs', region: 'body' },
  { id: 'inner-thighs', label: 'Inner thighs', region: 'body' },
  { id: 'knees', label: 'Knees', region: 'body' },
  { id: 'calves', label: 'Calves', region: 'body' },
  { id: 'ankles', label: 'Ankles', region: 'body' },
] as const satisfies ReadonlyArray<{ id: string; label: string; region: BodyAreaRegion }>;

export type BodyArea = (typeof BODY_AREA_LIST)[number]['id'];
export const BODY_AREAS: readonly BodyArea[] = BODY_AREA_LIST.map((a) => a.id);

const REGION_OF: ReadonlyMap<string, BodyAreaRegion> = new Map(BODY_AREA_LIST.map((a) => [a.id, a.region]));

/** The region of a listed area; undefined for a word the list does not have. */
export function regionOf(area: string): BodyAreaRegion | undefined {
  return REGION_OF.get(area);
}

/** The message of a 400 naming each area the list does not have. */
export function unknownAreasMessage(areas: unknown): string {
  const bad = Array.isArray(areas) ? areas.filter((a) => typeof a !== 'string' || !REGION_OF.has(a)) : [];
  const named = bad.map((a) => JSON.stringify(a)).join(', ');
  return `bodyAreas: ${named || 'an area'} ${bad.length > 1 ? 'are not treatment areas' : 'is not a treatment area'}; each must be one of ${BODY_AREAS.join(', ')} (GET /v1/body-areas)`;
}
