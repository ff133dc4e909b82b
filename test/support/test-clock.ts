import { Clock } from '../../src/common/clock';

/** A clock that stands still until a test moves it. */
export class TestClock extends Clock {
  private current: Date;
  constructor(start: Date | string = '2026-01-05T09:00:00Z') {
    super();
    this.current = new Date(start);
  }
  override now(): Date {
    return new Date(this.current.getTime());
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  advanceHours(hours: number): void {
    this.advance(hours * 3600_000);
  }
  advanceDays(days: number): void {
    this.advance(days * 86400_000);
  }
}
