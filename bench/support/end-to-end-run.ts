import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { BenchDatabaseServer } from './bench-database';
import { CpuMeter, CpuUse, waitForQuietMachine } from './cpu-meter';
import type { Arrival, ArrivalLog, SignatureCheck } from './delivery-receiver';
import { generateFixedRate } from './fixed-rate-load';
import { generateLoad } from './load-generator';
import { RESULTS_DIR } from './paths';
import type { ProcessMemory } from './process-memory';
import type { BenchOptions } from './scenario';
import { ServerLaunch, ServerProcess } from './server-process';
import { percentile } from './statistics';
import { epochMs, type TimedOrderRequests } from './timed-order-requests';

/** A relay under test: a server that accepts `POST /hooks/bench` and delivers each event to the receiver. */
export interface RelaySpec {
  name: string;
  baseline: boolean;
  entry: string;
  cwd?: string;
  readyPath: string;
  env: Record<string, string>;
  /** What the process that receives the load is called in per-process figures (`relay` when unset). */
  processName?: string;
  /** Processes started with it on the same database that receive no load (e.g. Hookflow workers beside an ingress). */
  companions?: RelayCompanion[];
  /** Requests each accepted event makes to the receivers (one per matching workflow); 1 when unset. */
  deliveriesPerEvent?: number;
  /** How many events the relay stored, how many are not yet in a final state, and the states, for the audit. */
  storedEvents(database: Client): Promise<{ stored: number; unfinished: number; states: Record<string, number> }>;
  /**
   * Optional: epoch-ms times the relay recorded for each event whose id starts with `prefix`
   * (in the order the event went through them), to split the latency into stages.
   */
  stageTimes?(database: Client, prefix: string): Promise<{ id: string; times: Record<string, number> }[]>;
  /**
   * Optional: throws when the started relay is not set up as the scenario meant (e.g. a
   * workflow did not load); gets the process that receives the load, then its companions.
   */
  checkSetup?(processes: readonly ServerProcess[]): Promise<void>;
  /** What a soak samples: the relay's tables, and a statement answering `count`, the work still waiting. */
  storage: { tables: string[]; backlogSql: string };
}

/** A process of a relay beside the one that receives the load: same entry, folder and database. */
export interface RelayCompanion {
  /** Names it in per-process figures and logs, e.g. `worker 1`. */
  name: string;
  /** Merged over the relay's environment. */
  env: Record<string, string>;
}

/** Peak and last resident memory of one process of a relay, read just before the bench stopped it. */
export interface ProcessMemoryAtStop extends ProcessMemory {
  process: string;
}

/** What every run of a relay needs. */
export interface RelayRunSettings {
  options: BenchOptions;
  database: BenchDatabaseServer;
  /** Where the deliveries arrive: one receiver, or several read as one. */
  receiver: ArrivalLog;
  /** Fresh signed webhooks for one phase of a run (their ids start with the phase). */
  requests(phase: string): TimedOrderRequests;
  drainLimitSeconds: number;
  profileDir: string;
  log: (line: string) => void;
}

export interface EndToEndSettings extends RelayRunSettings {
  ratePerSecond: number;
  rateSeconds: number;
}

