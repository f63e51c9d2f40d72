import ms from 'ms';

const DURATION = /^\d+(\.\d+)?(ms|s|m|h|d)$/;

/** Milliseconds for `500ms`, `15s`, `5m`, `1h`, `1d` (decimals allowed); `undefined` for anything else. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return undefined;
  const value = ms(trimmed as ms.StringValue);
  return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
}
