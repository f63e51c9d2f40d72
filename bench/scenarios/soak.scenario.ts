import { auditRun, FixedRateResult, measureFixedRate, RelaySpec, RunAudit, warmUp, withRelay } from '../support/end-to-end-run';
import { oneStepRelays, relayRunSettings, startDeliveryBench } from '../support/relays';
import { ResourceSample, ResourceSampler } from '../support/resource-sampler';
import { markdownTable, milliseconds, whole } from '../support/results-table';
import type { BenchContext, Scenario } from '../support/scenario';
import { median } from '../support/statistics';
import { ChartPanel, ChartSeries, renderChart } from '../support/svg-chart';

/** Seconds of load on Hookflow (BENCH_SOAK_SECONDS shortens it for smoke runs). */
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
/** The relay baseline is soaked for this long (at most as long as Hookflow); 0 leaves it out. */
const BASELINE_SECONDS = Math.min(SOAK_SECONDS, Number(process.env.BENCH_SOAK_BASELINE_SECONDS ?? 120));
const RATE_PER_SECOND = Number(process.env.BENCH_SOAK_RATE ?? 300);
const SAMPLE_SECONDS = 10;
/** One row of the samples table per minute. */
const TABLE_EVERY_SECONDS = 60;
/**
 * Hookflow's HOOKFLOW_RETENTION during the soak (BENCH_SOAK_RETENTION; `off` keeps
 * everything). Short, so that pruning starts within the soak and the database size levels off.
 */
const RETENTION = process.env.BENCH_SOAK_RETENTION ?? '2m';

interface SoakRun {
  name: string;
  seconds: number;
  samples: ResourceSample[];
  fixedRate: FixedRateResult;
  audit: Omit<RunAudit, 'perEvent'>;
}

/**
 * A steady open-loop load (300 events/s, one signed http step) for ten minutes, sampling
 * every 10 s the relay's RSS, the database and table sizes, the backlog, and the
 * deliveries of the interval (rate and p99). Hookflow runs with a short retention so that
 * pruning is part of the soak. Then the relay baseline, for two minutes, the same way.
 * One run each (`--runs` does not apply). Writes the tables, every sample in the results
 * JSON, and an SVG plot.
 */
export const scenario: Scenario = {
  name: 'soak',
  description:
    `${RATE_PER_SECOND} events/s for ${SOAK_SECONDS} s (BENCH_SOAK_SECONDS), then the relay for ${BASELINE_SECONDS} s: RSS, database and table sizes, ` +
    `queue depth, delivered/s and p99 every ${SAMPLE_SECONDS} s, with an SVG plot`,
  order: 60,
  runByDefault: false,
  async run(context) {
    const { receiver, env } = await startDeliveryBench(context);
    const { baseline, hookflow } = await oneStepRelays(context, env, 'bench-soak-deliver', {
      name: `Hookflow (role all), one signed http step, retention ${RETENTION}`,
      env: { HOOKFLOW_RETENTION: RETENTION },
    });
    const soaks: [RelaySpec, number][] = [[hookflow, SOAK_SECONDS]];
    if (BASELINE_SECONDS > 0) soaks.push([baseline, BASELINE_SECONDS]);
    const settings = relayRunSettings(context, receiver);
    context.log(
      `-- receiver on ${env.RECEIVER_URL}; ${RATE_PER_SECOND} events/s open loop, sampled every ${SAMPLE_SECONDS} s: ` +
        soaks.map(([relay, seconds]) => `${relay.name} for ${seconds} s`).join(', then '),
    );
    const runs: SoakRun[] = [];
    for (const [relay, seconds] of soaks) {
      const run = await withRelay(settings, relay, 1, async (running) => {
        await warmUp(settings, running);
        await settings.database.checkpoint();
        const sampler = new ResourceSampler({
          pid: running.server.pid,
          metricsUrl: relay.baseline ? undefined : `${running.server.baseUrl}/metrics`,
          databaseUrl: running.databaseUrl,
          storage: relay.storage,
          receiver,
          intervalSeconds: SAMPLE_SECONDS,
          onSample: (sample) => context.log(`  ${describeSample(sample)}`),
        });
        await sampler.start();
        let fixedRate: FixedRateResult;
        let samples: ResourceSample[];
        try {
          fixedRate = await measureFixedRate(settings, running, {
            phase: 'soak',
            ratePerSecond: RATE_PER_SECOND,
            seconds,
            loadEnded: () => sampler.loadEnded(),
          });
        } finally {
          samples = await sampler.stop();
        }
        return { name: relay.name, seconds, samples, fixedRate, audit: await auditRun(settings, running) };
      });
      context.log(
        `  ${relay.name}: ${run.fixedRate.accepted}/${run.fixedRate.sent} accepted, ${run.fixedRate.delivered} delivered, lost ${run.fixedRate.lost}, ` +
          `dupl ${run.audit.duplicates}, p99 ${run.fixedRate.latencyMs.p99.toFixed(1)} ms over the whole soak`,
      );
      runs.push(run);
    }
    await report(context, runs);
  },
};

