import { randomBytes } from 'node:crypto';
import { DeliveryReceiver, ReceiverGroup } from '../support/delivery-receiver';
import { deliveryLatency, FixedRateResult, LatencySummary, LevelledRun, measureFixedRate, RelaySpec } from '../support/end-to-end-run';
import { baselineRelay, deliverWorkflowYaml, hookflowRelay, levelledRounds, relayRunSettings, startReceiver } from '../support/relays';
import { markdownTable, milliseconds } from '../support/results-table';
import type { BenchContext, Scenario } from '../support/scenario';
import { median } from '../support/statistics';
import type { TargetChooser } from '../support/timed-order-requests';

const SLOW_RECEIVERS = 100;
const SLOW_ANSWER_MS = 500;
/** One event in five goes to the fast receiver, the other four to the slow ones in turn. */
const FAST_EVERY = 5;
/**
 * Events per second of the mixed phases (BENCH_SLOW_RATES, comma-separated). 200/s keeps
 * about 80 requests waiting on the slow receivers, 400/s about 160: more than the 128 runs
 * a Hookflow process executes at once.
 */
const MIXED_RATES = (process.env.BENCH_SLOW_RATES ?? '200,400').split(',').map(Number);
/** Seconds of each phase (BENCH_SLOW_SECONDS). */
const PHASE_SECONDS = Number(process.env.BENCH_SLOW_SECONDS ?? 10);
const ALONE_PHASE = 'alone';
const MIXED_PHASE = 'mixed';

/** The workflow under test: one signed `http` step to whichever receiver the event names. */
const ROUTED_WORKFLOW_YAML = deliverWorkflowYaml({
  name: 'bench-slow-routed',
  description: 'Deliver each order.paid event to the receiver its body names, signed.',
  url: '{{event.body.target}}/deliver',
});

/** One mixed rate: the fast receiver's share alone, then the mixed load. */
interface SlowLevel {
  rate: number;
  fastOnly: FixedRateResult;
  mixed: FixedRateResult;
  /** The fast receiver's deliveries during the mixed phase. */
  fastMixedMs: LatencySummary;
  /** The slow receivers' deliveries: when the request arrived, and when it was answered (≥ 500 ms later). */
  slowArrivedMs: LatencySummary;
  slowAnsweredMs: LatencySummary;
}

type SlowRun = LevelledRun<SlowLevel>;

/**
 * Slow receivers and head-of-line blocking: 100 receivers (each its own HTTP server on
 * 127.0.0.1, in the bench process) answer after 500 ms, one answers at once. For each
 * mixed rate a run has a fast-only phase (the fast receiver's share of the load, alone)
 * and a mixed phase (the same fast traffic plus four times as much to the slow ones,
 * spread evenly). No head-of-line blocking means the fast receiver's latency in the mixed
 * phase stays what it was alone. The baseline relay routes on the same `target` field.
 */
export const scenario: Scenario = {
  name: 'slow',
  description: `${SLOW_RECEIVERS} receivers answering after ${SLOW_ANSWER_MS} ms + 1 fast: fast-receiver latency alone vs mixed in (head-of-line blocking) (about 6 minutes)`,
  order: 34,
  async run(context) {
    const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
    const fast = await startReceiver(context, signingSecret);
    const slow: { receiver: DeliveryReceiver; url: string }[] = [];
    for (let index = 0; index < SLOW_RECEIVERS; index++) slow.push(await startReceiver(context, signingSecret, { answerDelayMs: SLOW_ANSWER_MS }));
    const slowGroup = new ReceiverGroup(slow.map(({ receiver }) => receiver));
    const everyone = new ReceiverGroup([fast.receiver, ...slowGroup.receivers]);

    const toFast: TargetChooser = () => fast.url;
    // Sequence n: every fifth to the fast receiver, the others round-robin over the slow ones.
    const mixed: TargetChooser = (n) => (n % FAST_EVERY === 0 ? fast.url : slow[(n - Math.floor(n / FAST_EVERY) - 1) % SLOW_RECEIVERS].url);
    const settings = relayRunSettings(context, everyone, (phase) => (phase.startsWith(MIXED_PHASE) ? mixed : toFast));
    const env = { RECEIVER_URL: fast.url, SIGNING_SECRET: signingSecret };
    const relays = [
      baselineRelay(env, { targetFromBody: true }),
      await hookflowRelay(context, env, { name: 'Hookflow (role all), one signed http step', workflows: { 'bench-slow-routed.yaml': ROUTED_WORKFLOW_YAML } }),
    ];
    context.log(
      `-- ${SLOW_RECEIVERS} slow receivers (${slow[0].url} …) and a fast one (${fast.url}), in the bench process; per run: ` +
        `${context.options.warmupSeconds} s warm-up (fast), then for each of ${MIXED_RATES.join(', ')} events/s: the fast fifth alone, then mixed, ${PHASE_SECONDS} s each`,
    );

    const runs = await levelledRounds(
      context,
      settings,
      relays,
      MIXED_RATES,
      async (running, rate): Promise<SlowLevel> => {
        const fastOnly = await measureFixedRate(settings, running, {
          phase: `${ALONE_PHASE}${rate}`,
          ratePerSecond: rate / FAST_EVERY,
          seconds: PHASE_SECONDS,
        });
        await settings.database.checkpoint();
        const mixedLoad = await measureFixedRate(settings, running, { phase: `${MIXED_PHASE}${rate}`, ratePerSecond: rate, seconds: PHASE_SECONDS });
        const slowArrivals = slowGroup.arrivalsWithPrefix(mixedLoad.idPrefix);
        return {
          rate,
          fastOnly,
          mixed: mixedLoad,
          fastMixedMs: deliveryLatency(fast.receiver.arrivalsWithPrefix(mixedLoad.idPrefix)),
          slowArrivedMs: deliveryLatency(slowArrivals),
          slowAnsweredMs: deliveryLatency(
            slowArrivals.filter((arrival) => arrival.answeredAt !== undefined),
            (arrival) => arrival.answeredAt!,
          ),
        };
      },
      describeLevel,
    );
    report(context, relays, runs);
  },
};

