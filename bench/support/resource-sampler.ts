import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { ArrivalLog } from './delivery-receiver';
import type { RelaySpec } from './end-to-end-run';
import { percentile } from './statistics';
import { epochMs } from './timed-order-requests';

const MIB = 1024 * 1024;

/** What a soak records every interval. */
export interface ResourceSample {
  /** Seconds since sampling started (the start of the load). */
  atSeconds: number;
  /** Whether the load was still being sent (later samples are the drain). */
  loading: boolean;
  /** Resident set of the relay process (VmRSS), MiB; null when /proc does not say. */
  rssMiB: number | null;
  /**
   * The V8 heap (used and total) and memory outside it (Buffers and the like), MiB, from
   * the relay's Prometheus `/metrics` (prom-client's default metrics); null without one.
   */
  heapUsedMiB: number | null;
  heapTotalMiB: number | null;
  externalMiB: number | null;
  databaseMiB: number;
  /** pg_total_relation_size of each of the relay's tables (indexes and TOAST included), MiB. */
  tablesMiB: Record<string, number>;
  /** Work still waiting (queue jobs, pending rows). */
  backlog: number;
  /** Deliveries that arrived since the previous sample, per second. */
  deliveredPerSecond: number;
  /** p99 of their latency (arrival − send time), ms; null when none arrived. */
  p99Ms: number | null;
}

/** VmRSS of a process from /proc/<pid>/status, in bytes; undefined where unavailable. */
export function residentBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The value of an unlabelled metric in a Prometheus exposition, or undefined. */
export function metricValue(exposition: string, name: string): number | undefined {
  const match = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(exposition);
  return match ? Number(match[1]) : undefined;
}

export interface SamplerTarget {
  pid: number | undefined;
  /** Where the relay answers `GET /metrics`, if it does. */
  metricsUrl?: string;
  databaseUrl: string;
  storage: RelaySpec['storage'];
  /** Arrivals are read in arrival order, from where they stood when sampling started. */
  receiver: ArrivalLog;
  intervalSeconds: number;
  /** Called with each sample as it is taken (progress in the log). */
  onSample?(sample: ResourceSample): void;
}

/**
 * Samples a running relay at a fixed interval until stopped: RSS, database and table
 * sizes, backlog, and the deliveries of the interval (rate and p99). Its queries run on a
 * connection of its own, each bounded by a statement timeout.
 */
export class ResourceSampler {
  private readonly samples: ResourceSample[] = [];
  private readonly stopping = new AbortController();
  private client?: Client;
  private loop?: Promise<void>;
  private startedAt = 0;
  private loading = true;
  private cursor = 0;
  private lastAt = 0;

  constructor(private readonly target: SamplerTarget) {}

  async start(): Promise<void> {
    this.client = new Client({ connectionString: this.target.databaseUrl, statement_timeout: 5_000, application_name: 'bench-sampler' });
    await this.client.connect();
    this.cursor = this.target.receiver.uniqueArrivals.length;
    this.startedAt = this.lastAt = epochMs();
    await this.sample();
    this.loop = this.run();
  }

  /** Later samples are marked as taken during the drain. */
  loadEnded(): void {
    this.loading = false;
  }

  async stop(): Promise<ResourceSample[]> {
    this.stopping.abort();
    await this.loop;
    await this.client?.end().catch(() => undefined);
    return this.samples;
  }

  private async run(): Promise<void> {
    const intervalMs = this.target.intervalSeconds * 1000;
    for (let index = 1; !this.stopping.signal.aborted; index++) {
      const wait = this.startedAt + index * intervalMs - epochMs();
      try {
        if (wait > 0) await sleep(wait, undefined, { signal: this.stopping.signal });
      } catch {
        return; // stopped
      }
      await this.sample().catch(() => undefined);
    }
  }

  private async sample(): Promise<void> {
    const now = epochMs();
    const { storage } = this.target;
    const sizes = await this.client!.query<{ name: string; bytes: string | null }>(
      `SELECT t AS name, pg_total_relation_size(to_regclass(t)) AS bytes FROM unnest($1::text[]) AS t
       UNION ALL SELECT '', pg_database_size(current_database())`,
      [storage.tables],
    );
    const backlog = await this.client!.query<{ count: number }>(storage.backlogSql);
    const arrivals = this.target.receiver.uniqueArrivals.slice(this.cursor);
    this.cursor += arrivals.length;
    const latencies = Float64Array.from(arrivals.map((arrival) => arrival.arrivedAt - arrival.sentAt)).sort();
    const seconds = (now - this.lastAt) / 1000;
    this.lastAt = now;
    const rss = residentBytes(this.target.pid);
    const heap = await this.heapFigures();
    const toMiB = (bytes: string | null) => Number(bytes ?? 0) / MIB;
    const sample: ResourceSample = {
      atSeconds: Math.round((now - this.startedAt) / 100) / 10,
      loading: this.loading,
      rssMiB: rss === undefined ? null : rss / MIB,
      ...heap,
      databaseMiB: toMiB(sizes.rows.find((row) => row.name === '')!.bytes),
      tablesMiB: Object.fromEntries(sizes.rows.filter((row) => row.name !== '').map((row) => [row.name, toMiB(row.bytes)])),
      backlog: Number(backlog.rows[0]?.count ?? 0),
      deliveredPerSecond: seconds > 0 ? arrivals.length / seconds : 0,
      p99Ms: latencies.length ? percentile(latencies, 99) : null,
    };
    this.samples.push(sample);
    this.target.onSample?.(sample);
  }

  private async heapFigures(): Promise<Pick<ResourceSample, 'heapUsedMiB' | 'heapTotalMiB' | 'externalMiB'>> {
    const none = { heapUsedMiB: null, heapTotalMiB: null, externalMiB: null };
    if (!this.target.metricsUrl) return none;
    try {
      const response = await fetch(this.target.metricsUrl, { signal: AbortSignal.timeout(2_000) });
      if (!response.ok) return none;
      const text = await response.text();
      const mib = (name: string) => {
        const value = metricValue(text, name);
        return value === undefined ? null : value / MIB;
      };
      return {
        heapUsedMiB: mib('nodejs_heap_size_used_bytes'),
        heapTotalMiB: mib('nodejs_heap_size_total_bytes'),
        externalMiB: mib('nodejs_external_memory_bytes'),
      };
    } catch {
      return none;
    }
  }
}
