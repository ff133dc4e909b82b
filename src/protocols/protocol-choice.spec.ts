import { BODY_AREA_LIST } from './body-areas';
import { BODY_PROTOCOL, FACE_SCALP_PROTOCOL, protocolKeyFor } from './protocol-choice';

describe('protocolKeyFor', () => {
  it.each([
    ['cellulite', ['thighs', 'buttocks'], BODY_PROTOCOL],
    ['body contouring', ['abdomen', 'flanks'], BODY_PROTOCOL],
    ['skin rejuvenation', ['face', 'neck'], FACE_SCALP_PROTOCOL],
    ['hair loss', ['scalp'], FACE_SCALP_PROTOCOL],
    ['androgenetic alopecia', ['crown'], FACE_SCALP_PROTOCOL],
    ['skin rejuvenation', ['face', 'décolleté'], FACE_SCALP_PROTOCOL],
  ])('%s on %j → %s', (indication, areas, key) => {
    expect(protocolKeyFor(indication, areas)).toBe(key);
  });

  it('any body area wins over face areas (the body course is the longer one)', () => {
    expect(protocolKeyFor('skin rejuvenation', ['neck', 'upper arms'])).toBe(BODY_PROTOCOL);
  });

  it('unrecognised areas: the indication decides, body by default', () => {
    expect(protocolKeyFor('hair loss', ['zone B'])).toBe(FACE_SCALP_PROTOCOL);
    expect(protocolKeyFor('lipolysis', ['zone B'])).toBe(BODY_PROTOCOL);
  });

  it.each(BODY_AREA_LIST.map((a) => [a.id, a.region] as const))("the API's area %s chooses its region's protocol (%s)", (id, region) => {
    // The indication points the other way, so only the area's region can decide.
    expect(protocolKeyFor(region === 'body' ? 'hair loss' : 'cellulite', [id])).toBe(region === 'body' ? BODY_PROTOCOL : FACE_SCALP_PROTOCOL);
  });
});
