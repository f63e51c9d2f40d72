import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { percentile } from './statistics';
import { BENCH_SOURCE } from './signed-order-requests';
import { epochMs, TimedOrderRequests } from './timed-order-requests';

export interface FixedRateRun {
  url: string;
  ratePerSecond: number;
  durationSeconds: number;
  requests: TimedOrderRequests;
  /** Sockets to the server; requests beyond them wait in the pool (their wait counts as latency). */
  connections?: number;
}

export interface FixedRateSample {
  sent: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  /** Requests not sent because too many were already outstanding (the server fell behind). */
  skipped: number;
  durationSeconds: number;
  /** Time to the 2xx answer, in milliseconds. */
  responseMs: { p50: number; p99: number; max: number };
}

const MAX_OUTSTANDING = 2_000;
const REQUEST_TIMEOUT_MS = 10_000;
const SETTLE_GRACE_MS = 15_000;

/**
 * Open-loop load: requests at evenly spaced times (rate × duration of them, no more), each
 * timestamped when it is built, whether or not earlier ones have been answered, so a slow
 * server shows up as latency instead of as a lower sending rate.
 */
export async function generateFixedRate(run: FixedRateRun): Promise<FixedRateSample> {
  const pool = new Pool(run.url, { connections: run.connections ?? 32, pipelining: 1 });
  const total = Math.round(run.ratePerSecond * run.durationSeconds);
  const sample = { sent: 0, ok2xx: 0, non2xx: 0, errors: 0, skipped: 0 };
  const responseTimes: number[] = [];
  const pending = new Set<Promise<void>>();
  const startedAt = epochMs();
  try {
    let due = 0;
    while (due < total && epochMs() - startedAt < run.durationSeconds * 1000 + SETTLE_GRACE_MS) {
      due = Math.min(total, Math.floor(((epochMs() - startedAt) / 1000) * run.ratePerSecond) + 1);
      while (sample.sent + sample.skipped < due) {
        if (pending.size >= MAX_OUTSTANDING) {
          sample.skipped++;
          continue;
        }
        sample.sent++;
        const request = send(pool, run.requests, sample, responseTimes);
        pending.add(request);
        void request.finally(() => pending.delete(request));
      }
      await sleep(1);
    }
    const durationSeconds = (epochMs() - startedAt) / 1000;
    await Promise.race([Promise.allSettled([...pending]), sleep(REQUEST_TIMEOUT_MS + 1_000)]);
    const sorted = Float64Array.from(responseTimes).sort();
    return {
      ...sample,
      durationSeconds,
      responseMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.length ? sorted[sorted.length - 1] : 0 },
    };
  } finally {
    await pool.destroy();
  }
}

async function send(pool: Pool, requests: TimedOrderRequests, sample: { ok2xx: number; non2xx: number; errors: number }, times: number[]): Promise<void> {
  const { headers, body } = requests.next();
  const sentAt = epochMs();
  try {
    const response = await pool.request({
      method: 'POST',
      path: `/hooks/${BENCH_SOURCE}`,
      headers,
      body,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    await response.body.dump();
    if (response.statusCode >= 200 && response.statusCode < 300) {
      sample.ok2xx++;
      times.push(epochMs() - sentAt);
    } else {
      sample.non2xx++;
    }
  } catch {
    sample.errors++;
  }
}
