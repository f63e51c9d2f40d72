/**
 * The time, for everything whose behaviour depends on it: retries and delays, leases,
 * signatures, schedules, retention. One instance serves the whole application
 * (ClockModule), so that a test can put a clock of its own in its place and move it,
 * instead of sleeping.
 */
export abstract class Clock {
  /** The wall-clock time: what is stored, compared with stored times, and sent. */
  abstract now(): Date;

  /**
   * Milliseconds from an arbitrary origin, never set back: for how long ago something
   * happened in this process (a lease confirmed, a request started).
   */
  abstract monotonicMs(): number;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }

  monotonicMs(): number {
    return performance.now();
  }
}
