import { ManualClock } from '../common/clock.fixture';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from '../connectors/connector';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { DelayConnector } from '../connectors/delay.step-kind';
import { SetConnector } from '../connectors/set.step-kind';
import { Settings } from '../config/settings';
import { DestinationHealth } from '../destinations/destination-health';
import { DestinationGate } from '../delivery/destination-gate';
import { RetryPolicy } from '../delivery/retry-policy';
import { TemplateEngine } from '../templates/template-engine';
import { parseWorkflowFile } from '../workflows/workflow-file-parser';
import { WorkflowValidator } from '../workflows/workflow-validator';
import { WorkflowDefinition } from '../workflows/workflow.types';
import { eventContextOf } from '../events/inbound-event';
import { InMemoryRunStore } from './in-memory-run-store.fixture';
import { RunPlan } from './run-plan';
import { RunExecutor } from './run-executor';
import { RunReporter } from './run-reporter';
import { RunStore } from './run-store';
import { WorkflowSecretScrubber } from './workflow-secret-scrubber';
import { RunInProgress } from './run-in-progress';
import { StepRunner } from './step-runner';
import { StepTemplates } from './step-templates';
import { WorkflowStarter } from './workflow-starter';
import { RunOutputs } from './run-output';
import { WorkflowVersions } from './workflow-versions';
import { PausedSet } from '../pauses/paused-set';
import { FailureHandlers } from './failure-handlers';
import { WorkflowRegistry } from '../workflows/workflow-registry';

/** A fake in the place of a class whose private members it cannot have; it keeps the public methods' types. */
function standIn<T>(fake: Partial<T>): T {
  return fake as T;
}

/** One attempt's answer: an outcome, or what the receiver does while the attempt is under way. */
export type ScriptedAnswer = StepOutcome | ((context: StepExecutionContext) => Promise<StepOutcome>);

/** A step kind with outside effects (it stands in for `http`) that answers from a script, one answer per attempt. */
export class ScriptedConnector implements Connector {
  readonly kind = 'http' as const;
  /** The context of every attempt made, in order. */
  readonly attempts: StepExecutionContext[] = [];
  private readonly answers: ScriptedAnswer[] = [];

  answer(...answers: ScriptedAnswer[]): this {
    this.answers.push(...answers);
    return this;
  }

  async execute(_input: Record<string, unknown>, _redacted: Record<string, unknown>, context: StepExecutionContext): Promise<StepOutcome> {
    this.attempts.push(context);
    const answer = this.answers.shift();
    if (answer === undefined) throw new Error(`the script has no answer for attempt ${this.attempts.length}`);
    return typeof answer === 'function' ? answer(context) : answer;
  }

  plan(): PlannedRequest {
    return { kind: 'http', summary: 'scripted', detail: null };
  }
}

export const delivered = (body: unknown = { ok: true }): StepOutcome => ({
  kind: 'succeeded',
  output: { status: 200, body },
  attempt: { request: { method: 'POST', url: 'https://receiver.test/', headers: {} }, status: 200, durationMs: 5 },
});

export const refused = (status: number, options: { retryable?: boolean; retryAfterMs?: number } = {}): StepOutcome => ({
  kind: 'failed',
  error: `HTTP ${status}`,
  retryable: options.retryable ?? status >= 500,
  retryAfterMs: options.retryAfterMs,
  attempt: { request: { method: 'POST', url: 'https://receiver.test/', headers: {} }, status, durationMs: 5 },
});

/** What the engine reported about runs, in order. */
export class RecordingReporter implements Pick<RunReporter, 'attempted' | 'retryScheduled' | 'stepFailed' | 'runEnded' | 'runUnavailable' | 'runPaused'> {
  readonly runsEnded: { runId: string; status: string; error: string | null }[] = [];
  readonly runsPaused: string[] = [];
  runPaused(runId: string): void {
    this.runsPaused.push(runId);
  }
  attempted(): void {}
  retryScheduled(): void {}
  stepFailed(): void {}
  runEnded(run: { id: string }, status: string, error: string | null): void {
    this.runsEnded.push({ runId: run.id, status, error });
  }
  runUnavailable(): void {}
}

