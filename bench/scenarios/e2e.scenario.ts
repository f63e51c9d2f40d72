import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from 'pg';
import { DeliveryReceiver } from '../support/delivery-receiver';
import { EndToEndRun, EndToEndSettings, measureRelayOnce, RelaySpec } from '../support/end-to-end-run';
import { describeRun, formatEndToEndTable, summarizeRelays } from '../support/end-to-end-table';
import { hookflowServer } from '../support/hookflow-server';
import { benchServer, RESULTS_DIR } from '../support/paths';
import type { BenchContext, Scenario } from '../support/scenario';
import { BENCH_SOURCE } from '../support/signed-order-requests';

const RATE_PER_SECOND = 200;
/** BENCH_E2E_RATE_SECONDS shortens the fixed-rate phase for smoke runs. */
const RATE_SECONDS = Number(process.env.BENCH_E2E_RATE_SECONDS ?? 15);
const DRAIN_LIMIT_SECONDS = 60;
/** For experiments only: BENCH_E2E_HOOKFLOW_MAIN runs another build of Hookflow (e.g. a patched copy of dist/). */
const HOOKFLOW_MAIN_OVERRIDE = process.env.BENCH_E2E_HOOKFLOW_MAIN;

/** The workflow under test: one signed `http` step to the receiver per accepted event. */
const DELIVER_WORKFLOW_YAML = `name: bench-e2e-deliver
description: Deliver each accepted order.paid event to the bench receiver, signed.
on:
  webhook: ${BENCH_SOURCE}
  event: order.paid
steps:
  - id: deliver
    uses: http
    with:
      method: POST
      url: "{{secrets.RECEIVER_URL}}/deliver"
      body:
        id: "{{event.body.id}}"
        sent_at: "{{event.body.sent_at}}"
      sign: { secret: "{{secrets.SIGNING_SECRET}}" }
`;

/**
 * End-to-end delivery: event accepted by the relay → the receiver got the signed request.
 * Each run (fresh process, fresh database) has a warm-up, an open-loop fixed-rate phase for
 * latency (receiver arrival − sent_at, both on the bench's clock), and a closed-loop
 * saturation phase for throughput, each drained until every accepted event was delivered.
 * Hookflow and the baseline relay are measured in interleaved rounds.
 */
export const scenario: Scenario = {
  name: 'e2e',
  description: 'End to end (accepted → signed request at the receiver): Hookflow vs a bare Fastify + pg relay',
  order: 30,
  runByDefault: false,
  async run(context) {
    const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
    const receiver = new DeliveryReceiver(signingSecret);
    const receiverUrl = await receiver.start();
    context.defer(() => receiver.stop());
    const env = { RECEIVER_URL: receiverUrl, SIGNING_SECRET: signingSecret };
    const relays = [baselineRelay(env), await hookflowRelay(context, env)];
    const settings: EndToEndSettings = {
      options: context.options,
      database: context.database,
      receiver,
      secret: context.requests.secret,
      ratePerSecond: RATE_PER_SECOND,
      rateSeconds: RATE_SECONDS,
      drainLimitSeconds: DRAIN_LIMIT_SECONDS,
      profileDir: join(RESULTS_DIR, 'profiles', new Date().toISOString().replace(/[:.]/g, '-')),
      log: context.log,
    };
    context.log(
      `-- receiver on ${receiverUrl} (in the bench process); per run: ${context.options.warmupSeconds} s warm-up, ` +
        `${RATE_PER_SECOND}/s for ${RATE_SECONDS} s, ${context.options.durationSeconds} s at ${context.options.connections} connections`,
    );
    const runs = new Map<RelaySpec, EndToEndRun[]>(relays.map((relay) => [relay, []]));
    for (let round = 1; round <= context.options.runs; round++) {
      for (const relay of relays) {
        const run = await measureRelayOnce(settings, relay, round);
        runs.get(relay)!.push(run);
        context.log(`  run ${round}/${context.options.runs}  ${relay.name}\n      ${describeRun(run)}`);
      }
    }
    await report(context, relays, runs);
  },
};

