import { DEFAULT_EXPECTED_COURSE, ExpectedCourse } from '../protocols/expected-course';
import { CourseAnswer, courseReport, median, percentile } from './course-report';

const zero = { bruising: 0, redness: 0, itching: 0, burning: 0, pain: 0 };
let clock = Date.parse('2026-03-03T09:00:00Z');
function answer(treatmentId: string, day: number, scores: Partial<CourseAnswer['scores']> | null, over: Partial<CourseAnswer> = {}): CourseAnswer {
  return {
    treatmentId,
    courseId: treatmentId,
    performedAt: new Date('2026-03-02T09:00:00Z'),
    patientId: `p-${treatmentId}`,
    procedure: 'mesotherapy',
    product: 'X',
    day,
    receivedAt: new Date((clock += 60_000)),
    scores: scores === null ? { bruising: null, redness: null, itching: null, burning: null, pain: null } : { ...zero, ...scores },
    course: DEFAULT_EXPECTED_COURSE,
    warningSigns: [],
    ...over,
  };
}

describe('median and percentile', () => {
  it('median averages the middle pair; the 90th percentile is the nearest rank', () => {
    expect(median([])).toBeNull();
    expect(median([7, 1, 3])).toBe(3);
    expect(median([1, 3, 7, 14])).toBe(5);
    expect(percentile([1, 3, 7, 14], 0.9)).toBe(14);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([5], 0.9)).toBe(5);
  });
});

describe('courseReport', () => {
  it('counts shares per day, above the expected course, and how long each symptom lasted', () => {
    const answers = [
      // Day 1: t1 bruising 2 (usual ≤ 2), t2 bruising 3 (above) and pain 3 (above ≤ 2), t3 nothing.
      answer('t1', 1, { bruising: 2 }),
      answer('t2', 1, { bruising: 3, pain: 3 }),
      answer('t3', 1, {}),
      // Day 3: t1 bruising 1, t2 bruising 1.
      answer('t1', 3, { bruising: 1 }),
      answer('t2', 3, { bruising: 1 }),
      // Day 14: t2 bruising 1 still (usual until day 15), t1 itching 1 (window ended day 7).
      answer('t2', 14, { bruising: 1 }),
      answer('t1', 14, { itching: 1 }),
    ];
    const [g] = courseReport(answers);
    expect(g).toMatchObject({ procedure: 'mesotherapy', product: 'X', treatments: 3, patients: 3 });
    expect(g.steps.map((s) => s.day)).toEqual([1, 3, 14]);
    const d1 = g.steps[0];
    expect(d1).toMatchObject({ answering: 3, patients: 3, anyAboveExpected: 1 });
    expect(d1.shareAnyAboveExpected).toBeCloseTo(1 / 3, 10);
    expect(d1.symptoms.bruising).toMatchObject({ answered: 3, withSymptom: 2, aboveExpected: 1, expectedMax: 2 });
    expect(d1.symptoms.bruising.share).toBeCloseTo(2 / 3, 10);
    expect(d1.symptoms.pain).toMatchObject({ withSymptom: 1, aboveExpected: 1, expectedMax: 2 });
    expect(g.steps[2].symptoms.itching).toMatchObject({ answered: 2, withSymptom: 1, aboveExpected: 1, expectedMax: 0 });
    // Bruising lasted to day 3 (t1) and day 14 (t2): median 8.5, p90 14, within the day-15 window.
    expect(g.durations.bruising).toMatchObject({ courses: 3, withSymptom: 2, lastDayMedian: 8.5, lastDayP90: 14, lastDayMax: 14, expectedWindowEnd: 15, beyondWindow: 0, shareBeyondWindow: 0 });
    // Itching on day 14 is past its day-7 window.
    expect(g.durations.itching).toMatchObject({ withSymptom: 1, lastDayMedian: 14, expectedWindowEnd: 7, beyondWindow: 1, shareBeyondWindow: 1 });
    expect(g.durations.redness).toMatchObject({ courses: 3, withSymptom: 0, lastDayMedian: null, lastDayP90: null, shareBeyondWindow: null });
  });

  it('keeps the latest score per symptom when a day was answered twice, and ignores answers without scores', () => {
    const [g] = courseReport([answer('t1', 1, { pain: 3 }), answer('t1', 1, { pain: 1 }), answer('t2', 1, null)]);
    expect(g.steps[0]).toMatchObject({ answering: 1, patients: 1 });
    expect(g.steps[0].symptoms.pain).toMatchObject({ answered: 1, withSymptom: 1, aboveExpected: 0 });
  });

  it('judges each answer by its own protocol and says so when protocols in a group differ', () => {
    const strict: ExpectedCourse = { ...DEFAULT_EXPECTED_COURSE, pain: [{ throughDay: 1, max: 1 }] };
    const [g] = courseReport([answer('t1', 1, { pain: 2 }), answer('t2', 1, { pain: 2 }, { course: strict })]);
    expect(g.steps[0].symptoms.pain).toMatchObject({ aboveExpected: 1, expectedMax: null });
    expect(g.durations.pain.expectedWindowEnd).toBeNull();
    expect(g.durations.pain.beyondWindow).toBe(0);
  });

  it('groups by procedure and product', () => {
    const groups = courseReport([answer('t1', 1, {}), answer('t2', 1, {}, { product: 'Y' }), answer('t3', 1, {}, { procedure: 'prp' })]);
    expect(groups.map((g) => `${g.procedure}/${g.product}`)).toEqual(['mesotherapy/X', 'mesotherapy/Y', 'prp/X']);
  });

  it('measures a symptom across the sessions of a course, not from each new session', () => {
    const s2 = { courseId: 's1', performedAt: new Date('2026-03-16T09:00:00Z') }; // 14 days after s1
    const s3 = { courseId: 's1', performedAt: new Date('2026-03-30T09:00:00Z') };
    const [g] = courseReport([
      // Bruising from day 3 after session 1, still there on days 1, 3 and 7 after session 2 (day 21 of session 1).
      answer('s1', 1, {}, { courseId: 's1' }),
      answer('s1', 3, { bruising: 1 }, { courseId: 's1' }),
      // Pain after session 2 that clears, then pain again after session 3: two episodes, the longer counts.
      answer('s2', 1, { bruising: 1, pain: 1 }, s2),
      answer('s2', 3, { bruising: 1, pain: 1 }, s2),
      answer('s2', 7, { bruising: 1, pain: 0 }, s2),
      answer('s3', 1, { pain: 1 }, s3),
      answer('s3', 3, { pain: 1 }, s3),
    ]);
    expect(g.durations.bruising).toMatchObject({ courses: 1, withSymptom: 1, lastDayMax: 21, beyondWindow: 1 });
    expect(g.durations.pain).toMatchObject({ courses: 1, withSymptom: 1, lastDayMax: 3 });
  });

  it('counts per course who reported warning signs and signs of infection, once per course', () => {
    const [g] = courseReport([
      answer('t1', 1, {}, { warningSigns: ['fever'] }),
      answer('t1', 3, {}, { warningSigns: ['fever', 'discharge'] }),
      answer('t2', 1, {}, { warningSigns: ['hives'] }),
      answer('t3', 1, {}),
      answer('t4', 30, null, { warningSigns: ['new_lump'] }),
    ]);
    expect(g.warningSigns).toEqual({
      courses: 4,
      withAny: 3,
      withInfectionSign: 2,
      shareInfectionSign: 0.5,
      bySign: { fever: 1, discharge: 1, spreading_redness: 0, new_lump: 1, skin_change: 0, airway_swelling: 0, hives: 1 },
    });
  });
});