/** A relay started for one run: fresh process, fresh database. */
export interface RunningRelay {
  relay: RelaySpec;
  /** The process that receives the load. */
  server: ServerProcess;
  /** The relay's other processes, in the order of `relay.companions`. */
  companions: ServerProcess[];
  databaseUrl: string;
  /** Cores other processes kept busy in the second before it started. */
  backgroundCores?: number;
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
  /** Deliveries owed for the accepted (2xx) events that had not arrived when the drain limit ran out. */
  lost: number;
  cpu?: CpuUse;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface FixedRateResult {
  ratePerSecond: number;
  sent: number;
  accepted: number;
  non2xx: number;
  errors: number;
  skipped: number;
  delivered: number;
  lost: number;
  /** Receiver arrival − sent_at, ms. */
  latencyMs: LatencySummary;
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
  /** Deliveries owed for the stored events that never reached the receiver (must be 0). */
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
  /** Every process of the relay, the one that receives the load first; empty where /proc is unavailable. */
  memory: ProcessMemoryAtStop[];
  backgroundCores?: number;
}

/** A run that measures several levels (rates, phases) in one process, then audits the whole run. */
export interface LevelledRun<Level> {
  round: number;
  levels: Level[];
  audit: Omit<RunAudit, 'perEvent'>;
}

/** One run of one relay: fresh database and process, warm-up, fixed rate, saturation, audit. */
export async function measureRelayOnce(settings: EndToEndSettings, relay: RelaySpec, round: number): Promise<EndToEndRun> {
  return withRelay<EndToEndRun>(
    settings,
    relay,
    round,
    async (running) => {
      await warmUp(settings, running);
      await settings.database.checkpoint();
      const fixedRate = await measureFixedRate(settings, running, { phase: 'rate', ratePerSecond: settings.ratePerSecond, seconds: settings.rateSeconds });
      await settings.database.checkpoint();
      const saturation = await measureSaturation(settings, running);
      const audit = await auditRun(settings, running);
      fixedRate.stagesMs = await latencyStages(settings, relay, running.databaseUrl, fixedRate.idPrefix);
      return { round, fixedRate, saturation, audit: { ...audit, perEvent: NO_WORK }, memory: [], backgroundCores: running.backgroundCores };
    },
    async (run, stopped) => ({ ...run, memory: stopped.memory, audit: { ...run.audit, perEvent: await perEventWork(stopped.databaseUrl, run.audit.stored) } }),
  );
}

const NO_WORK: RunAudit['perEvent'] = { commits: 0, rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 };

/** What `withRelay` hands to `afterStop`: the run's database, and each process's memory as it stopped. */
export interface StoppedRelay {
  databaseUrl: string;
  memory: ProcessMemoryAtStop[];
}

/**
 * Starts the relay's processes at once (it and its companions) on a fresh database, after
 * a checkpoint and a wait for a quiet machine, hands them to `measure`, then stops them,
 * keeps the output of any that logged trouble, lets `afterStop` read the database once
 * every backend is gone, and drops the database. The receiver is reset first.
 */
export async function withRelay<T>(
  settings: RelayRunSettings,
  relay: RelaySpec,
  round: number,
  measure: (running: RunningRelay) => Promise<T>,
  afterStop?: (result: T, stopped: StoppedRelay) => Promise<T>,
): Promise<T> {
  const { database, receiver } = settings;
  receiver.reset();
  const db = await database.createDatabase(relay.baseline ? 'relay baseline' : 'relay hookflow');
  try {
    await database.checkpoint();
    const backgroundCores = await waitForQuietMachine(settings.log, database.serverPid);
    const launches = relayLaunches(settings, relay, round, db.url);
    const processes = await ServerProcess.startTogether(launches.map(({ launch }) => launch));
    const [server, ...companions] = processes;
    let result: T;
    try {
      await relay.checkSetup?.(processes);
      result = await measure({ relay, server, companions, databaseUrl: db.url, backgroundCores });
    } catch (error) {
      const output = processes.map((started) => `${started.label}:\n${started.recentOutput().slice(-2000)}`).join('\n');
      throw new Error(`${relay.name}: ${(error as Error).message}\n${output}`, { cause: error });
    } finally {
      await Promise.all(processes.map((started) => started.stop()));
      for (const started of processes) await reportTroubleIn(started.recentOutput(), started.label, round, settings);
    }
    const memory = processes.flatMap((started, index) => (started.memoryAtStop ? [{ process: launches[index].name, ...started.memoryAtStop }] : []));
    return afterStop ? await afterStop(result, { databaseUrl: db.url, memory }) : result;
  } finally {
    await database.dropDatabase(db.name).catch(() => undefined);
  }
}

/** The relay's process that receives the load, then its companions: same entry, folder and database. */
export function relayLaunches(
  settings: Pick<RelayRunSettings, 'options' | 'profileDir'>,
  relay: RelaySpec,
  round: number,
  databaseUrl: string,
): { name: string; launch: ServerLaunch }[] {
  const processes = [{ name: relay.processName ?? 'relay', env: {} }, ...(relay.companions ?? [])];
  return processes.map(({ name, env }) => {
    const label = processes.length > 1 ? `${relay.name} (${name})` : relay.name;
    return {
      name,
      launch: {
        label,
        entry: relay.entry,
        cwd: relay.cwd,
        nodeFlags: settings.options.cpuProfile ? cpuProfileFlags(settings.profileDir, label, round) : [],
        env: { ...relay.env, ...env, DATABASE_URL: databaseUrl },
        readyPath: relay.readyPath,
      },
    };
  });
}

/** Closed-loop warm-up (`--warmup` seconds), then waits until its events were delivered. */
export async function warmUp(settings: RelayRunSettings, running: RunningRelay): Promise<void> {
  const { options } = settings;
  if (options.warmupSeconds <= 0) return;
  const warmup = settings.requests('warmup');
  const load = await generateLoad({
    url: running.server.baseUrl,
    connections: options.connections,
    durationSeconds: options.warmupSeconds,
    requests: warmup.forAutocannon(),
  });
  await waitForDeliveries(settings, warmup.idPrefix, load.ok2xx * deliveriesPerEvent(running.relay));
}

export interface FixedRatePhase {
  /** Starts the event ids, so that the receiver tells the phases apart. */
  phase: string;
  ratePerSecond: number;
  seconds: number;
  /** Called when the last request was answered, before the wait for deliveries. */
  loadEnded?(): void;
}

/** Open-loop load at a fixed rate, then waits (bounded) until every accepted event was delivered. */
export async function measureFixedRate(settings: RelayRunSettings, running: RunningRelay, phase: FixedRatePhase): Promise<FixedRateResult> {
  const requests = settings.requests(phase.phase);
  const load = await generateFixedRate({ url: running.server.baseUrl, ratePerSecond: phase.ratePerSecond, durationSeconds: phase.seconds, requests });
  phase.loadEnded?.();
  const expected = load.ok2xx * deliveriesPerEvent(running.relay);
  await waitForDeliveries(settings, requests.idPrefix, expected);
  const arrivals = settings.receiver.arrivalsWithPrefix(requests.idPrefix);
  return {
    ratePerSecond: phase.ratePerSecond,
    sent: load.sent,
    accepted: load.ok2xx,
    non2xx: load.non2xx,
    errors: load.errors,
    skipped: load.skipped,
    delivered: arrivals.length,
    lost: Math.max(0, expected - arrivals.length),
    latencyMs: deliveryLatency(arrivals),
    acceptMs: { p50: load.responseMs.p50, p99: load.responseMs.p99 },
    idPrefix: requests.idPrefix,
  };
}

/** Percentiles of the time from sending the event to its arrival (or, with `until`, another moment). */
export function deliveryLatency(arrivals: readonly Arrival[], until: (arrival: Arrival) => number = (arrival) => arrival.arrivedAt): LatencySummary {
  const latencies = Float64Array.from(arrivals.map((arrival) => until(arrival) - arrival.sentAt)).sort();
  return {
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1] : 0,
  };
}

