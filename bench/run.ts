// `npm run bench [-- <scenario>... ] [--duration 10] [--warmup 2] [--runs 3] [--connections 32] [--soak] [--figures] [--cpu-prof] [--list]`
import 'reflect-metadata';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchDatabaseServer } from './support/bench-database';
import { commitIsDurable, describeMachine, formatMachine, MachineInfo } from './support/machine-info';
import { PUBLISHED_FIGURES_DIR, RESULTS_DIR, SCENARIOS_DIR } from './support/paths';
import { formatResultsTable } from './support/results-table';
import type { BenchContext, BenchOptions, Scenario } from './support/scenario';
import { compareServers, ServerSpec, ServerSummary } from './support/server-comparison';
import { ServerProcess } from './support/server-process';
import { SignedOrderRequests } from './support/signed-order-requests';

interface ScenarioRecord {
  name: string;
  comparisons: { title: string; table: string; servers: ServerSummary[] }[];
  reports: { title: string; table: string; details?: unknown }[];
  figures: string[];
  error?: string;
}

/** Runs only when named, or with `--soak` / BENCH_SOAK=1 (it takes ten minutes). */
const SOAK_SCENARIO = 'soak';

interface BenchRecord {
  startedAt: string;
  finishedAt?: string;
  options: BenchOptions;
  machine?: MachineInfo;
  scenarios: ScenarioRecord[];
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      runs: { type: 'string', default: '3' },
      connections: { type: 'string', default: '32' },
      'cpu-prof': { type: 'boolean', default: false },
      soak: { type: 'boolean', default: process.env.BENCH_SOAK === '1' },
      figures: { type: 'boolean', default: process.env.BENCH_FIGURES === '1' },
      list: { type: 'boolean', default: false },
    },
  });
  const available = await loadScenarios();
  if (values.list) {
    for (const scenario of available) {
      const when =
        scenario.runByDefault === false
          ? scenario.name === SOAK_SCENARIO
            ? ' [not by default: by name, or --soak / BENCH_SOAK=1]'
            : ' [not by default: by name]'
          : '';
      process.stdout.write(`${scenario.name.padEnd(14)} ${scenario.description}${when}\n`);
    }
    return 0;
  }
  const selected = selectScenarios(available, positionals, values.soak);
  const options: BenchOptions = {
    durationSeconds: positiveNumber('duration', values.duration),
    warmupSeconds: positiveNumber('warmup', values.warmup, true),
    runs: positiveNumber('runs', values.runs),
    connections: positiveNumber('connections', values.connections),
    cpuProfile: values['cpu-prof'],
    publishFigures: values.figures,
  };
  return runScenarios(selected, options);
}

