import { assessmentError, orderedCriteria } from './assessment';

describe('flag assessment', () => {
  it('needs a criterion for serious and none for non-serious', () => {
    expect(assessmentError('serious', [])).toMatch(/seriousnessCriteria/);
    expect(assessmentError('serious', ['hospitalisation'])).toBeNull();
    expect(assessmentError('non_serious', [])).toBeNull();
    expect(assessmentError('non_serious', ['death'])).toMatch(/must be empty/);
  });

  it('keeps criteria once each, in the ICH E2A order', () => {
    expect(orderedCriteria(['medically_important', 'death', 'medically_important'])).toEqual(['death', 'medically_important']);
  });
});
