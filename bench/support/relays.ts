import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'pg';
import { ArrivalLog, DeliveryReceiver, ReceiverOptions } from './delivery-receiver';
import { auditRun, EndToEndSettings, LevelledRun, measureRelayOnce, RelayRunSettings, RelaySpec, RunningRelay, warmUp, withRelay } from './end-to-end-run';
import { describeRun, EndToEndSummary, summarizeRelays } from './end-to-end-table';
import { hookflowServer } from './hookflow-server';
import { benchServer, RESULTS_DIR } from './paths';
import type { BenchContext } from './scenario';
import type { ServerProcess } from './server-process';
import { BENCH_SOURCE } from './signed-order-requests';
import { TargetChooser, TimedOrderRequests } from './timed-order-requests';

/** For experiments only: BENCH_E2E_HOOKFLOW_MAIN runs another build of Hookflow (e.g. a patched copy of dist/). */
const HOOKFLOW_MAIN_OVERRIDE = process.env.BENCH_E2E_HOOKFLOW_MAIN;
/** How long a phase may wait for the deliveries of its accepted events. */
export const DRAIN_LIMIT_SECONDS = 60;

export interface DeliverWorkflow {
  name: string;
  description: string;
  /** The step's URL template, e.g. `{{secrets.RECEIVER_URL}}/deliver`. */
  url: string;
  /** Sent as `copy` in the body, so the receiver tells the deliveries of one event apart (fan-out). */
  copy?: string;
}

/** A workflow on `order.paid` with one signed `http` step posting `{ id, [copy,] sent_at }` from the event. */
export function deliverWorkflowYaml(workflow: DeliverWorkflow): string {
  return `name: ${workflow.name}
description: ${JSON.stringify(workflow.description)}
on:
  webhook: ${BENCH_SOURCE}
  event: order.paid
steps:
  - id: deliver
    uses: http
    with:
      method: POST
      url: "${workflow.url}"
      body:
        id: "{{event.body.id}}"
${workflow.copy === undefined ? '' : `        copy: ${workflow.copy}\n`}        sent_at: "{{event.body.sent_at}}"
      sign: { secret: "{{secrets.SIGNING_SECRET}}" }
`;
}

/** The environment every relay gets: where to deliver, and the Standard Webhooks secret to sign with. */
export interface ReceiverEnv extends Record<string, string> {
  RECEIVER_URL: string;
  SIGNING_SECRET: string;
}

/**
 * The bare relay (bench/servers/relay-baseline.ts). With `targetFromBody` it delivers each
 * event to the `target` its body names instead of RECEIVER_URL.
 */
export function baselineRelay(env: ReceiverEnv, options: { targetFromBody?: boolean } = {}): RelaySpec {
  return {
    name: 'Baseline: Fastify + INSERT, claim loop + undici',
    baseline: true,
    entry: benchServer('relay-baseline'),
    readyPath: '/health',
    env: { ...env, ...(options.targetFromBody ? { RELAY_TARGET_FROM_BODY: '1' } : {}) },
    storage: { tables: ['relay_events'], backlogSql: `SELECT count(*)::int AS count FROM relay_events WHERE status <> 'done'` },
    async storedEvents(client: Client) {
      const { rows } = await client.query<{ status: string; count: string }>('SELECT status, count(*) AS count FROM relay_events GROUP BY status');
      const states = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
      const stored = Object.values(states).reduce((sum, count) => sum + count, 0);
      return { stored, unfinished: stored - (states.done ?? 0), states };
    },
  };
}

export interface HookflowRelayOptions {
  name: string;
  /** Workflow files (name → YAML). */
  workflows: Record<string, string>;
  /** How many of the workflows match each event (one delivery each). */
  deliveriesPerEvent?: number;
  env?: Record<string, string>;
  /**
   * Split roles: one `ingress` process receives the load and this many `worker` processes
   * run the workflows, all on the same database. Unset: one process in role `all`.
   */
  workers?: number;
}

/**
 * Hookflow as `npm start` runs it (role all, or with `workers` split into roles), allowed
 * to deliver to 127.0.0.1.
 */