async function runScenarios(scenarios: Scenario[], options: BenchOptions): Promise<number> {
  const startedAt = new Date();
  const record: BenchRecord = { startedAt: startedAt.toISOString(), options, scenarios: [] };
  const resultsFile = join(RESULTS_DIR, `${startedAt.toISOString().replace(/[:.]/g, '-')}-${scenarios.map((s) => s.name).join('-')}.json`);
  const cleanups: (() => Promise<void> | void)[] = [];
  const database = new BenchDatabaseServer();
  const cleanUp = async () => {
    await ServerProcess.stopAll();
    while (cleanups.length > 0) await Promise.resolve(cleanups.pop()!()).catch(() => undefined);
    await database.stop().catch((error: unknown) => log(`could not stop the database: ${String(error)}`));
  };
  stopOnSignals(cleanUp);

  let failed = false;
  try {
    await database.start(process.env.DATABASE_URL);
    const postgres = await database.info();
    record.machine = describeMachine(postgres);
    log(formatMachine(record.machine));
    if (!commitIsDurable(postgres)) log('WARNING: fsync or synchronous_commit is off: these figures are NOT durable-commit figures');
    log(
      `Load: autocannon, ${options.connections} connections, ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s measured, ${options.runs} runs per server (interleaved)\n`,
    );

    const context = createContext(options, database, cleanups);
    for (const scenario of scenarios) {
      const scenarioRecord: ScenarioRecord = { name: scenario.name, comparisons: [], reports: [], figures: [] };
      record.scenarios.push(scenarioRecord);
      (context as ContextWithSink).sink = scenarioRecord;
      log(`== ${scenario.name}: ${scenario.description}`);
      try {
        await scenario.run(context);
      } catch (error) {
        failed = true;
        scenarioRecord.error = (error as Error).stack ?? String(error);
        log(`Scenario ${scenario.name} failed: ${scenarioRecord.error}`);
      }
    }
  } catch (error) {
    failed = true;
    log(`Bench failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await cleanUp();
    record.finishedAt = new Date().toISOString();
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeFile(resultsFile, JSON.stringify(record, null, 2) + '\n');
    log(`Results saved to ${resultsFile}`);
  }
  return failed ? 1 : 0;
}

type ContextWithSink = BenchContext & { sink?: ScenarioRecord };

function createContext(options: BenchOptions, database: BenchDatabaseServer, cleanups: (() => Promise<void> | void)[]): BenchContext {
  const requests = new SignedOrderRequests();
  const context: ContextWithSink = {
    options,
    database,
    requests,
    log,
    defer: (cleanup) => void cleanups.push(cleanup),
    report(title, table, details) {
      log(`\n### ${title}\n\n${table}\n`);
      context.sink?.reports.push({ title, table, details });
    },
    async saveFigure(name, svg, published) {
      await mkdir(RESULTS_DIR, { recursive: true });
      const files = [join(RESULTS_DIR, `${new Date().toISOString().replace(/[:.]/g, '-')}-${name}.svg`)];
      await writeFile(files[0], svg);
      if (options.publishFigures && published) {
        await mkdir(PUBLISHED_FIGURES_DIR, { recursive: true });
        files.push(join(PUBLISHED_FIGURES_DIR, `${published}.svg`));
        await copyFile(files[0], files[1]);
      }
      log(`Figure saved to ${files.join(' and ')}`);
      context.sink?.figures.push(...files);
      return files;
    },
    async tempDir(prefix) {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return dir;
    },
    async compare(title: string, servers: ServerSpec[]) {
      log(`-- ${title}`);
      const profileDir = join(RESULTS_DIR, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
      const summaries = await compareServers({ options, database, requests, profileDir, log }, servers);
      const table = formatResultsTable(summaries);
      log(`\n### ${title}\n\n${table}\n`);
      if (options.cpuProfile) log(`CPU profiles in ${profileDir}; summary: node dist/bench/profile-summary.js <folder>`);
      context.sink?.comparisons.push({ title, table, servers: summaries });
      return summaries;
    },
  };
  return context;
}

async function loadScenarios(): Promise<Scenario[]> {
  const files = (await readdir(SCENARIOS_DIR)).filter((file) => file.endsWith('.scenario.js'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- scenarios are found by file name at run time
  const scenarios = files.map((file) => (require(join(SCENARIOS_DIR, file)) as { scenario: Scenario }).scenario);
  return scenarios.sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.name.localeCompare(b.name));
}

function selectScenarios(available: Scenario[], names: string[], withSoak: boolean): Scenario[] {
  const find = (name: string) => {
    const scenario = available.find((candidate) => candidate.name === name);
    if (!scenario) throw new UsageError(`Unknown scenario "${name}"; known: ${available.map((s) => s.name).join(', ')}`);
    return scenario;
  };
  const selected = names.length === 0 ? available.filter((scenario) => scenario.runByDefault !== false) : names.map(find);
  if (withSoak && !selected.some((scenario) => scenario.name === SOAK_SCENARIO)) selected.push(find(SOAK_SCENARIO));
  return selected;
}

function positiveNumber(name: string, value: string, zeroAllowed = false): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || (!zeroAllowed && parsed === 0)) throw new UsageError(`--${name} must be a positive number`);
  return parsed;
}

function stopOnSignals(cleanUp: () => Promise<void>): void {
  const stop = (signal: NodeJS.Signals) => {
    log(`\nReceived ${signal}: stopping servers and the database…`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

class UsageError extends Error {}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(error instanceof UsageError ? `${error.message}\n` : `${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