function describeSample(sample: ResourceSample): string {
  const tables = Object.entries(sample.tablesMiB)
    .map(([table, mib]) => `${shortName(table)} ${mib.toFixed(1)}`)
    .join(', ');
  return (
    `t=${sample.atSeconds.toFixed(0).padStart(4)} s${sample.loading ? '' : ' (drain)'}  rss ${sample.rssMiB?.toFixed(1) ?? '?'} MiB${describeHeap(sample)}  db ${sample.databaseMiB.toFixed(1)} MiB (${tables})  ` +
    `backlog ${sample.backlog}  delivered ${Math.round(sample.deliveredPerSecond)}/s  p99 ${sample.p99Ms?.toFixed(1) ?? '–'} ms`
  );
}

function describeHeap(sample: ResourceSample): string {
  if (sample.heapUsedMiB === null) return '';
  return ` (heap ${sample.heapUsedMiB.toFixed(0)}/${sample.heapTotalMiB?.toFixed(0) ?? '?'}, external ${sample.externalMiB?.toFixed(0) ?? '?'})`;
}

function shortName(table: string): string {
  return table
    .split('.')
    .pop()!
    .replace(/^_private_/, '');
}

interface SoakSummary {
  rss: Trend;
  database: Trend;
  backlogMax: number;
  deliveredPerSecond: number;
  p99: { median: number; max: number };
}

interface Trend {
  start: number;
  end: number;
  max: number;
  /** Least-squares slope over the second half of the load, MiB per minute. */
  secondHalfPerMinute: number;
}

function summarize(run: SoakRun): SoakSummary {
  const loading = run.samples.filter((sample) => sample.loading);
  const trend = (pick: (sample: ResourceSample) => number | null): Trend => {
    const points = loading.flatMap((sample) => (pick(sample) === null ? [] : [[sample.atSeconds, pick(sample)!] as const]));
    const values = points.map(([, value]) => value);
    return {
      start: values[0] ?? 0,
      end: values[values.length - 1] ?? 0,
      max: values.length ? Math.max(...values) : 0,
      secondHalfPerMinute: slope(points.filter(([at]) => at >= run.seconds / 2)) * 60,
    };
  };
  const p99s = loading.flatMap((sample) => (sample.p99Ms === null ? [] : [sample.p99Ms]));
  return {
    rss: trend((sample) => sample.rssMiB),
    database: trend((sample) => sample.databaseMiB),
    backlogMax: Math.max(0, ...run.samples.map((sample) => sample.backlog)),
    deliveredPerSecond: run.fixedRate.delivered / run.seconds,
    p99: { median: median(p99s), max: p99s.length ? Math.max(...p99s) : 0 },
  };
}

/** Least-squares slope of y over x; 0 for fewer than two points. */
function slope(points: readonly (readonly [number, number])[]): number {
  if (points.length < 2) return 0;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return variance > 0 ? covariance / variance : 0;
}

async function report(context: BenchContext, runs: SoakRun[]): Promise<void> {
  const summaries = runs.map((run) => ({ run, summary: summarize(run) }));
  const baselineRss = summaries.find(({ run }) => run !== runs[0])?.summary.rss.max;
  const fromTo = (trend: Trend) => `${trend.start.toFixed(0)} → ${trend.end.toFixed(0)} (max ${trend.max.toFixed(0)})`;
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
  const table = markdownTable(
    [
      'Relay',
      'Load',
      'RSS MiB start → end',
      'RSS trend, 2nd half (MiB/min)',
      'Database MiB start → end',
      'Database trend, 2nd half (MiB/min)',
      'Backlog max',
      'Delivered/s',
      `p99 ms per ${SAMPLE_SECONDS} s (median / max)`,
      'Lost',
      'Dupl.',
      'Peak RSS vs relay',
    ],
    ['---', '---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:'],
    summaries.map(({ run, summary }) => [
      run.name,
      `${RATE_PER_SECOND}/s × ${run.seconds} s`,
      fromTo(summary.rss),
      signed(summary.rss.secondHalfPerMinute),
      fromTo(summary.database),
      signed(summary.database.secondHalfPerMinute),
      whole(summary.backlogMax),
      whole(summary.deliveredPerSecond),
      milliseconds(summary.p99.median, summary.p99.max),
      String(run.fixedRate.lost + run.audit.storedNotDelivered),
      String(run.audit.duplicates),
      run === runs[0] && baselineRss ? `${(summary.rss.max / baselineRss).toFixed(1)}×` : run === runs[0] ? '–' : 'baseline',
    ]),
  );
  const notes = [
    '',
    `One run each; open loop at ${RATE_PER_SECOND} events/s, one signed http step, sampled every ${SAMPLE_SECONDS} s after a ${context.options.warmupSeconds} s warm-up.`,
    `Hookflow runs with HOOKFLOW_RETENTION=${RETENTION} (pruning passes about once a minute), so its database should level off after a few minutes;`,
    'the relay baseline keeps every row (no retention), so its database grows with the load. RSS = VmRSS of the server process;',
    'database = pg_database_size; backlog = queue jobs (Hookflow) or undelivered rows (relay).',
  ].join('\n');
  context.report(`Soak: ${RATE_PER_SECOND} events/s, RSS and database size over time`, table + '\n' + notes, {
    settings: {
      soakSeconds: SOAK_SECONDS,
      baselineSeconds: BASELINE_SECONDS,
      ratePerSecond: RATE_PER_SECOND,
      sampleSeconds: SAMPLE_SECONDS,
      retention: RETENTION,
    },
    runs: summaries.map(({ run, summary }) => ({ ...run, summary })),
  });
  for (const run of runs) context.report(`Soak samples, every ${TABLE_EVERY_SECONDS} s: ${run.name}`, samplesTable(run));
  await context.saveFigure('soak', soakFigure(context, runs), 'soak');
}

