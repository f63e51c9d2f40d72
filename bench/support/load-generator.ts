import autocannon from 'autocannon';
import { percentile } from './statistics';

export interface LoadRun {
  url: string;
  connections: number;
  durationSeconds: number;
  requests: autocannon.Request[];
}

export interface LoadSample {
  durationSeconds: number;
  /** 2xx answers per second of the run: the accepted-webhooks-per-second figure. */
  requestsPerSecond: number;
  completed: number;
  ok2xx: number;
  non2xx: number;
  /** Socket errors and request timeouts (10 s). */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Latencies of the 2xx answers, in milliseconds. */
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

const GRACE_SECONDS = 30;

/**
 * Closed-loop load with autocannon (keep-alive, one request in flight per connection) for a
 * fixed duration; latencies are kept at full resolution (autocannon's own are whole ms).
 */
export async function generateLoad(run: LoadRun): Promise<LoadSample> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: run.url,
    connections: run.connections,
    duration: run.durationSeconds,
    timeout: 10,
    requests: run.requests,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  // autocannon stops itself after `duration`; this only guards against a wedged run.
  const guard = setTimeout(() => instance.stop(), (run.durationSeconds + GRACE_SECONDS) * 1000);
  try {
    return summarize(await instance, latencies);
  } finally {
    clearTimeout(guard);
  }
}

function summarize(result: autocannon.Result, latencies: number[]): LoadSample {
  const sorted = Float64Array.from(latencies).sort();
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  return {
    durationSeconds: result.duration,
    requestsPerSecond: result['2xx'] / result.duration,
    completed: result.requests.total,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1] : 0,
      mean: sorted.length ? sorted.reduce((sum, value) => sum + value, 0) / sorted.length : 0,
    },
  };
}