export async function hookflowRelay(context: BenchContext, env: ReceiverEnv, options: HookflowRelayOptions): Promise<RelaySpec> {
  const split = options.workers !== undefined;
  const spec = await hookflowServer(context, {
    name: options.name,
    workflows: options.workflows,
    env: { ...env, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1', ...options.env, ...(split ? { HOOKFLOW_ROLE: 'ingress' } : {}) },
  });
  const deliveriesPerEvent = options.deliveriesPerEvent ?? 1;
  return {
    name: HOOKFLOW_MAIN_OVERRIDE ? `${spec.name} [${HOOKFLOW_MAIN_OVERRIDE}]` : spec.name,
    baseline: false,
    entry: HOOKFLOW_MAIN_OVERRIDE ?? spec.entry,
    cwd: spec.cwd,
    readyPath: spec.readyPath,
    env: spec.env ?? {},
    processName: split ? 'ingress' : 'all',
    companions: Array.from({ length: options.workers ?? 0 }, (_, index) => ({ name: `worker ${index + 1}`, env: { HOOKFLOW_ROLE: 'worker' } })),
    deliveriesPerEvent,
    checkSetup: (processes) => expectWorkflows(processes, Object.keys(options.workflows).length),
    storage: {
      tables: ['events', 'runs', 'step_runs', 'step_attempts', 'graphile_worker._private_jobs'],
      backlogSql: 'SELECT count(*)::int AS count FROM graphile_worker._private_jobs',
    },
    async storedEvents(client: Client) {
      const events = await client.query<{ count: string }>('SELECT count(*) AS count FROM events');
      const { rows } = await client.query<{ status: string; count: string }>('SELECT status, count(*) AS count FROM runs GROUP BY status');
      const runs = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
      const unfinished = Object.entries(runs).reduce((sum, [status, count]) => sum + (status === 'succeeded' || status === 'failed' ? 0 : count), 0);
      const states = Object.fromEntries(Object.entries(runs).map(([status, count]) => [`runs ${status}`, count]));
      return { stored: Number(events.rows[0].count), unfinished, states };
    },
    // Stages pair each event with its one run and delivery; with several there is no single pairing.
    ...(deliveriesPerEvent === 1 ? { stageTimes: hookflowStageTimes } : {}),
  };
}

const BANNER_WAIT_MS = 10_000;

/**
 * A workflow file Hookflow rejects is only logged; without this a run would measure an idle
 * relay. Every role's startup banner says how many workflows it loaded and with how many
 * problems (only `all` and `api` have the API to ask).
 */
async function expectWorkflows(processes: readonly ServerProcess[], expected: number): Promise<void> {
  for (const started of processes) {
    const line = await bannerLine(started, /^ *Workflows: .*$/m);
    if (!line.includes(`Workflows:  ${expected} loaded`) || line.includes('problem')) {
      throw new Error(`${started.label} did not load exactly the ${expected} bench workflow(s): ${line.trim()}`);
    }
  }
}

/** The banner line `pattern` finds in the process's output, once it has printed it (it follows readiness closely). */
async function bannerLine(started: ServerProcess, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + BANNER_WAIT_MS;
  for (;;) {
    const found = pattern.exec(started.recentOutput());
    if (found) return found[0];
    if (Date.now() >= deadline) throw new Error(`${started.label} printed no banner line matching ${pattern} within ${BANNER_WAIT_MS / 1000} s`);
    await sleep(50);
  }
}

async function hookflowStageTimes(client: Client, prefix: string) {
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
}

/** The workflow files of the e2e workload: one workflow (`name`) delivering each event to RECEIVER_URL with one signed `http` step. */
export function oneStepWorkflowFiles(workflow: string): Record<string, string> {
  const yaml = deliverWorkflowYaml({
    name: workflow,
    description: 'Deliver each accepted order.paid event to the bench receiver, signed.',
    url: '{{secrets.RECEIVER_URL}}/deliver',
  });
  return { [`${workflow}.yaml`]: yaml };
}

/** The usual pair: the baseline relay, and Hookflow running the one-step workflow (`name`). */
export async function oneStepRelays(
  context: BenchContext,
  env: ReceiverEnv,
  workflow: string,
  hookflow: { name?: string; env?: Record<string, string> } = {},
): Promise<{ baseline: RelaySpec; hookflow: RelaySpec }> {
  return {
    baseline: baselineRelay(env),
    hookflow: await hookflowRelay(context, env, {
      name: hookflow.name ?? 'Hookflow (role all), one signed http step',
      workflows: oneStepWorkflowFiles(workflow),
      env: hookflow.env,
    }),
  };
}

/** A receiver on 127.0.0.1 in the bench process, stopped at the end of the bench run. */
export async function startReceiver(
  context: BenchContext,
  signingSecret: string,
  options: ReceiverOptions = {},
): Promise<{ receiver: DeliveryReceiver; url: string }> {
  const receiver = new DeliveryReceiver(signingSecret, options);
  const url = await receiver.start();
  context.defer(() => receiver.stop());
  return { receiver, url };
}

/** A fresh Standard Webhooks signing secret, the receiver, and the environment that points relays at it. */
export async function startDeliveryBench(context: BenchContext): Promise<{ receiver: DeliveryReceiver; env: ReceiverEnv }> {
  const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const { receiver, url } = await startReceiver(context, signingSecret);
  return { receiver, env: { RECEIVER_URL: url, SIGNING_SECRET: signingSecret } };
}

/**
 * Settings for relay runs delivering to `receiver`; `target`, when given, picks per phase
 * the receiver each event names in its body.
 */
export function relayRunSettings(context: BenchContext, receiver: ArrivalLog, target?: (phase: string) => TargetChooser): RelayRunSettings {
  return {
    options: context.options,
    database: context.database,
    receiver,
    requests: (phase) => new TimedOrderRequests(context.requests.secret, phase, target?.(phase)),
    drainLimitSeconds: DRAIN_LIMIT_SECONDS,
    profileDir: join(RESULTS_DIR, 'profiles', new Date().toISOString().replace(/[:.]/g, '-')),
    log: context.log,
  };
}

/**
 * `--runs` rounds; each round measures every subject (a relay, a server) once, each in a
 * fresh process on a fresh database, so that drift on a shared machine spreads over all of
 * them. Logs each run.
 */
export async function interleavedRounds<S extends { name: string }, T>(
  context: BenchContext,
  subjects: S[],
  measure: (subject: S, round: number) => Promise<T>,
  describe: (run: T) => string,
): Promise<Map<S, T[]>> {
  const runs = new Map<S, T[]>(subjects.map((subject) => [subject, []]));
  for (let round = 1; round <= context.options.runs; round++) {
    for (const subject of subjects) {
      const run = await measure(subject, round);
      runs.get(subject)!.push(run);
      context.log(`  run ${round}/${context.options.runs}  ${subject.name}\n      ${describe(run)}`);
    }
  }
  return runs;
}

/** The end-to-end phases (fixed rate, then saturation) for each relay in interleaved rounds, summarized per relay. */
export async function endToEndRounds(context: BenchContext, settings: EndToEndSettings, relays: RelaySpec[]): Promise<EndToEndSummary[]> {
  const runs = await interleavedRounds(context, relays, (relay, round) => measureRelayOnce(settings, relay, round), describeRun);
  return summarizeRelays(relays.map((relay) => ({ name: relay.name, baseline: relay.baseline, runs: runs.get(relay)! })));
}

/**
 * Interleaved rounds in which each relay run (one process) warms up, then measures one
 * level per entry of `levels` in order, each after a checkpoint, and ends with the audit.
 */
export function levelledRounds<Value, Level>(
  context: BenchContext,
  settings: RelayRunSettings,
  relays: RelaySpec[],
  levels: readonly Value[],
  measureLevel: (running: RunningRelay, value: Value) => Promise<Level>,
  describeLevel: (level: Level) => string,
): Promise<Map<RelaySpec, LevelledRun<Level>[]>> {
  return interleavedRounds<RelaySpec, LevelledRun<Level>>(
    context,
    relays,
    (relay, round) =>
      withRelay(settings, relay, round, async (running) => {
        await warmUp(settings, running);
        const measured: Level[] = [];
        for (const value of levels) {
          await settings.database.checkpoint();
          measured.push(await measureLevel(running, value));
        }
        return { round, levels: measured, audit: await auditRun(settings, running) };
      }),
    (run) =>
      [...run.levels.map(describeLevel), ''].join('\n      ') +
      `audit: stored ${run.audit.stored}, delivered ${run.audit.deliveredUnique}, not delivered ${run.audit.storedNotDelivered}, dupl ${run.audit.duplicates}, ` +
      `sig ${run.audit.signatures.valid}/${run.audit.signatures.checked}, states ${JSON.stringify(run.audit.states)}`,
  );
}
