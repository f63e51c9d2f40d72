import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PAUSE_KINDS, PauseKind } from '../pauses/pause.entity';
import { PausedSet } from '../pauses/paused-set';
import { WorkflowRegistry } from '../workflows/workflow-registry';

/** How `POST /hooks/:source` ended, as counted by `hookflow_events_received_total`. */
export const INGEST_OUTCOMES = [
  'accepted',
  'duplicate',
  'handshake',
  'rejected_signature',
  'too_large',
  'not_found',
  'not_configured',
  'paused',
  'busy',
  'error',
] as const;
export type IngestOutcome = (typeof INGEST_OUTCOMES)[number];

/** How one step attempt ended (`wait`: a delay step that starts waiting). */
export type AttemptStatus = 'succeeded' | 'failed' | 'waiting';

/** What came back from an outbound attempt: the status class, or why there was none. */
export type DeliveryStatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'error';

/** Label value for a source or workflow that is not in the loaded configuration. */
export const UNKNOWN_LABEL = '_unknown';

const RUN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const STEP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type OutcomeCounts = Record<IngestOutcome, number>;

/**
 * Hookflow's Prometheus metrics, on a registry of this application's own. Everything here
 * is in memory and synchronous, so callers on hot paths pay no I/O. Source and workflow
 * labels come only from the loaded configuration (anything else is `_unknown`), so the
 * number of series stays bounded whatever is sent to `/hooks/:source`.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  /**
   * Inbound requests since the last scrape, per source and outcome. The ingress path only
   * adds to a number here; prom-client's label hashing happens once per scrape instead of
   * once per request.
   */
  private readonly pendingIngest = new Map<string, OutcomeCounts>();
  private readonly eventsReceived: Counter<'source' | 'outcome'>;
  private readonly runDuration: Histogram<'workflow' | 'status'>;
  private readonly stepDuration: Histogram<'workflow' | 'kind' | 'status'>;
  private readonly deliveryAttempts: Counter<'kind' | 'status_class'>;
  private readonly retentionDeleted: Counter<'table'>;
  private readonly destinationStateChanges: Counter<'state'>;
  private readonly runsParked: Counter<'workflow'>;
  private readonly pauseChanges: Counter<'kind' | 'action'>;

  constructor(
    private readonly workflows: WorkflowRegistry,
    pausedSet: PausedSet,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.eventsReceived = new Counter({
      name: 'hookflow_events_received_total',
      help: 'Requests to POST /hooks/:source, by source and outcome',
      labelNames: ['source', 'outcome'],
      registers,
      collect: () => this.flushIngest(),
    });
    this.runDuration = new Histogram({
      name: 'hookflow_run_duration_seconds',
      help: 'From the start of a run to its end, by workflow and final status',
      labelNames: ['workflow', 'status'],
      buckets: RUN_BUCKETS,
      registers,
    });
    this.stepDuration = new Histogram({
      name: 'hookflow_step_duration_seconds',
      help: 'Duration of each step attempt, by workflow, step kind and how the attempt ended',
      labelNames: ['workflow', 'kind', 'status'],
      buckets: STEP_BUCKETS,
      registers,
    });
    this.deliveryAttempts = new Counter({
      name: 'hookflow_delivery_attempts_total',
      help: 'Outbound attempts (http, slack, email), by step kind and answer class',
      labelNames: ['kind', 'status_class'],
      registers,
    });
    this.retentionDeleted = new Counter({
      name: 'hookflow_retention_deleted_total',
      help: 'Rows removed by retention, by table',
      labelNames: ['table'],
      registers,
    });
    this.destinationStateChanges = new Counter({
      name: 'hookflow_destination_state_changes_total',
      help: "Changes of destinations' circuit breakers made by this process, by the state entered (closed, open, half_open, disabled)",
      labelNames: ['state'],
      registers,
    });
    this.runsParked = new Counter({
      name: 'hookflow_runs_paused_total',
      help: 'Runs this process parked as paused because their workflow is paused, by workflow',
      labelNames: ['workflow'],
      registers,
    });
    this.pauseChanges = new Counter({
      name: 'hookflow_pause_changes_total',
      help: 'Pauses and resumes of workflows and sources made through this process',
      labelNames: ['kind', 'action'],
      registers,
    });
    new Gauge({
      name: 'hookflow_paused',
      help: 'Workflows and sources paused now, as this process sees them',
      labelNames: ['kind'],
      registers,
      collect() {
        for (const kind of PAUSE_KINDS) this.set({ kind }, pausedSet.count(kind));
      },
    });
  }

  destinationStateChanged(state: string): void {
    this.destinationStateChanges.inc({ state });
  }

  runParked(workflow: string): void {
    this.runsParked.inc({ workflow: this.workflowLabel(workflow) });
  }

  pauseChanged(kind: PauseKind, action: 'pause' | 'resume'): void {
    this.pauseChanges.inc({ kind, action });
  }

  /** Counts one inbound request; called on the ingress hot path, so it allocates nothing after a source's first request. */
  eventReceived(source: string, outcome: IngestOutcome): void {
    const label = this.workflows.getSource(source) ? source : UNKNOWN_LABEL;
    let counts = this.pendingIngest.get(label);
    if (!counts) {
      counts = zeroCounts();
      this.pendingIngest.set(label, counts);
    }
    counts[outcome]++;
  }

  runFinished(workflow: string, status: string, seconds: number): void {
    this.runDuration.observe({ workflow: this.workflowLabel(workflow), status }, Math.max(seconds, 0));
  }

  stepAttempted(workflow: string, kind: string, status: AttemptStatus, seconds: number): void {
    this.stepDuration.observe({ workflow: this.workflowLabel(workflow), kind, status }, Math.max(seconds, 0));
  }

  deliveryAttempted(kind: string, statusClass: DeliveryStatusClass): void {
    this.deliveryAttempts.inc({ kind, status_class: statusClass });
  }

  retentionRemoved(table: string, rows: number): void {
    if (rows > 0) this.retentionDeleted.inc({ table }, rows);
  }

  /** The exposition text for `GET /metrics`. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private workflowLabel(name: string): string {
    return this.workflows.getWorkflow(name) ? name : UNKNOWN_LABEL;
  }

  /** Moves the pending counts into the counter; every configured source shows, at zero before its first request. */
  private flushIngest(): void {
    for (const source of this.workflows.sources()) {
      if (!this.pendingIngest.has(source.name)) this.pendingIngest.set(source.name, zeroCounts());
    }
    for (const [source, counts] of this.pendingIngest) {
      for (const outcome of INGEST_OUTCOMES) {
        this.eventsReceived.inc({ source, outcome }, counts[outcome]);
        counts[outcome] = 0;
      }
    }
  }
}

function zeroCounts(): OutcomeCounts {
  return Object.fromEntries(INGEST_OUTCOMES.map((outcome) => [outcome, 0])) as OutcomeCounts;
}