function samplesTable(run: SoakRun): string {
  const tables = Object.keys(run.samples[0]?.tablesMiB ?? {});
  const every = Math.max(1, Math.round(TABLE_EVERY_SECONDS / SAMPLE_SECONDS));
  const last = run.samples.length - 1;
  const rows = run.samples
    .filter((_, index) => index % every === 0 || index === last)
    .map((sample) => [
      `${sample.atSeconds.toFixed(0)}${sample.loading ? '' : ' (drain)'}`,
      sample.rssMiB?.toFixed(1) ?? '–',
      sample.heapUsedMiB === null ? '–' : `${sample.heapUsedMiB.toFixed(0)} / ${sample.heapTotalMiB?.toFixed(0) ?? '?'}`,
      sample.externalMiB?.toFixed(0) ?? '–',
      sample.databaseMiB.toFixed(1),
      ...tables.map((table) => sample.tablesMiB[table].toFixed(1)),
      whole(sample.backlog),
      whole(sample.deliveredPerSecond),
      sample.p99Ms?.toFixed(1) ?? '–',
    ]);
  return markdownTable(
    [
      't (s)',
      'RSS MiB',
      'V8 heap used / total MiB',
      'External MiB',
      'Database MiB',
      ...tables.map((table) => `${shortName(table)} MiB`),
      'Backlog',
      `Delivered/s (last ${SAMPLE_SECONDS} s)`,
      'p99 ms (last 10 s)',
    ],
    ['--:', '--:', '--:', '--:', '--:', ...tables.map(() => '--:'), '--:', '--:', '--:'],
    rows,
  );
}

function soakFigure(context: BenchContext, runs: SoakRun[]): string {
  const series = (pick: (sample: ResourceSample) => number | null): ChartSeries[] =>
    runs.map((run) => ({
      name: run === runs[0] ? 'Hookflow' : 'Relay baseline',
      points: run.samples.flatMap((sample) => (pick(sample) === null ? [] : [[sample.atSeconds / 60, pick(sample)!] as const])),
    }));
  const panels: ChartPanel[] = [
    {
      title: "Resident memory (VmRSS) of the server process, and Hookflow's V8 heap in use",
      xLabel: 'minutes into the soak',
      yLabel: 'MiB',
      yFromZero: true,
      series: [
        ...series((sample) => sample.rssMiB),
        {
          name: 'Hookflow V8 heap used',
          line: 'dashed',
          points: runs[0].samples.flatMap((sample) => (sample.heapUsedMiB === null ? [] : [[sample.atSeconds / 60, sample.heapUsedMiB] as const])),
        },
      ],
    },
    {
      title: 'Database size (pg_database_size)',
      xLabel: 'minutes into the soak',
      yLabel: 'MiB',
      yFromZero: true,
      series: series((sample) => sample.databaseMiB),
    },
    {
      title: `p99 delivery latency per ${SAMPLE_SECONDS} s window`,
      xLabel: 'minutes into the soak',
      yLabel: 'ms (log scale)',
      logY: true,
      series: series((sample) => sample.p99Ms),
    },
  ];
  return renderChart(panels, {
    panelHeight: 280,
    caption: `${RATE_PER_SECOND} events/s, one signed HTTP step; Hookflow role all with HOOKFLOW_RETENTION=${RETENTION}; ${new Date().toISOString().slice(0, 10)}; ${context.options.warmupSeconds} s warm-up before t = 0.`,
  });
}