function describeLevel(level: SlowLevel): string {
  const phase = (result: FixedRateResult) => `${result.accepted}/${result.sent} accepted, ${result.delivered} delivered, lost ${result.lost}`;
  const latency = (ms: LatencySummary) => `p50 ${ms.p50.toFixed(1)} p99 ${ms.p99.toFixed(1)} max ${ms.max.toFixed(1)} ms`;
  return (
    `${level.rate}/s: fast alone: ${phase(level.fastOnly)}; ${latency(level.fastOnly.latencyMs)}\n` +
    `      ${level.rate}/s: mixed: ${phase(level.mixed)}; fast ${latency(level.fastMixedMs)}; ` +
    `slow arrived ${latency(level.slowArrivedMs)}, answered ${latency(level.slowAnsweredMs)}`
  );
}

function report(context: BenchContext, relays: RelaySpec[], runs: Map<RelaySpec, SlowRun[]>): void {
  const rows = relays.flatMap((relay) =>
    MIXED_RATES.map((rate, index) => {
      const list = runs.get(relay)!;
      const levels = list.map((run) => run.levels[index]);
      const med = (pick: (level: SlowLevel) => number) => median(levels.map(pick));
      const alone = { p50: med((level) => level.fastOnly.latencyMs.p50), p99: med((level) => level.fastOnly.latencyMs.p99) };
      const mixedIn = { p50: med((level) => level.fastMixedMs.p50), p99: med((level) => level.fastMixedMs.p99) };
      const lost = levels.reduce((sum, level) => sum + level.fastOnly.lost + level.mixed.lost, 0);
      return [
        relay.name,
        `${rate} (${rate / FAST_EVERY} fast)`,
        milliseconds(alone.p50, alone.p99),
        milliseconds(mixedIn.p50, mixedIn.p99),
        `${ratio(mixedIn.p50, alone.p50)} / ${ratio(mixedIn.p99, alone.p99)}`,
        milliseconds(
          med((level) => level.slowArrivedMs.p50),
          med((level) => level.slowArrivedMs.p99),
        ),
        milliseconds(
          med((level) => level.slowAnsweredMs.p50),
          med((level) => level.slowAnsweredMs.p99),
        ),
        String(lost),
      ];
    }),
  );
  const table = markdownTable(
    [
      'Relay',
      'Mixed events/s',
      'Fast receiver alone: p50 / p99 ms',
      `Fast receiver in the mixed load: p50 / p99 ms`,
      'Mixed ÷ alone (p50 / p99)',
      'Slow receivers: request arrived p50 / p99 ms',
      `Slow receivers: answered p50 / p99 ms (≥ ${SLOW_ANSWER_MS})`,
      'Lost',
    ],
    ['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:'],
    rows,
  );
  const waiting = (rate: number) => Math.round((rate * (FAST_EVERY - 1) * SLOW_ANSWER_MS) / FAST_EVERY / 1000);
  const notes = [
    '',
    `Medians of ${context.options.runs} run(s). Latency = arrival at the receiver − send time of the event (open loop, ${PHASE_SECONDS} s per phase;`,
    `"alone" sends only the fast fifth of the mixed rate, to the fast receiver). ${SLOW_RECEIVERS} slow receivers, each its own HTTP server on 127.0.0.1,`,
    `answer ${SLOW_ANSWER_MS} ms after the request arrived; the mixed phases send ${100 - 100 / FAST_EVERY}% of the events to them, spread evenly`,
    `(${MIXED_RATES.map((rate) => `${rate}/s: about ${waiting(rate)} requests waiting on them at any time`).join('; ')}).`,
    'A mixed ÷ alone ratio near 1× means no head-of-line blocking. Hookflow holds one of its 128 run workers per process for each request in flight.',
    `Audit of every run (all phases): ${relays
      .map((relay) => {
        const list = runs.get(relay)!;
        const total = (pick: (run: SlowRun) => number) => list.reduce((sum, run) => sum + pick(run), 0);
        return `${relay.name}: ${total((run) => run.audit.stored)} events stored, ${total((run) => run.audit.storedNotDelivered)} not delivered, ${total((run) => run.audit.duplicates)} duplicates`;
      })
      .join('; ')}.`,
  ].join('\n');
  context.report('Slow receivers: does slow traffic delay deliveries to a fast receiver?', table + '\n' + notes, {
    settings: { slowReceivers: SLOW_RECEIVERS, slowAnswerMs: SLOW_ANSWER_MS, mixedRates: MIXED_RATES, fastShare: 1 / FAST_EVERY, phaseSeconds: PHASE_SECONDS },
    runs: Object.fromEntries(relays.map((relay) => [relay.name, runs.get(relay)])),
  });
}

function ratio(value: number, reference: number): string {
  return reference > 0 ? `${(value / reference).toFixed(1)}×` : '–';
}