async function report(context: BenchContext, relays: RelaySpec[], runs: Map<RelaySpec, EndToEndRun[]>): Promise<void> {
  const summaries = summarizeRelays(relays.map((relay) => ({ name: relay.name, baseline: relay.baseline, runs: runs.get(relay)! })));
  const table = formatEndToEndTable(summaries, RATE_PER_SECOND);
  context.log(`\n### End to end: event accepted → signed request at the receiver\n\n${table}\n`);
  const file = join(RESULTS_DIR, `${new Date().toISOString().replace(/[:.]/g, '-')}-e2e-detail.json`);
  await mkdir(RESULTS_DIR, { recursive: true });
  const settings = { ratePerSecond: RATE_PER_SECOND, rateSeconds: RATE_SECONDS, drainLimitSeconds: DRAIN_LIMIT_SECONDS, ...context.options };
  await writeFile(file, JSON.stringify({ settings, table, summaries }, null, 2) + '\n');
  context.log(`End-to-end details saved to ${file}`);
}

function baselineRelay(env: Record<string, string>): RelaySpec {
  return {
    name: 'Baseline: Fastify + INSERT, claim loop + undici',
    baseline: true,
    entry: benchServer('relay-baseline'),
    readyPath: '/health',
    env,
    async storedEvents(client: Client) {
      const { rows } = await client.query<{ status: string; count: string }>('SELECT status, count(*) AS count FROM relay_events GROUP BY status');
      const states = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
      const stored = Object.values(states).reduce((sum, count) => sum + count, 0);
      return { stored, unfinished: stored - (states.done ?? 0), states };
    },
  };
}

async function hookflowRelay(context: BenchContext, env: Record<string, string>): Promise<RelaySpec> {
  const spec = await hookflowServer(context, {
    name: 'Hookflow (role all), one signed http step',
    workflows: { 'bench-e2e-deliver.yaml': DELIVER_WORKFLOW_YAML },
    env: { ...env, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
  });
  return {
    name: HOOKFLOW_MAIN_OVERRIDE ? `${spec.name} [${HOOKFLOW_MAIN_OVERRIDE}]` : spec.name,
    baseline: false,
    entry: HOOKFLOW_MAIN_OVERRIDE ?? spec.entry,
    cwd: spec.cwd,
    readyPath: spec.readyPath,
    env: spec.env ?? {},
    async storedEvents(client: Client) {
      const events = await client.query<{ count: string }>('SELECT count(*) AS count FROM events');
      const { rows } = await client.query<{ status: string; count: string }>('SELECT status, count(*) AS count FROM runs GROUP BY status');
      const runs = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
      const unfinished = Object.entries(runs).reduce((sum, [status, count]) => sum + (status === 'succeeded' || status === 'failed' ? 0 : count), 0);
      const states = Object.fromEntries(Object.entries(runs).map(([status, count]) => [`runs ${status}`, count]));
      return { stored: Number(events.rows[0].count), unfinished, states };
    },
    async stageTimes(client: Client, prefix: string) {
      const { rows } = await client.query<{ id: string; received: number; claimed: number; attempt: number }>(
        `SELECT e.dedupe_key AS id, extract(epoch FROM e.received_at) * 1000 AS received,
                extract(epoch FROM r.started_at) * 1000 AS claimed, extract(epoch FROM a.started_at) * 1000 AS attempt
           FROM events e JOIN runs r ON r.event_id = e.id JOIN step_attempts a ON a.run_id = r.id AND a.n = 1
          WHERE e.source = $1 AND e.dedupe_key LIKE $2`,
        [BENCH_SOURCE, `${prefix}%`],
      );
      return rows.map((row) => ({
        id: row.id,
        times: { received: Number(row.received), 'run claimed': Number(row.claimed), 'attempt started': Number(row.attempt) },
      }));
    },
  };
}
