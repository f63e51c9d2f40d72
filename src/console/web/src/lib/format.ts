/* How times, durations and ids read in the console. */

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });
const clock = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** "12 s ago", "3 min ago", "yesterday". */
export function timeAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['second', 60],
    ['minute', 60],
    ['hour', 24],
    ['day', 30],
    ['month', 12],
    ['year', Infinity],
  ];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return Math.abs(value) < 5 && unit === 'second' ? 'just now' : relative.format(value, unit);
    value = Math.round(value / size);
  }
  return absolute.format(new Date(iso));
}

export function dateTime(iso: string | null | undefined): string {
  return iso ? absolute.format(new Date(iso)) : '—';
}

export function clockTime(iso: string | null | undefined): string {
  return iso ? clock.format(new Date(iso)) : '—';
}

/** 850 ms, 1.2 s, 3 min 4 s, 2 h 5 min. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Between two instants; a run still going counts up to now. */
export function elapsed(from: string | null | undefined, to: string | null | undefined, now = Date.now()): number | null {
  if (!from) return null;
  return (to ? new Date(to).getTime() : now) - new Date(from).getTime();
}

export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '—' : `${Math.round(ratio * 100)}%`;
}

/** The last 8 characters of a uuid v7 (the first ones are the time, the same for neighbours). */
export function shortId(id: string): string {
  return id.replace(/-/g, '').slice(-8);
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Pretty JSON when the text parses, the text itself otherwise. */
export function prettyText(value: unknown): { text: string; json: boolean } {
  if (typeof value === 'string') {
    try {
      return { text: JSON.stringify(JSON.parse(value), null, 2), json: true };
    } catch {
      return { text: value, json: false };
    }
  }
  if (value === undefined) return { text: '', json: false };
  return { text: JSON.stringify(value, null, 2), json: true };
}
