import type { BenchDatabaseServer } from './bench-database';
import type { ServerSpec, ServerSummary } from './server-comparison';
import type { SignedOrderRequests } from './signed-order-requests';

export interface BenchOptions {
  /** Seconds of measured load per run. */
  durationSeconds: number;
  /** Seconds of unmeasured load after each server start, before the measured run. */
  warmupSeconds: number;
  runs: number;
  connections: number;
  /** Starts the measured servers with `node --cpu-prof`, profiles in bench/results/profiles/. */
  cpuProfile: boolean;
  /** `--figures` (or BENCH_FIGURES=1): figures are also written to docs/benchmarks/, where BENCHMARKS.md links them. */
  publishFigures: boolean;
}

/** What every scenario gets from `bench/run.ts`. */
export interface BenchContext {
  readonly options: BenchOptions;
  /** The one PostgreSQL of this bench run (embedded unless DATABASE_URL is set). */
  readonly database: BenchDatabaseServer;
  /** Unique, correctly signed `order.paid` webhooks for source `bench`. */
  readonly requests: SignedOrderRequests;
  /**
   * Measures the servers in interleaved rounds (each round starts each server, warms it up,
   * measures one run and stops it), prints the Markdown table and records the results.
   */
  compare(title: string, servers: ServerSpec[]): Promise<ServerSummary[]>;
  /** Prints a result table under a `###` heading and keeps it, with its details, in the results JSON. */
  report(title: string, table: string, details?: unknown): void;
  /**
   * Saves an SVG figure as bench/results/<time>-<name>.svg and, with `--figures`, as
   * docs/benchmarks/<published>.svg; answers the files written.
   */
  saveFigure(name: string, svg: string, published?: string): Promise<string[]>;
  /** A fresh temporary folder, removed at the end of the bench run. */
  tempDir(prefix: string): Promise<string>;
  /** Runs at the end of the bench run, even when a scenario fails (last registered first). */
  defer(cleanup: () => Promise<void> | void): void;
  log: (line: string) => void;
}

/**
 * One file per scenario in bench/scenarios/, named `<name>.scenario.ts`, exporting
 * `scenario`. It is picked up by name; `npm run bench` without arguments runs every scenario
 * whose `runByDefault` is not false, in ascending `order` (and the soak with `--soak`).
 */
export interface Scenario {
  name: string;
  description: string;
  order?: number;
  runByDefault?: boolean;
  run(context: BenchContext): Promise<void>;
}
