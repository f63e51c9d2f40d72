import ms from 'ms';

const DURATION = /^\d+(\.\d+)?(ms|s|m|h|d)$/;
const DAY_MS = 86_400_000;

/** A bound on a duration, in milliseconds and as written in messages. */
export interface DurationLimit {
  ms: number;
  text: string;
}

/**
 * The longest a `delay` step may wait (`for`, or `until` counted from now) and the longest
 * `retry.initial` and `retry.max`: anything further is a mistake or a value from an event.
 */
export const MAX_WAIT: DurationLimit = { ms: 365 * DAY_MS, text: '365d' };

/** The longest step `timeout` (Node.js timers cannot run past 24.8 days at all). */
export const MAX_STEP_TIMEOUT: DurationLimit = { ms: DAY_MS, text: '1d' };

/** The longest a workflow's `timeout:` may give its runs. */
export const MAX_RUN_TIMEOUT: DurationLimit = { ms: 365 * DAY_MS, text: '365d' };

/** Milliseconds for `500ms`, `15s`, `5m`, `1h`, `1d` (decimals allowed); `undefined` for anything else. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return undefined;
  const value = ms(trimmed as ms.StringValue);
  return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
}
