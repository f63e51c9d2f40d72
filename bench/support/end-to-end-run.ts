import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { BenchDatabaseServer } from './bench-database';
import { CpuMeter, CpuUse } from './cpu-meter';
import type { DeliveryReceiver, SignatureCheck } from './delivery-receiver';
import { generateFixedRate } from './fixed-rate-load';
import { generateLoad } from './load-generator';
import { RESULTS_DIR } from './paths';
import type { BenchOptions } from './scenario';
import { ServerProcess } from './server-process';
import { percentile } from './statistics';
import { epochMs, TimedOrderRequests } from './timed-order-requests';

/** A relay under test: a server that accepts `POST /hooks/bench` and delivers each event to the receiver. */
export interface RelaySpec {
  name: string;
  baseline: boolean;
  entry: string;
  cwd?: string;
  readyPath: string;
  env: Record<string, string>;
  /** How many events the relay stored, how many are not yet in a final state, and the states, for the audit. */
  storedEvents(database: Client): Promise<{ stored: number; unfinished: number; states: Record<string, number> }>;
  /**
   * Optional: epoch-ms times the relay recorded for each event whose id starts with `prefix`
   * (in the order the event went through them), to split the latency into stages.
   */
  stageTimes?(database: Client, prefix: string): Promise<{ id: string; times: Record<string, number> }[]>;
}

export interface EndToEndSettings {
  options: BenchOptions;
  database: BenchDatabaseServer;
  receiver: DeliveryReceiver;
  /** HMAC secret of source `bench`. */
  secret: string;
  ratePerSecond: number;
  rateSeconds: number;
  drainLimitSeconds: number;
  profileDir: string;
  log(line: string): void;
}

export interface SaturationSample {
  accepted: number;
  non2xx: number;
  errors: number;
  loadSeconds: number;
  acceptedPerSecond: number;
  /** Unique deliveries that arrived within the load window, per second of it. */
  deliveredPerSecondDuringLoad: number;
  /** Unique deliveries of this phase from the start of the load to the last arrival (load + drain). */
  delivered: number;
  drainSeconds: number;
  /** Backlog cleared per second after the load stopped (delivery alone, no ingress competing). */
  deliveredPerSecondDuringDrain: number;
  deliveredPerSecondLoadAndDrain: number;
  /** Accepted (2xx) but not delivered when the drain limit ran out. */
  lost: number;
  cpu?: CpuUse;
}

export interface FixedRateResult {
  sent: number;
  accepted: number;
  non2xx: number;
  errors: number;
  skipped: number;
  delivered: number;
  lost: number;
  /** Receiver arrival − sent_at, ms. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Time to the 202 at the sender, ms. */
  acceptMs: { p50: number; p99: number };
  /** Where the latency went (relays with `stageTimes`): p50/p99 of each stage, ms. */
  stagesMs?: Record<string, { p50: number; p99: number }>;
  idPrefix: string;
}

export interface RunAudit {
  stored: number;
  states: Record<string, number>;
  deliveredUnique: number;
  /** Stored events that never reached the receiver (must be 0). */
  storedNotDelivered: number;
  duplicates: number;
  /** Of those, the ones with the first delivery's webhook-id (an at-least-once retry, idempotent for the receiver). */
  duplicatesWithSameKey: number;
  unparsable: number;
  signatures: SignatureCheck;
  /** From pg_stat_database over the whole run (all phases, idle polling included). */
  perEvent: { commits: number; rowsInserted: number; rowsUpdated: number; rowsDeleted: number };
}

export interface EndToEndRun {
  round: number;
  fixedRate: FixedRateResult;
  saturation: SaturationSample;
  audit: RunAudit;
  backgroundCores?: number;
}

/** One run of one relay: fresh database and process, warm-up, fixed rate, saturation, audit. */
export async function measureRelayOnce(settings: EndToEndSettings, relay: RelaySpec, round: number): Promise<EndToEndRun> {
  const { database, receiver, options } = settings;
  receiver.reset();
  const db = await database.createDatabase(`e2e ${relay.baseline ? 'baseline' : 'hookflow'}`);
  try {
    await database.checkpoint();
    const backgroundCores = await waitForQuietMachine(settings.log);
    const server = await ServerProcess.start({
      label: relay.name,
      entry: relay.entry,
      cwd: relay.cwd,
      nodeFlags: options.cpuProfile ? cpuProfileFlags(settings.profileDir, relay.name, round) : [],
      env: { ...relay.env, DATABASE_URL: db.url },
      readyPath: relay.readyPath,
    });
    let measured: Omit<EndToEndRun, 'audit' | 'round'>;
    let audit: Omit<RunAudit, 'perEvent'> | undefined;
    try {
      measured = await measurePhases(settings, server, backgroundCores);
      audit = await auditRun(settings, relay, db.url);
      measured.fixedRate.stagesMs = await latencyStages(settings, relay, db.url, measured.fixedRate.idPrefix);
    } catch (error) {
      throw new Error(`${relay.name}: ${(error as Error).message}\n${server.recentOutput().slice(-2000)}`);
    } finally {
      await server.stop();
      await reportTroubleIn(server.recentOutput(), relay.name, round, settings);
    }
    return { round, ...measured, audit: { ...audit, perEvent: await perEventWork(db.url, audit.stored) } };
  } finally {
    await database.dropDatabase(db.name).catch(() => undefined);
  }
}

