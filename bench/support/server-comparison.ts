import { join } from 'node:path';
import type { BenchDatabase, BenchDatabaseServer } from './bench-database';
import { hookflowBuildStamp } from './build-stamp';
import { CpuMeter, CpuUse, waitForQuietMachine } from './cpu-meter';
import { generateLoad, LoadSample } from './load-generator';
import type { BenchOptions } from './scenario';
import { ServerProcess } from './server-process';
import type { SignedOrderRequests } from './signed-order-requests';
import { median } from './statistics';

export interface ServerSpec {
  /** Row label in the results table. */
  name: string;
  /** Absolute path of the JavaScript entry point. */
  entry: string;
  args?: string[];
  env?: Record<string, string>;
  /** Working folder of the process (default: the bench's). */
  cwd?: string;
  /** A GET route answering 200 once the server accepts traffic (`/readyz`, `/health`). */
  readyPath: string;
  /** Gets a fresh database of its own on the bench server, passed as DATABASE_URL. */
  needsDatabase: boolean;
  /** The plain-insert baseline that the other rows are compared with. */
  baseline?: boolean;
  /**
   * After the last run, checks what the server stored against the number of 2xx answers it
   * gave (warm-ups included) and the most requests that can have been cut off in flight;
   * answers a one-line verdict for the log and the results.
   */
  audit?(databaseUrl: string, accepted: number, inFlight: number): Promise<string>;
}

/** Other processes using more than this during a run make it disturbed: it is measured again. */
const DISTURBED_CORES = 0.4;
const MAX_ATTEMPTS = 3;

/** One measured run, with where the machine's CPU went during it. */
export type MeasuredSample = LoadSample & {
  /** Still disturbed by other processes after the last attempt. */
  disturbed?: boolean;
  cpu?: CpuUse;
  /** Cores other processes kept busy in the second before the server started (shared-machine noise). */
  backgroundCores?: number;
};

export interface ServerSummary {
  name: string;
  baseline: boolean;
  runs: MeasuredSample[];
  medianRequestsPerSecond: number;
  medianP50Ms: number;
  medianP99Ms: number;
  non2xx: number;
  errors: number;
  /** Median req/s divided by the baseline's median req/s of the same comparison. */
  ratioToBaseline: number | null;
  /** Req/s of each run divided by the baseline's req/s in the same round. */
  ratioPerRound: number[];
  audit?: string;
  /** Set when Hookflow's build (dist/src) changed between this comparison's first and last run. */
  buildChanged?: boolean;
}

export interface ComparisonSettings {
  options: BenchOptions;
  database: BenchDatabaseServer;
  requests: SignedOrderRequests;
  profileDir: string;
  log: (line: string) => void;
}

/**
 * Measures servers in interleaved rounds: each round starts each server as a fresh
 * process, warms it up, measures one run and stops it, so that drift on a shared machine
 * spreads over every server instead of favouring the one measured first.
 */
export async function compareServers(settings: ComparisonSettings, specs: ServerSpec[]): Promise<ServerSummary[]> {
  const { options, database, log } = settings;
  const databases = new Map<ServerSpec, BenchDatabase>();
  const samples = new Map<ServerSpec, MeasuredSample[]>(specs.map((spec) => [spec, []]));
  // 2xx answers and load runs of each server, warm-ups and repeated runs included, for the audit.
  const accepted = new Map<ServerSpec, number>(specs.map((spec) => [spec, 0]));
  const loadRuns = new Map<ServerSpec, number>(specs.map((spec) => [spec, 0]));
  const audits = new Map<ServerSpec, string>();
  const buildAtStart = hookflowBuildStamp();
  let buildChanged = false;
  try {
    for (const spec of specs) {
      if (spec.needsDatabase) databases.set(spec, await database.createDatabase(spec.name));
    }
    for (let round = 1; round <= options.runs; round++) {
      for (const spec of specs) {
        const { sample, answered, loadRuns: runsOfLoad } = await measureOnce(settings, spec, databases.get(spec), round);
        samples.get(spec)!.push(sample);
        accepted.set(spec, accepted.get(spec)! + answered);
        loadRuns.set(spec, loadRuns.get(spec)! + runsOfLoad);
        log(`  run ${round}/${options.runs}  ${spec.name.padEnd(34)} ${describeSample(sample)}`);
      }
      if (!buildChanged && hookflowBuildStamp() !== buildAtStart) {
        buildChanged = true;
        log(`  ! Hookflow was rebuilt (dist/src changed) during round ${round}: the runs mix two versions of the code`);
      }
    }
    for (const spec of specs) {
      const database = databases.get(spec);
      if (!spec.audit || !database) continue;
      audits.set(spec, await spec.audit(database.url, accepted.get(spec)!, loadRuns.get(spec)! * options.connections));
      log(`  ${spec.name}: ${audits.get(spec)}`);
    }
  } finally {
    for (const { name } of databases.values()) await database.dropDatabase(name).catch(() => undefined);
  }
  return summarize(specs, samples, audits).map((summary) => (buildChanged ? { ...summary, buildChanged } : summary));
}

/** One run of one server, as a round of `compareServers` measures it, on a database of its own (created and dropped here). */
export async function measureServerOnce(settings: ComparisonSettings, spec: ServerSpec, round: number): Promise<MeasuredSample> {
  const database = spec.needsDatabase ? await settings.database.createDatabase(spec.name) : undefined;
  try {
    return (await measureOnce(settings, spec, database, round)).sample;
  } finally {
    if (database) await settings.database.dropDatabase(database.name).catch(() => undefined);
  }
}

