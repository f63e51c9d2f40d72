import { EndToEndSettings } from '../support/end-to-end-run';
import { formatEndToEndTable } from '../support/end-to-end-table';
import { endToEndRounds, oneStepRelays, relayRunSettings, startDeliveryBench } from '../support/relays';
import type { Scenario } from '../support/scenario';

const RATE_PER_SECOND = 200;
/** BENCH_E2E_RATE_SECONDS shortens the fixed-rate phase for smoke runs. */
const RATE_SECONDS = Number(process.env.BENCH_E2E_RATE_SECONDS ?? 15);

/**
 * End-to-end delivery: event accepted by the relay → the receiver got the signed request.
 * Each run (fresh process, fresh database) has a warm-up, an open-loop fixed-rate phase for
 * latency (receiver arrival − sent_at, both on the bench's clock), and a closed-loop
 * saturation phase for throughput, each drained until every accepted event was delivered.
 * Hookflow and the baseline relay are measured in interleaved rounds.
 */
export const scenario: Scenario = {
  name: 'e2e',
  description: 'End to end (accepted → signed request at the receiver): Hookflow vs a bare Fastify + pg relay (about 4 minutes)',
  order: 30,
  async run(context) {
    const { receiver, env } = await startDeliveryBench(context);
    // The workflow under test: one signed `http` step to the receiver per accepted event.
    const { baseline, hookflow } = await oneStepRelays(context, env, 'bench-e2e-deliver');
    const relays = [baseline, hookflow];
    const settings: EndToEndSettings = { ...relayRunSettings(context, receiver), ratePerSecond: RATE_PER_SECOND, rateSeconds: RATE_SECONDS };
    context.log(
      `-- receiver on ${env.RECEIVER_URL} (in the bench process); per run: ${context.options.warmupSeconds} s warm-up, ` +
        `${RATE_PER_SECOND}/s for ${RATE_SECONDS} s, ${context.options.durationSeconds} s at ${context.options.connections} connections`,
    );
    const summaries = await endToEndRounds(context, settings, relays);
    context.report('End to end: event accepted → signed request at the receiver', formatEndToEndTable(summaries, RATE_PER_SECOND), {
      settings: { ratePerSecond: RATE_PER_SECOND, rateSeconds: RATE_SECONDS, drainLimitSeconds: settings.drainLimitSeconds },
      summaries,
    });
  },
};