/** Closed-loop load (`--connections`, `--duration`), then the bounded drain. */
export async function measureSaturation(settings: RelayRunSettings, running: RunningRelay): Promise<SaturationSample> {
  const { options, receiver } = settings;
  const requests = settings.requests('sat');
  const cpu = new CpuMeter({
    serverPid: running.server.pid,
    companionPids: running.companions.map((companion) => companion.pid),
    databasePid: settings.database.serverPid,
  });
  const loadStart = epochMs();
  const load = await generateLoad({
    url: running.server.baseUrl,
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    requests: requests.forAutocannon(),
  });
  const loadEnd = epochMs();
  const cpuUse = cpu.stop();
  const expected = load.ok2xx * deliveriesPerEvent(running.relay);
  await waitForDeliveries(settings, requests.idPrefix, expected);
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
    lost: Math.max(0, expected - arrivals.length),
    cpu: cpuUse,
  };
}

function deliveriesPerEvent(relay: RelaySpec): number {
  return relay.deliveriesPerEvent ?? 1;
}

/** Waits until `expected` deliveries of a phase reached the receiver, or the drain limit ran out. */
export async function waitForDeliveries(settings: RelayRunSettings, prefix: string, expected: number): Promise<boolean> {
  const deadline = Date.now() + settings.drainLimitSeconds * 1000;
  while (settings.receiver.countWithPrefix(prefix) < expected) {
    if (Date.now() >= deadline) {
      settings.log(
        `  ! only ${settings.receiver.countWithPrefix(prefix)} of the ${expected} deliveries owed for accepted events arrived after ${settings.drainLimitSeconds} s`,
      );
      return false;
    }
    await sleep(20);
  }
  return true;
}

const AUDIT_WAIT_MS = 15_000;

/**
 * Every stored event must reach the receiver (once per delivery it owes): waits (bounded)
 * for stragglers cut off in flight and for the relay to record the last deliveries as final.
 */
export async function auditRun(settings: RelayRunSettings, running: RunningRelay): Promise<Omit<RunAudit, 'perEvent'>> {
  const { receiver } = settings;
  const perEvent = deliveriesPerEvent(running.relay);
  const client = new Client({ connectionString: running.databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + AUDIT_WAIT_MS;
    let found = await running.relay.storedEvents(client);
    while ((receiver.uniqueArrivals.length < found.stored * perEvent || found.unfinished > 0) && Date.now() < deadline) {
      await sleep(200);
      found = await running.relay.storedEvents(client);
    }
    const deliveredUnique = receiver.uniqueArrivals.length;
    return {
      stored: found.stored,
      states: found.states,
      deliveredUnique,
      storedNotDelivered: Math.max(0, found.stored * perEvent - deliveredUnique),
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
async function latencyStages(settings: RelayRunSettings, relay: RelaySpec, databaseUrl: string, prefix: string): Promise<FixedRateResult['stagesMs']> {
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
    return {
      commits: per(rows[0]?.xact_commit),
      rowsInserted: per(rows[0]?.tup_inserted),
      rowsUpdated: per(rows[0]?.tup_updated),
      rowsDeleted: per(rows[0]?.tup_deleted),
    };
  } finally {
    await client.end();
  }
}

/** Logs the first warning or error line, and keeps the process's last output beside the results. */
async function reportTroubleIn(output: string, name: string, round: number, settings: RelayRunSettings): Promise<void> {
  const trouble = output.split('\n').filter((line) => /error|warn|fail|exception/i.test(line));
  if (trouble.length === 0) return;
  const file = join(
    RESULTS_DIR,
    `${new Date().toISOString().replace(/[:.]/g, '-')}-relay-${name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 40)}-run-${round}.log`,
  );
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(file, output);
  settings.log(`  ! ${name} logged ${trouble.length} warning/error line(s), e.g.: ${trouble[0].trim().slice(0, 300)}\n    (its last output: ${file})`);
}

function cpuProfileFlags(profileDir: string, name: string, round: number): string[] {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return ['--cpu-prof', '--cpu-prof-dir', join(profileDir, slug), '--cpu-prof-name', `run-${round}.cpuprofile`];
}
