import { DEFAULT_EXPECTED_COURSE as course, expectedCourseErrors, expectedMax, windowEnd } from './expected-course';

describe('expected course', () => {
  it('bruising: moderate until day 10, mild until day 15, none after', () => {
    expect(expectedMax(course, 'bruising', 0)).toBe(2);
    expect(expectedMax(course, 'bruising', 10)).toBe(2);
    expect(expectedMax(course, 'bruising', 11)).toBe(1);
    expect(expectedMax(course, 'bruising', 15)).toBe(1);
    expect(expectedMax(course, 'bruising', 16)).toBe(0);
    expect(windowEnd(course, 'bruising')).toBe(15);
  });

  it('redness: moderate days 0–2, mild after, gone after day 14; itching mild until day 7', () => {
    expect(expectedMax(course, 'redness', 2)).toBe(2);
    expect(expectedMax(course, 'redness', 3)).toBe(1);
    expect(expectedMax(course, 'redness', 15)).toBe(0);
    expect(windowEnd(course, 'redness')).toBe(14);
    expect(expectedMax(course, 'itching', 7)).toBe(1);
    expect(expectedMax(course, 'itching', 8)).toBe(0);
    expect(windowEnd(course, 'itching')).toBe(7);
  });

  it('accepts the default and names each fault of a bad one', () => {
    expect(expectedCourseErrors(course)).toEqual([]);
    expect(expectedCourseErrors(null)).toEqual(['expectedCourse must be an object with one list of bands per symptom']);
    const errors = expectedCourseErrors({ ...course, swelling: [], pain: [{ throughDay: 5, max: 9 }, { throughDay: 3, max: 1 }], itching: 'x' });
    expect(errors).toEqual(
      expect.arrayContaining([
        'expectedCourse.swelling is not a symptom (expected bruising, redness, itching, burning, pain)',
        'expectedCourse.itching must be a list of { throughDay, max } bands',
        'expectedCourse.pain[0].max must be a score from 0 to 4',
        'expectedCourse.pain[1].throughDay must be later than the band before it',
      ]),
    );
  });
});
