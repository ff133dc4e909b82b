import { COURSE_GAP_DAYS, courseSessionsAt as courseAt, isLastOfCourse } from './course';

const day = (n: number) => new Date(Date.UTC(2026, 2, 2) + n * 86_400_000);
const s = (id: string, d: number) => ({ id, performedAt: day(d) });

describe('courseAt', () => {
  it('chains sessions up to COURSE_GAP_DAYS apart and stops at a longer break', () => {
    const sessions = [s('a', 0), s('b', 40), s('c', 47), s('d', 47 + COURSE_GAP_DAYS)];
    expect(courseAt(sessions, day(100)).map((x) => x.id)).toEqual(['b', 'c', 'd']);
    expect(courseAt(sessions, day(45)).map((x) => x.id)).toEqual(['b']);
    expect(courseAt(sessions, day(10)).map((x) => x.id)).toEqual(['a']);
  });

  it('ignores sessions performed after the time and is empty before the first', () => {
    expect(courseAt([s('a', 5)], day(4))).toEqual([]);
    expect(courseAt([s('b', 7), s('a', 0)], day(3)).map((x) => x.id)).toEqual(['a']);
  });

  it('a gap of one day more than COURSE_GAP_DAYS is a new course', () => {
    expect(courseAt([s('a', 0), s('b', COURSE_GAP_DAYS + 1)], day(60)).map((x) => x.id)).toEqual(['b']);
  });
});

describe('isLastOfCourse', () => {
  it('is false for a back-filled session with a later one in the course, true otherwise', () => {
    const sessions = [s('a', 0), s('b', 7), s('c', 60)];
    expect(isLastOfCourse(sessions, sessions[0])).toBe(false);
    expect(isLastOfCourse(sessions, sessions[1])).toBe(true);
    expect(isLastOfCourse(sessions, sessions[2])).toBe(true);
  });
});