async function measureOnce(
  settings: ComparisonSettings,
  spec: ServerSpec,
  database: BenchDatabase | undefined,
  round: number,
): Promise<{ sample: MeasuredSample; answered: number; loadRuns: number }> {
  const { options, requests } = settings;
  await settings.database.checkpoint();
  const databasePid = settings.database.serverPid;
  const background = await waitForQuietMachine(settings.log, databasePid);
  const server = await ServerProcess.start({
    label: spec.name,
    entry: spec.entry,
    args: spec.args,
    cwd: spec.cwd,
    nodeFlags: options.cpuProfile ? cpuProfileFlags(settings.profileDir, spec.name, round) : [],
    env: { ...spec.env, ...(database ? { DATABASE_URL: database.url } : {}) },
    readyPath: spec.readyPath,
  });
  try {
    const load = { url: server.baseUrl, connections: options.connections, requests: requests.forAutocannon() };
    let answered = 0;
    let loadRuns = 0;
    if (options.warmupSeconds > 0) {
      answered += (await generateLoad({ ...load, durationSeconds: options.warmupSeconds })).ok2xx;
      loadRuns++;
    }
    for (let attempt = 1; ; attempt++) {
      const cpu = new CpuMeter({ serverPid: server.pid, databasePid });
      const sample: MeasuredSample = {
        ...(await generateLoad({ ...load, durationSeconds: options.durationSeconds })),
        cpu: cpu.stop(),
        backgroundCores: background,
      };
      answered += sample.ok2xx;
      loadRuns++;
      const disturbance = sample.cpu?.database === undefined ? 0 : sample.cpu.rest;
      if (disturbance <= DISTURBED_CORES) return { sample, answered, loadRuns };
      if (attempt === MAX_ATTEMPTS) return { sample: { ...sample, disturbed: true }, answered, loadRuns };
      settings.log(`  (${spec.name}: other processes used ${disturbance.toFixed(2)} cores during the run; measuring again)`);
      await waitForQuietMachine(settings.log, databasePid);
    }
  } catch (error) {
    throw new Error(`${spec.name}: ${(error as Error).message}\n${server.recentOutput().slice(-2000)}`, { cause: error });
  } finally {
    await server.stop();
    reportTroubleIn(server.recentOutput(), spec.name, settings.log);
  }
}

function reportTroubleIn(output: string, name: string, log: (line: string) => void): void {
  const trouble = output.split('\n').filter((line) => /error|warn|fail|exception/i.test(line));
  if (trouble.length > 0) log(`  ! ${name} logged ${trouble.length} warning/error line(s), e.g.: ${trouble[0].trim().slice(0, 300)}`);
}

function cpuProfileFlags(profileDir: string, name: string, round: number): string[] {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return ['--cpu-prof', '--cpu-prof-dir', join(profileDir, slug), '--cpu-prof-name', `run-${round}.cpuprofile`];
}

function summarize(specs: ServerSpec[], samples: Map<ServerSpec, MeasuredSample[]>, audits: Map<ServerSpec, string>): ServerSummary[] {
  const baselineSpec = specs.find((spec) => spec.baseline);
  const baselineRuns = baselineSpec ? samples.get(baselineSpec)!.map((s) => s.requestsPerSecond) : [];
  const baselineRate = median(baselineRuns);
  return specs.map((spec) => {
    const runs = samples.get(spec)!;
    const rate = median(runs.map((s) => s.requestsPerSecond));
    return {
      name: spec.name,
      baseline: spec.baseline === true,
      runs,
      medianRequestsPerSecond: rate,
      medianP50Ms: median(runs.map((s) => s.latencyMs.p50)),
      medianP99Ms: median(runs.map((s) => s.latencyMs.p99)),
      non2xx: runs.reduce((sum, s) => sum + s.non2xx, 0),
      errors: runs.reduce((sum, s) => sum + s.errors + s.timeouts, 0),
      ratioToBaseline: baselineRate > 0 ? rate / baselineRate : null,
      ratioPerRound: baselineRuns.length ? runs.map((s, round) => s.requestsPerSecond / baselineRuns[round]) : [],
      audit: audits.get(spec),
    };
  });
}

/** One log line per run: req/s, latency, errors, status codes and the CPU split. */
export function describeSample(sample: MeasuredSample): string {
  const codes = Object.entries(sample.statusCodes)
    .map(([code, count]) => `${code}×${count}`)
    .join(' ');
  const cpu = sample.cpu
    ? `  cpu: load ${sample.cpu.loadGenerator.toFixed(2)}, server ${sample.cpu.server.toFixed(2)}` +
      (sample.cpu.database === undefined ? '' : `, postgres ${sample.cpu.database.toFixed(2)}`) +
      `, rest ${sample.cpu.rest.toFixed(2)} of ${sample.cpu.machine.toFixed(2)} cores${sample.disturbed ? ' DISTURBED' : ''}`
    : '';
  const background = sample.backgroundCores === undefined ? '' : `  (others before: ${sample.backgroundCores.toFixed(2)} cores)`;
  return (
    `${Math.round(sample.requestsPerSecond).toString().padStart(6)} req/s  ` +
    `p50 ${sample.latencyMs.p50.toFixed(1)} ms  p99 ${sample.latencyMs.p99.toFixed(1)} ms  ` +
    `errors ${sample.errors + sample.timeouts}  [${codes}]${cpu}${background}`
  );
}