async function measurePhases(settings: EndToEndSettings, server: ServerProcess, backgroundCores: number | undefined) {
  const { options, secret, database } = settings;
  if (options.warmupSeconds > 0) {
    const warmup = new TimedOrderRequests(secret, 'warmup');
    const load = await generateLoad({ url: server.baseUrl, connections: options.connections, durationSeconds: options.warmupSeconds, requests: warmup.forAutocannon() });
    await waitForDeliveries(settings, warmup.idPrefix, load.ok2xx);
  }
  await database.checkpoint();
  const fixedRate = await measureFixedRate(settings, server);
  await database.checkpoint();
  const saturation = await measureSaturation(settings, server);
  return { fixedRate, saturation, backgroundCores };
}

async function measureFixedRate(settings: EndToEndSettings, server: ServerProcess): Promise<FixedRateResult> {
  const requests = new TimedOrderRequests(settings.secret, 'rate');
  const load = await generateFixedRate({ url: server.baseUrl, ratePerSecond: settings.ratePerSecond, durationSeconds: settings.rateSeconds, requests });
  await waitForDeliveries(settings, requests.idPrefix, load.ok2xx);
  const arrivals = settings.receiver.arrivalsWithPrefix(requests.idPrefix);
  const latencies = Float64Array.from(arrivals.map((arrival) => arrival.arrivedAt - arrival.sentAt)).sort();
  return {
    sent: load.sent,
    accepted: load.ok2xx,
    non2xx: load.non2xx,
    errors: load.errors,
    skipped: load.skipped,
    delivered: arrivals.length,
    lost: Math.max(0, load.ok2xx - arrivals.length),
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies.length ? latencies[latencies.length - 1] : 0,
    },
    acceptMs: { p50: load.responseMs.p50, p99: load.responseMs.p99 },
    idPrefix: requests.idPrefix,
  };
}

async function measureSaturation(settings: EndToEndSettings, server: ServerProcess): Promise<SaturationSample> {
  const { options, receiver } = settings;
  const requests = new TimedOrderRequests(settings.secret, 'sat');
  const cpu = new CpuMeter(server.pid);
  const loadStart = epochMs();
  const load = await generateLoad({ url: server.baseUrl, connections: options.connections, durationSeconds: options.durationSeconds, requests: requests.forAutocannon() });
  const loadEnd = epochMs();
  const cpuUse = cpu.stop();
  await waitForDeliveries(settings, requests.idPrefix, load.ok2xx);
  const arrivals = receiver.arrivalsWithPrefix(requests.idPrefix);
  const lastArrival = arrivals.reduce((last, arrival) => Math.max(last, arrival.arrivedAt), loadEnd);
  const loadSeconds = (loadEnd - loadStart) / 1000;
  const inLoad = arrivals.filter((arrival) => arrival.arrivedAt <= loadEnd).length;
  return {
    accepted: load.ok2xx,
    non2xx: load.non2xx,
    errors: load.errors + load.timeouts,
    loadSeconds,
    acceptedPerSecond: load.ok2xx / loadSeconds,
    deliveredPerSecondDuringLoad: inLoad / loadSeconds,
    delivered: arrivals.length,
    drainSeconds: (lastArrival - loadEnd) / 1000,
    deliveredPerSecondDuringDrain: lastArrival > loadEnd ? (arrivals.length - inLoad) / ((lastArrival - loadEnd) / 1000) : 0,
    deliveredPerSecondLoadAndDrain: arrivals.length / ((lastArrival - loadStart) / 1000),
    lost: Math.max(0, load.ok2xx - arrivals.length),
    cpu: cpuUse,
  };
}

/** Waits until `expected` events of a phase reached the receiver, or the drain limit ran out. */
async function waitForDeliveries(settings: EndToEndSettings, prefix: string, expected: number): Promise<boolean> {
  const deadline = Date.now() + settings.drainLimitSeconds * 1000;
  while (settings.receiver.countWithPrefix(prefix) < expected) {
    if (Date.now() >= deadline) {
      settings.log(`  ! only ${settings.receiver.countWithPrefix(prefix)} of ${expected} accepted events delivered after ${settings.drainLimitSeconds} s`);
      return false;
    }
    await sleep(20);
  }
  return true;
}

const AUDIT_WAIT_MS = 15_000;

