import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndToEndRun } from './end-to-end-run';
import { formatEndToEndTable, formatRolesTable, perProcess, summarizeRelays } from './end-to-end-table';

const MIB = 1024 * 1024;

interface RunFigures {
  delivered: number;
  p99: number;
  /** Peak RSS (MiB) of each process, the one that receives the load first. */
  rss: number[];
  /** CPU cores of each process at saturation. */
  cpu?: number[];
}

function run({ delivered, p99, rss, cpu = rss.map(() => 0.5) }: RunFigures): EndToEndRun {
  const names = ['ingress', ...rss.slice(1).map((_, index) => `worker ${index + 1}`)];
  return {
    round: 1,
    fixedRate: {
      ratePerSecond: 200,
      sent: 600,
      accepted: 600,
      non2xx: 0,
      errors: 0,
      skipped: 0,
      delivered: 600,
      lost: 0,
      latencyMs: { p50: 3.04, p90: 8, p99, max: p99 * 2 },
      acceptMs: { p50: 1, p99: 4 },
      idPrefix: 'rate-',
    },
    saturation: {
      accepted: delivered * 10,
      non2xx: 0,
      errors: 0,
      loadSeconds: 10,
      acceptedPerSecond: delivered * 1.2,
      deliveredPerSecondDuringLoad: delivered,
      delivered: delivered * 10,
      drainSeconds: 0.5,
      deliveredPerSecondDuringDrain: 0,
      deliveredPerSecondLoadAndDrain: delivered,
      lost: 0,
      cpu: { machine: 2, loadGenerator: 0.3, server: cpu[0], companions: cpu.length > 1 ? cpu.slice(1) : undefined, database: 0.55, rest: 0.1 },
    },
    audit: {
      stored: 1000,
      states: {},
      deliveredUnique: 1000,
      storedNotDelivered: 0,
      duplicates: 0,
      duplicatesWithSameKey: 0,
      unparsable: 0,
      signatures: { checked: 100, valid: 100, invalid: 0, unsigned: 0 },
      perEvent: { commits: 0.5, rowsInserted: 4, rowsUpdated: 2, rowsDeleted: 0 },
    },
    memory: rss.map((mib, index) => ({ process: names[index], peakRssBytes: mib * MIB, rssBytes: (mib - 10) * MIB })),
  };
}

function relay(name: string, baseline: boolean, runs: RunFigures[]) {
  return { name, baseline, runs: runs.map(run) };
}

describe('summarizeRelays', () => {
  it('compares the medians of delivered/s, p99 and peak RSS (summed over processes) with the baseline', () => {
    const [baseline, hookflow] = summarizeRelays([
      relay('Relay', true, [
        { delivered: 2000, p99: 40, rss: [80] },
        { delivered: 2400, p99: 30, rss: [100] },
        { delivered: 2200, p99: 50, rss: [90] },
      ]),
      relay('Hookflow', false, [
        { delivered: 1500, p99: 20, rss: [100, 90] },
        { delivered: 1650, p99: 15, rss: [120, 105] },
        { delivered: 1800, p99: 10, rss: [110, 95] },
      ]),
    ]);
    assert.equal(baseline.ratioToBaseline, 1);
    assert.equal(hookflow.ratioToBaseline, 1650 / 2200);
    assert.equal(hookflow.p99ToBaseline, 15 / 40);
    assert.equal(hookflow.medians.peakRssMiB, 205);
    assert.equal(hookflow.peakRssToBaseline, 205 / 90);
    assert.deepEqual(
      hookflow.processes.map((measured) => [measured.name, measured.peakRssMiB]),
      [
        ['ingress', 110],
        ['worker 1', 95],
      ],
    );
  });

  it('has no ratios without a baseline, and no peak RSS where /proc gave none', () => {
    const [only] = summarizeRelays([relay('Hookflow', false, [{ delivered: 1000, p99: 10, rss: [] }])]);
    assert.equal(only.ratioToBaseline, null);
    assert.equal(only.medians.peakRssMiB, 0);
    assert.deepEqual(only.processes, []);
    assert.match(formatEndToEndTable([only], 200), /\| 10\.0 \| – \| – \| – \|/);
  });
});

describe('formatEndToEndTable', () => {
  it('puts delivered/s, p99 and peak RSS each beside its ratio to the baseline relay', () => {
    const table = formatEndToEndTable(
      summarizeRelays([
        relay('Baseline relay', true, [{ delivered: 2000, p99: 40, rss: [80] }]),
        relay('Hookflow (role all)', false, [{ delivered: 1500, p99: 20, rss: [180] }]),
      ]),
      200,
    );
    const lines = table.split('\n');
    assert.equal(lines.length, 4);
    assert.equal(
      lines[0],
      '| Relay | Delivered/s load + drain | vs baseline | runs (load + drain) | Drain s | p50 ms @ 200/s | p99 ms @ 200/s | p99 vs baseline | Peak RSS MiB | RSS vs baseline | Lost | Dupl. | Signatures ok |',
    );
    assert.equal(lines[1].split('|').length, lines[0].split('|').length);
    assert.equal(lines[2], '| Baseline relay | 2,000 | 100% (baseline) | 2,000 | 0.5 | 3.0 | 40.0 | 1.00× | 80 | 1.00× | 0 | 0 | 100/100 |');
    assert.equal(lines[3], '| Hookflow (role all) | 1,500 | 75% | 1,500 | 0.5 | 3.0 | 20.0 | 0.50× | 180 | 2.25× | 0 | 0 | 100/100 |');
  });
});

describe('formatRolesTable', () => {
  it('shows CPU and peak RSS per process and their sum, with ratios to role all', () => {
    const table = formatRolesTable(
      summarizeRelays([
        relay('Hookflow, role all', true, [{ delivered: 1600, p99: 20, rss: [200], cpu: [0.9] }]),
        relay('Hookflow, ingress + worker', false, [{ delivered: 1200, p99: 30, rss: [150, 170], cpu: [0.45, 0.6] }]),
      ]),
      200,
    );
    const lines = table.split('\n');
    assert.match(
      lines[0],
      /^\| Hookflow processes \| Accepted\/s during load \|.*\| CPU cores at saturation \| PostgreSQL cores \| Peak RSS MiB \| RSS vs role all \|/,
    );
    assert.equal(lines[2], '| Hookflow, role all | 1,920 | 1,600 | 100% (reference) | 1,600 | 0.5 | 3.0 | 20.0 | 1.00× | 0.90 | 0.55 | 200 | 1.00× | 0 | 0 |');
    assert.equal(
      lines[3],
      '| Hookflow, ingress + worker | 1,440 | 1,200 | 75% | 1,200 | 0.5 | 3.0 | 30.0 | 1.50× | 0.45 + 0.60 = 1.05 | 0.55 | 150 + 170 = 320 | 1.60× | 0 | 0 |',
    );
  });
});

describe('perProcess', () => {
  it('prints one value alone and several as a sum', () => {
    assert.equal(perProcess([212], String), '212');
    assert.equal(perProcess([118, 94, 10], String), '118 + 94 + 10 = 222');
  });
});
