import { Clock } from './clock';

/** A clock for tests: it stands still until the test moves it. */
export class ManualClock extends Clock {
  private current: number;
  private monotonic = 0;

  constructor(start: Date | string = '2030-01-31T09:00:00.000Z') {
    super();
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  monotonicMs(): number {
    return this.monotonic;
  }

  /** Moves both the wall clock and the monotonic clock forward. */
  advance(ms: number): void {
    this.current += ms;
    this.monotonic += ms;
  }
}
