import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadSample } from './load-generator';
import { formatResultsTable } from './results-table';
import type { ServerSummary } from './server-comparison';

function run(requestsPerSecond: number): LoadSample {
  return {
    durationSeconds: 10,
    requestsPerSecond,
    completed: requestsPerSecond * 10,
    ok2xx: requestsPerSecond * 10,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    statusCodes: { 202: requestsPerSecond * 10 },
    latencyMs: { p50: 4.04, p90: 8, p99: 12.56, max: 20, mean: 5 },
  };
}

function summary(name: string, rates: number[], ratio: number | null, baseline = false, ratioPerRound: number[] = []): ServerSummary {
  return {
    name,
    baseline,
    runs: rates.map(run),
    medianRequestsPerSecond: rates[1],
    medianP50Ms: 4.04,
    medianP99Ms: 12.56,
    non2xx: 0,
    errors: 0,
    ratioToBaseline: ratio,
    ratioPerRound,
  };
}

describe('formatResultsTable', () => {
  it('prints one Markdown row per server with every run and the ratio to the baseline', () => {
    const table = formatResultsTable([
      summary('Baseline', [10000, 11000, 12000], 1, true),
      summary('Hookflow', [5000, 6050, 7000], 0.55, false, [0.5, 0.55, 0.5833]),
    ]);
    const lines = table.split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0], /\| 3 runs \|/);
    assert.equal(lines[2], '| Baseline | 11,000 | 10,000 / 11,000 / 12,000 | 4.0 | 12.6 | 0 | 0 | baseline |');
    assert.equal(lines[3], '| Hookflow | 6,050 | 5,000 / 6,050 / 7,000 | 4.0 | 12.6 | 0 | 0 | 55% (per run 50 / 55 / 58%) |');
  });
});