/**
 * Every stored event must reach the receiver, once: waits (bounded) for stragglers cut off
 * in flight and for the relay to record the last deliveries as final.
 */
async function auditRun(settings: EndToEndSettings, relay: RelaySpec, databaseUrl: string): Promise<Omit<RunAudit, 'perEvent'>> {
  const { receiver } = settings;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + AUDIT_WAIT_MS;
    let found = await relay.storedEvents(client);
    while ((receiver.uniqueArrivals.length < found.stored || found.unfinished > 0) && Date.now() < deadline) {
      await sleep(200);
      found = await relay.storedEvents(client);
    }
    return {
      stored: found.stored,
      states: found.states,
      deliveredUnique: receiver.uniqueArrivals.length,
      storedNotDelivered: Math.max(0, found.stored - receiver.uniqueArrivals.length),
      duplicates: receiver.duplicates,
      duplicatesWithSameKey: receiver.duplicatesWithSameKey,
      unparsable: receiver.unparsableBodies,
      signatures: receiver.signatureCheck,
    };
  } finally {
    await client.end();
  }
}

/**
 * Splits the fixed-rate latency into stages: sent_at → each time the relay recorded → the
 * arrival at the receiver. Relay times come from its own clock readings (same machine).
 */
async function latencyStages(settings: EndToEndSettings, relay: RelaySpec, databaseUrl: string, prefix: string): Promise<FixedRateResult['stagesMs']> {
  if (!relay.stageTimes) return undefined;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const rows = await relay.stageTimes(client, prefix).finally(() => client.end());
  const arrivals = new Map(settings.receiver.arrivalsWithPrefix(prefix).map((arrival) => [arrival.id, arrival]));
  const durations = new Map<string, number[]>();
  for (const { id, times } of rows) {
    const arrival = arrivals.get(id);
    if (!arrival) continue;
    const points: [string, number][] = [['sent', arrival.sentAt], ...Object.entries(times), ['arrived', arrival.arrivedAt]];
    for (let index = 1; index < points.length; index++) {
      const stage = `${points[index - 1][0]} → ${points[index][0]}`;
      if (!durations.has(stage)) durations.set(stage, []);
      durations.get(stage)!.push(points[index][1] - points[index - 1][1]);
    }
  }
  return Object.fromEntries(
    [...durations].map(([stage, values]) => {
      const sorted = Float64Array.from(values).sort();
      return [stage, { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }];
    }),
  );
}

/** Read after the relay stopped, so every backend has flushed its statistics. */
async function perEventWork(databaseUrl: string, events: number): Promise<RunAudit['perEvent']> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, string>>(
      'SELECT xact_commit, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = current_database()',
    );
    const per = (value: string | undefined) => (events > 0 ? Number(value ?? 0) / events : 0);
    return { commits: per(rows[0]?.xact_commit), rowsInserted: per(rows[0]?.tup_inserted), rowsUpdated: per(rows[0]?.tup_updated), rowsDeleted: per(rows[0]?.tup_deleted) };
  } finally {
    await client.end();
  }
}

const QUIET_CORES = 0.5;
const QUIET_WAIT_MS = 90_000;

/** As the other scenarios do: waits (up to 90 s) until other processes use less than half a core. */
async function waitForQuietMachine(log: (line: string) => void): Promise<number | undefined> {
  const deadline = Date.now() + QUIET_WAIT_MS;
  let busy = await busyCoresOverOneSecond();
  if (busy === undefined || busy < QUIET_CORES) return busy;
  log(`  (machine busy: ${busy.toFixed(2)} cores used by other processes; waiting up to ${QUIET_WAIT_MS / 1000} s)`);
  while (busy !== undefined && busy >= QUIET_CORES && Date.now() < deadline) busy = await busyCoresOverOneSecond();
  return busy;
}

async function busyCoresOverOneSecond(): Promise<number | undefined> {
  const meter = new CpuMeter(undefined);
  await sleep(1_000);
  const use = meter.stop();
  return use && use.machine - use.loadGenerator;
}

/** Logs the first warning or error line, and keeps the process's last output beside the results. */
async function reportTroubleIn(output: string, name: string, round: number, settings: EndToEndSettings): Promise<void> {
  const trouble = output.split('\n').filter((line) => /error|warn|fail|exception/i.test(line));
  if (trouble.length === 0) return;
  const file = join(RESULTS_DIR, `${new Date().toISOString().replace(/[:.]/g, '-')}-e2e-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 40)}-run-${round}.log`);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(file, output);
  settings.log(`  ! ${name} logged ${trouble.length} warning/error line(s), e.g.: ${trouble[0].trim().slice(0, 300)}\n    (its last output: ${file})`);
}

function cpuProfileFlags(profileDir: string, name: string, round: number): string[] {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return ['--cpu-prof', '--cpu-prof-dir', join(profileDir, slug), '--cpu-prof-name', `run-${round}.cpuprofile`];
}
