import { insertBaselineServer, plainBaselineServer } from '../support/baseline-servers';
import { EndToEndRun, EndToEndSettings, measureRelayOnce, RelaySpec } from '../support/end-to-end-run';
import { describeRun, EndToEndSummary, summarizeRelays } from '../support/end-to-end-table';
import { baselineRelay, deliverWorkflowYaml, hookflowRelay, interleavedRounds, relayRunSettings, startDeliveryBench } from '../support/relays';
import { markdownTable, milliseconds, percent, whole } from '../support/results-table';
import type { BenchContext, Scenario } from '../support/scenario';
import { describeSample, MeasuredSample, measureServerOnce, ServerSpec } from '../support/server-comparison';
import { median } from '../support/statistics';

const WORKFLOWS = 5;
/** Events per second of the fixed-rate phase (Hookflow makes five deliveries of each); BENCH_FANOUT_RATE overrides. */
const RATE_PER_SECOND = Number(process.env.BENCH_FANOUT_RATE ?? 100);
/** BENCH_FANOUT_RATE_SECONDS shortens the fixed-rate phase for smoke runs. */
const RATE_SECONDS = Number(process.env.BENCH_FANOUT_RATE_SECONDS ?? 15);

type Subject = { kind: 'ingress'; name: string; spec: ServerSpec } | { kind: 'relay'; name: string; relay: RelaySpec };
type SubjectRun = { kind: 'ingress'; sample: MeasuredSample } | { kind: 'relay'; run: EndToEndRun };

/**
 * Fan-out: every `order.paid` event matches five workflows, each with one signed `http`
 * step to the receiver, so each accepted event owes five deliveries (told apart by `copy`
 * in the body). Per round: the two ingress baselines (closed loop, accepted/s), then the
 * relay baseline and Hookflow as the e2e scenario measures them (warm-up, fixed rate for
 * latency, saturation for throughput, drain, audit of lost and duplicated deliveries).
 */
export const scenario: Scenario = {
  name: 'fanout',
  description: `One event matched by ${WORKFLOWS} workflows (one signed http step each): accepted/s, deliveries/s and latency vs the baselines (about 6 minutes)`,
  order: 32,
  async run(context) {
    const { receiver, env } = await startDeliveryBench(context);
    const workflows = Object.fromEntries(
      Array.from({ length: WORKFLOWS }, (_, index) => [
        `bench-fanout-${index + 1}.yaml`,
        deliverWorkflowYaml({
          name: `bench-fanout-${index + 1}`,
          description: `Fan-out copy ${index + 1} of ${WORKFLOWS}: deliver each order.paid event to the bench receiver, signed.`,
          url: '{{secrets.RECEIVER_URL}}/deliver',
          copy: `w${index + 1}`,
        }),
      ]),
    );
    const relays = [
      baselineRelay(env),
      await hookflowRelay(context, env, {
        name: `Hookflow (role all), ${WORKFLOWS} workflows × one signed http step`,
        workflows,
        deliveriesPerEvent: WORKFLOWS,
      }),
    ];
    const subjects: Subject[] = [
      ...[plainBaselineServer(), insertBaselineServer()].map((spec): Subject => ({ kind: 'ingress', name: spec.name, spec })),
      ...relays.map((relay): Subject => ({ kind: 'relay', name: relay.name, relay })),
    ];
    const settings: EndToEndSettings = { ...relayRunSettings(context, receiver), ratePerSecond: RATE_PER_SECOND, rateSeconds: RATE_SECONDS };
    const comparison = { options: context.options, database: context.database, requests: context.requests, profileDir: settings.profileDir, log: context.log };
    context.log(
      `-- receiver on ${env.RECEIVER_URL}; per relay run: ${context.options.warmupSeconds} s warm-up, ${RATE_PER_SECOND} events/s for ${RATE_SECONDS} s, ` +
        `${context.options.durationSeconds} s at ${context.options.connections} connections; ingress baselines: ${context.options.durationSeconds} s closed loop`,
    );
    const runs = await interleavedRounds<Subject, SubjectRun>(
      context,
      subjects,
      async (subject, round) =>
        subject.kind === 'ingress'
          ? { kind: 'ingress', sample: await measureServerOnce(comparison, subject.spec, round) }
          : { kind: 'relay', run: await measureRelayOnce(settings, subject.relay, round) },
      (run) => (run.kind === 'ingress' ? describeSample(run.sample) : describeRun(run.run)),
    );
    report(context, subjects, runs);
  },
};

