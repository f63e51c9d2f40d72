import { FixedRateResult, LevelledRun, measureFixedRate, RelaySpec } from '../support/end-to-end-run';
import { levelledRounds, oneStepRelays, relayRunSettings, startDeliveryBench } from '../support/relays';
import { markdownTable, milliseconds } from '../support/results-table';
import type { BenchContext, Scenario } from '../support/scenario';
import { median } from '../support/statistics';
import { ChartSeries, renderChart } from '../support/svg-chart';

/** Offered loads, events/s (BENCH_CURVE_RATES, comma-separated). */
const RATES = (process.env.BENCH_CURVE_RATES ?? '100,200,400,800,1200,1600').split(',').map(Number);
/** Seconds of open-loop load per level (BENCH_CURVE_SECONDS). */
const LEVEL_SECONDS = Number(process.env.BENCH_CURVE_SECONDS ?? 5);
const PERCENTILES = ['p50', 'p90', 'p99'] as const;

type CurveRun = LevelledRun<FixedRateResult>;

/**
 * End-to-end latency percentiles against offered load: one process per relay and run goes
 * through the rates in increasing order, a few seconds of open-loop load at each, drained
 * (bounded) before the next. Writes the table and an SVG plot (log latency axis).
 */
export const scenario: Scenario = {
  name: 'latency-curve',
  description: `End-to-end latency p50/p90/p99 vs offered load (${RATES.join(', ')} events/s), Hookflow and the relay baseline, with an SVG plot (about 4 minutes)`,
  order: 50,
  async run(context) {
    const { receiver, env } = await startDeliveryBench(context);
    const { baseline, hookflow } = await oneStepRelays(context, env, 'bench-curve-deliver');
    const relays = [baseline, hookflow];
    const settings = relayRunSettings(context, receiver);
    context.log(
      `-- receiver on ${env.RECEIVER_URL}; per run: ${context.options.warmupSeconds} s warm-up, then ${LEVEL_SECONDS} s at each of ${RATES.join(', ')} events/s`,
    );
    const runs = await levelledRounds(
      context,
      settings,
      relays,
      RATES,
      (running, rate) => measureFixedRate(settings, running, { phase: `r${rate}`, ratePerSecond: rate, seconds: LEVEL_SECONDS }),
      (level) =>
        `${level.ratePerSecond}/s: ${level.accepted}/${level.sent} accepted, lost ${level.lost}, ` +
        `p50 ${level.latencyMs.p50.toFixed(1)} p90 ${level.latencyMs.p90.toFixed(1)} p99 ${level.latencyMs.p99.toFixed(1)} ms`,
    );
    await report(context, relays, runs);
  },
};

type Curve = { rate: number; p50: number; p90: number; p99: number; lost: number; shortfall: number }[];

/** Per rate, the median over the runs of each percentile; `shortfall` counts requests not accepted (non-2xx, errors, skipped). */
function curveOf(runs: CurveRun[]): Curve {
  return RATES.map((rate, index) => {
    const levels = runs.map((run) => run.levels[index]);
    return {
      rate,
      p50: median(levels.map((level) => level.latencyMs.p50)),
      p90: median(levels.map((level) => level.latencyMs.p90)),
      p99: median(levels.map((level) => level.latencyMs.p99)),
      lost: levels.reduce((sum, level) => sum + level.lost, 0),
      shortfall: levels.reduce((sum, level) => sum + level.sent + level.skipped - level.accepted, 0),
    };
  });
}

async function report(context: BenchContext, relays: RelaySpec[], runs: Map<RelaySpec, CurveRun[]>): Promise<void> {
  const [baseline, hookflow] = [relays.find((relay) => relay.baseline)!, relays.find((relay) => !relay.baseline)!];
  const curves = new Map(relays.map((relay) => [relay, curveOf(runs.get(relay)!)]));
  const ours = curves.get(hookflow)!;
  const theirs = curves.get(baseline)!;
  const rows = RATES.map((rate, index) => [
    String(rate),
    milliseconds(ours[index].p50, ours[index].p90, ours[index].p99),
    milliseconds(theirs[index].p50, theirs[index].p90, theirs[index].p99),
    theirs[index].p99 > 0 ? `${(ours[index].p99 / theirs[index].p99).toFixed(1)}×` : '–',
    `${ours[index].lost} / ${theirs[index].lost}`,
    `${ours[index].shortfall} / ${theirs[index].shortfall}`,
  ]);
  const table = markdownTable(
    [
      'Offered events/s',
      'Hookflow p50 / p90 / p99 ms',
      'Relay baseline p50 / p90 / p99 ms',
      'Hookflow p99 ÷ relay p99',
      'Lost (Hookflow / relay)',
      'Not accepted (Hookflow / relay)',
    ],
    ['--:', '--:', '--:', '--:', '--:', '--:'],
    rows,
  );
  const notes =
    `\n\nMedians of ${context.options.runs} run(s), ${LEVEL_SECONDS} s of open-loop load per level, rates in increasing order in one process per run, ` +
    'each level drained before the next. Latency = arrival at the receiver − send time of the event; one signed http step. ' +
    '"Not accepted" counts requests answered non-2xx, failed, or not sent because 2,000 were already outstanding.';
  context.report('End-to-end latency against offered load', table + notes, {
    settings: { rates: RATES, levelSeconds: LEVEL_SECONDS },
    curves: Object.fromEntries(relays.map((relay) => [relay.name, curves.get(relay)])),
    runs: Object.fromEntries(relays.map((relay) => [relay.name, runs.get(relay)])),
  });

  const colors = { hookflow: '#1f77b4', baseline: '#ff7f0e' };
  const lines = { p50: 'solid', p90: 'dashed', p99: 'dotted' } as const;
  const series: ChartSeries[] = [
    ...PERCENTILES.map((p) => ({
      name: `Hookflow ${p}`,
      color: colors.hookflow,
      line: lines[p],
      points: ours.map((point) => [point.rate, point[p]] as const),
    })),
    ...PERCENTILES.map((p) => ({
      name: `Relay baseline ${p}`,
      color: colors.baseline,
      line: lines[p],
      points: theirs.map((point) => [point.rate, point[p]] as const),
    })),
  ];
  const svg = renderChart(
    [
      {
        title: 'End-to-end latency vs offered load (webhook in → one signed HTTP POST out)',
        xLabel: 'offered load, events/s (open loop)',
        yLabel: 'latency, ms (log scale)',
        logY: true,
        series,
      },
    ],
    {
      panelHeight: 420,
      caption: `Medians of ${context.options.runs} run(s), ${LEVEL_SECONDS} s per level, ${new Date().toISOString().slice(0, 10)}; Hookflow role all vs bare Fastify + pg relay, same machine and run.`,
    },
  );
  await context.saveFigure('latency-curve', svg, 'latency-vs-load');
}
