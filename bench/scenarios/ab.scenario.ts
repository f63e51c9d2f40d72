import { resolve } from 'node:path';
import { EndToEndSettings, RelaySpec } from '../support/end-to-end-run';
import { formatEndToEndTable } from '../support/end-to-end-table';
import { parseBuildVariants } from '../support/build-variants';
import { endToEndRounds, oneStepRelays, relayRunSettings, startDeliveryBench } from '../support/relays';
import type { Scenario } from '../support/scenario';

/** BENCH_AB_RATE and BENCH_E2E_RATE_SECONDS set the fixed-rate phase (latency). */
const RATE_PER_SECOND = Number(process.env.BENCH_AB_RATE ?? 200);
const RATE_SECONDS = Number(process.env.BENCH_E2E_RATE_SECONDS ?? 15);

/**
 * The e2e scenario for two or more Hookflow builds or settings side by side (BENCH_AB, see
 * `parseBuildVariants`), in interleaved rounds of one bench run, so that a change is
 * measured against what it changes on the same host in the same hour. The first variant is
 * the reference of the "vs" column. Build the other side first, e.g. with `git worktree`.
 */
export const scenario: Scenario = {
  name: 'ab',
  description: 'End to end for Hookflow builds or settings side by side (BENCH_AB; about 1 minute per variant and run)',
  order: 90,
  runByDefault: false,
  async run(context) {
    const variants = parseBuildVariants(process.env.BENCH_AB ?? '');
    const { receiver, env } = await startDeliveryBench(context);
    const { hookflow } = await oneStepRelays(context, env, 'bench-ab-deliver');
    const relays = variants.map((variant, index): RelaySpec => ({
      ...hookflow,
      name: variant.entry ? `${variant.name} (${variant.entry})` : variant.name,
      baseline: index === 0,
      // Relative to where the bench was started: the server runs in a folder of its own.
      entry: variant.entry ? resolve(variant.entry) : hookflow.entry,
      env: { ...hookflow.env, ...variant.env },
    }));
    const settings: EndToEndSettings = { ...relayRunSettings(context, receiver), ratePerSecond: RATE_PER_SECOND, rateSeconds: RATE_SECONDS };
    context.log(`-- ${relays.length} variants, ${context.options.runs} interleaved rounds; ${RATE_PER_SECOND}/s for ${RATE_SECONDS} s, then saturation`);
    const summaries = await endToEndRounds(context, settings, relays);
    context.report('A/B: end to end, Hookflow variants side by side', formatEndToEndTable(summaries, RATE_PER_SECOND), {
      settings: { variants, ratePerSecond: RATE_PER_SECOND, rateSeconds: RATE_SECONDS },
      summaries,
    });
  },
};