function report(context: BenchContext, subjects: Subject[], runs: Map<Subject, SubjectRun[]>): void {
  const ingress = subjects.flatMap((subject) =>
    subject.kind === 'ingress' ? [{ subject, samples: runs.get(subject)!.flatMap((run) => (run.kind === 'ingress' ? [run.sample] : [])) }] : [],
  );
  const relays = summarizeRelays(
    subjects.flatMap((subject) =>
      subject.kind === 'relay'
        ? [{ name: subject.name, baseline: subject.relay.baseline, runs: runs.get(subject)!.flatMap((run) => (run.kind === 'relay' ? [run.run] : [])) }]
        : [],
    ),
  );
  const perEvent = new Map(subjects.flatMap((subject) => (subject.kind === 'relay' ? [[subject.name, subject.relay.deliveriesPerEvent ?? 1] as const] : [])));
  const insertRate = median(ingress.find(({ subject }) => subject.spec.baseline)?.samples.map((sample) => sample.requestsPerSecond) ?? []);
  const ingressRows = ingress.map(({ subject, samples }) => {
    const rates = samples.map((sample) => sample.requestsPerSecond);
    const rate = median(rates);
    return [
      subject.name,
      whole(rate),
      rates.map(whole).join(' / '),
      '–',
      '–',
      '–',
      '–',
      '–',
      '–',
      '–',
      subject.spec.baseline ? 'baseline' : percent(rate / insertRate),
      '–',
    ];
  });
  const relayRows = relays.map((summary: EndToEndSummary) => {
    const m = summary.medians;
    return [
      summary.name,
      whole(m.acceptedPerSecond),
      summary.runs.map((run) => whole(run.saturation.acceptedPerSecond)).join(' / '),
      String(perEvent.get(summary.name) ?? 1),
      whole(m.deliveredPerSecondLoadAndDrain),
      summary.runs.map((run) => whole(run.saturation.deliveredPerSecondLoadAndDrain)).join(' / '),
      milliseconds(m.p50Ms),
      milliseconds(m.p99Ms),
      String(summary.lost),
      String(summary.duplicates),
      percent(m.acceptedPerSecond / insertRate),
      summary.baseline ? 'baseline' : percent(summary.ratioToBaseline),
    ];
  });
  const table = markdownTable(
    [
      'Server',
      'Accepted events/s (median)',
      'runs',
      'Deliveries per event',
      'Deliveries/s load + drain (median)',
      'runs',
      `p50 ms @ ${RATE_PER_SECOND} events/s`,
      `p99 ms @ ${RATE_PER_SECOND} events/s`,
      'Lost',
      'Dupl.',
      'Accepted vs insert baseline',
      'Deliveries/s vs relay',
    ],
    ['---', '--:', '---', '--:', '--:', '---', '--:', '--:', '--:', '--:', '--:', '--:'],
    [...ingressRows, ...relayRows],
  );
  const notes = [
    '',
    `Accepted events/s: closed loop, ${context.options.connections} connections, ${context.options.durationSeconds} s (for the relays, the saturation phase, while they also deliver).`,
    `Deliveries/s: requests that reached the receiver per second of load + drain. The baseline relay delivers one request per event, Hookflow ${WORKFLOWS}`,
    `(one per workflow), so Hookflow's delivered events/s are a fifth of its deliveries/s; "vs relay" compares deliveries, not events.`,
    `Latency: receiver arrival − send time of the event, over every delivery, at a fixed ${RATE_PER_SECOND} events/s for ${RATE_SECONDS} s`,
    `(${RATE_PER_SECOND * WORKFLOWS} deliveries/s for Hookflow, ${RATE_PER_SECOND} for the relay). Lost = deliveries owed for accepted events that never arrived.`,
  ].join('\n');
  context.report(`Fan-out: one event, ${WORKFLOWS} workflows, one signed http step each`, table + '\n' + notes, {
    settings: { workflows: WORKFLOWS, ratePerSecond: RATE_PER_SECOND, rateSeconds: RATE_SECONDS },
    ingress: ingress.map(({ subject, samples }) => ({ name: subject.name, samples })),
    relays,
  });
}
