const MINUTE_MS = 60_000;

interface Counts {
  destination: string;
  minute: number;
  successes: number;
  failures: number;
  totalMs: number;
  maxMs: number;
}

/** Counts not yet stored, as `ADD_MINUTES` takes them: one element per destination and minute. */
export interface MinuteBatch {
  destinations: string[];
  minutes: Date[];
  successes: number[];
  failures: number[];
  totals: number[];
  maxima: number[];
}

/** Attempts per destination and minute, counted in memory until they are stored. */
export class MinuteCounts {
  private readonly pending = new Map<string, Counts>();

  add(destination: string, at: Date, succeeded: boolean, durationMs: number): void {
    const minute = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
    const key = `${minute} ${destination}`;
    let counts = this.pending.get(key);
    if (!counts) this.pending.set(key, (counts = { destination, minute, successes: 0, failures: 0, totalMs: 0, maxMs: 0 }));
    if (succeeded) counts.successes++;
    else counts.failures++;
    const ms = Math.max(0, Math.round(durationMs));
    counts.totalMs += ms;
    counts.maxMs = Math.max(counts.maxMs, ms);
  }

  /** Not yet stored, for `destination` in the minutes that begin at or after `fromMs`'s minute. */
  since(destination: string, fromMs: number): { successes: number; failures: number } {
    const total = { successes: 0, failures: 0 };
    for (const counts of this.pending.values()) {
      if (counts.destination !== destination || counts.minute + MINUTE_MS <= fromMs) continue;
      total.successes += counts.successes;
      total.failures += counts.failures;
    }
    return total;
  }

  /** Everything counted so far, which is forgotten here. */
  drain(): MinuteBatch {
    const batch: MinuteBatch = { destinations: [], minutes: [], successes: [], failures: [], totals: [], maxima: [] };
    for (const counts of this.pending.values()) {
      batch.destinations.push(counts.destination);
      batch.minutes.push(new Date(counts.minute));
      batch.successes.push(counts.successes);
      batch.failures.push(counts.failures);
      batch.totals.push(counts.totalMs);
      batch.maxima.push(counts.maxMs);
    }
    this.pending.clear();
    return batch;
  }

  /** Puts back a batch that could not be stored, to go with the next one. */
  restore(batch: MinuteBatch): void {
    batch.destinations.forEach((destination, index) => {
      const at = batch.minutes[index];
      const key = `${at.getTime()} ${destination}`;
      const counts = this.pending.get(key) ?? { destination, minute: at.getTime(), successes: 0, failures: 0, totalMs: 0, maxMs: 0 };
      counts.successes += batch.successes[index];
      counts.failures += batch.failures[index];
      counts.totalMs += batch.totals[index];
      counts.maxMs = Math.max(counts.maxMs, batch.maxima[index]);
      this.pending.set(key, counts);
    });
  }
}