/** A workflow definition from its YAML, validated as a loaded file is (its source is `shop`). */
export function workflowFrom(yaml: string, file = 'test.yaml'): WorkflowDefinition {
  const parsed = parseWorkflowFile(file, yaml);
  const workflow = new WorkflowValidator(new TemplateEngine()).validateWorkflow(parsed, file, { sourceNames: new Set(['shop']) });
  if (!workflow) throw new Error(`invalid test workflow: ${parsed.problems.map((problem) => problem.message).join('; ')}`);
  return workflow;
}

function connectorRegistry(http: Connector): ConnectorRegistry {
  const unused = (kind: string): Connector => ({
    execute: () => Promise.reject(new Error(`no ${kind} step in these tests`)),
    plan: () => ({ kind, summary: kind, detail: null }),
  });
  const connectors: [string, Connector][] = [
    ['http', http],
    ['slack', unused('slack')],
    ['email', unused('email')],
    ['set', new SetConnector()],
    ['delay', new DelayConnector()],
    ['workflow', unused('workflow')],
  ];
  return new ConnectorRegistry(new Map(connectors));
}

/**
 * The engine's StepRunner and RunExecutor on in-memory fakes: a store, a scripted `http`
 * connector (the real `set` and `delay`), a reporter, and a clock that moves only when the
 * test moves it. Exponential backoff takes the top of its jitter range: the n-th delay is
 * exactly initial × 2^(n-1), capped at max.
 */
export function engineForTest(workflow: WorkflowDefinition, globalFailureHandler?: WorkflowDefinition) {
  const loaded = [workflow, ...(globalFailureHandler ? [globalFailureHandler] : [])];
  const failureHandlers = new FailureHandlers(
    standIn<WorkflowRegistry>({ getWorkflow: (name) => (name === globalFailureHandler?.name ? globalFailureHandler : undefined) }),
    new RunOutputs(new TemplateEngine()),
  );
  const clock = new ManualClock();
  const store = new InMemoryRunStore(clock);
  const http = new ScriptedConnector();
  const reporter = new RecordingReporter();
  const settings = standIn<Settings>({ secrets: {} });
  const runner = new StepRunner(
    standIn<RunStore>(store),
    new StepTemplates(new TemplateEngine()),
    connectorRegistry(http),
    new RetryPolicy(() => 1),
    standIn<WorkflowStarter>({}),
    settings,
    new DestinationGate(),
    standIn<DestinationHealth>({ admit: async () => ({ kind: 'go', probe: false }), record: async () => undefined }),
    standIn<RunReporter>(reporter),
    failureHandlers,
    clock,
  );
  const versions = standIn<WorkflowVersions>({
    get: async (name, version) => loaded.find((candidate) => candidate.name === name && candidate.version === version),
  });
  // What PausedSet would hold: the workflows the test paused in the store.
  const pausedSet = standIn<PausedSet>({
    isPaused: (kind, name) => kind === 'workflow' && store.pausedWorkflows.has(name),
    count: (kind) => (kind === 'workflow' ? store.pausedWorkflows.size : 0),
  });
  const executor = new RunExecutor(standIn<RunStore>(store), versions, runner, settings, standIn<RunReporter>(reporter), failureHandlers, clock, pausedSet);
  return { clock, store, http, reporter, runner, executor, workflow };
}

/** A new run of the engine's workflow, claimed by `owner` as RunExecutor claims one, for driving StepRunner directly. */
export async function claimedRun(engine: ReturnType<typeof engineForTest>, owner = 'worker-1'): Promise<RunInProgress> {
  const { store, workflow } = engine;
  const claimed = await store.claim(store.addRun(workflow), owner);
  if (typeof claimed === 'string') throw new Error(`the claim was refused: ${claimed}`);
  return {
    id: claimed.id,
    owner,
    kind: claimed.kind,
    failure: claimed.failure,
    workflow,
    event: eventContextOf(claimed.event),
    states: claimed.steps,
    scrubber: new WorkflowSecretScrubber(workflow.yaml, {}),
    plan: new RunPlan(workflow),
    writesInFlight: 0,
    finished: false,
    inputs: new Map(),
  };
}
