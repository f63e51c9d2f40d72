import { isDeepStrictEqual } from 'node:util';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { StepOutcome } from '../connectors/connector';
import { stepKind } from '../connectors/step-kind-catalog';
import { Settings } from '../config/settings';
import { DestinationGate, GatePass } from '../delivery/destination-gate';
import { DestinationHealth } from '../destinations/destination-health';
import { RetryPolicy } from '../delivery/retry-policy';
import { isTruthy, redactedSecrets, Template, TemplateScope } from '../templates/template-engine';
import { TemplateError } from '../templates/template-error';
import { StepDefinition } from '../workflows/workflow.types';
import { RunStatus } from './run.entity';
import { StepState } from './run-plan';
import { RunInProgress } from './run-in-progress';
import { RunReporter } from './run-reporter';
import { RunStore } from './run-store';
import { StepTemplates } from './step-templates';
import { WorkflowChain } from './workflow-chain';
import { WorkflowStarter } from './workflow-starter';
import { FailureHandlers } from './failure-handlers';
import { awaitedChildOf, CHILD_RUN_CHECK_MS, childRunResult } from './child-run-wait';
import { eachWithLimit, itemKey, itemsOf, itemsOutcome, readsItem, StepItem } from './for-each-items';

export const DEFAULT_STEP_TIMEOUT_MS = 30_000;

/** A step whose destination is busy looks again after a jittered pause in this range. */
const BUSY_DESTINATION_PAUSE_MS = { min: 250, max: 1_000 };

/**
 * Runs one step once: condition, rendering, one attempt through its connector, and the
 * recorded result — final, or waiting for its next attempt (retry with backoff, delay).
 */
@Injectable()
export class StepRunner {
  private readonly logger = new Logger(StepRunner.name);

  constructor(
    private readonly store: RunStore,
    private readonly templates: StepTemplates,
    private readonly connectors: ConnectorRegistry,
    private readonly retryPolicy: RetryPolicy,
    private readonly starter: WorkflowStarter,
    private readonly settings: Settings,
    private readonly gate: DestinationGate,
    private readonly destinations: DestinationHealth,
    private readonly reporter: RunReporter,
    private readonly failureHandlers: FailureHandlers,
    private readonly clock: Clock,
  ) {}

  async run(run: RunInProgress, step: StepDefinition): Promise<RunStatus> {
    if (step.forEach) return this.runItems(run, step as StepDefinition & { forEach: object });
    return this.runOnce(run, step, { key: step.id, idempotencyKey: `${run.id}:${step.id}` });
  }

  /**
   * A `for_each` step: runs each item that is due (at most `max_parallel` at once), then
   * records the step as waiting for its earliest item, or final with the list of outputs.
   * Items that are final already, from an earlier execution, are not run again.
   */
  private async runItems(run: RunInProgress, step: StepDefinition & { forEach: object }): Promise<RunStatus> {
    const self: StepTarget = { key: step.id, idempotencyKey: `${run.id}:${step.id}` };
    const contexts = this.contextsFor(run, 1);
    const scope = { workflow: run.workflow.name, step: step.id, field: 'for_each' };
    const { condition } = this.templates.of(step);
    // An `if` that reads neither `item` nor `index` decides for the whole step.
    if (condition && !readsItem(condition.paths)) {
      const decided = this.evaluateCondition(condition, contexts.live, { workflow: run.workflow.name, step: step.id });
      if (decided !== true) return this.settle(run, step, self, decided);
    }
    const compiled = this.templates.of(step).items!;
    let items: ReturnType<typeof itemsOf>;
    try {
      items = itemsOf(step, compiled.render(contexts.live, scope), compiled.render(contexts.recorded, scope));
    } catch (error) {
      return this.settle(run, step, self, { status: 'failed', error: (error as Error).message });
    }
    if ('error' in items) return this.settle(run, step, self, { status: 'failed', error: items.error });
    const previous = run.states.get(step.id);
    run.states.set(step.id, { status: 'running', attempts: 0, nextAttemptAt: null, output: previous?.output ?? null, error: null });

    const now = this.clock.now();
    const due = items.filter((item) => {
      const state = run.states.get(itemKey(step.id, item.index));
      return !state || state.status === 'pending' || (state.status === 'running' && (state.nextAttemptAt === null || state.nextAttemptAt <= now));
    });
    let cancelled = false;
    await eachWithLimit(
      due,
      step.forEach.maxParallel,
      async (item) => {
        const target = { key: itemKey(step.id, item.index), idempotencyKey: `${run.id}:${step.id}:${item.index}`, item };
        if ((await this.runOnce(run, step, target)) === 'cancelled') cancelled = true;
      },
      () => cancelled,
    );
    if (cancelled) return 'cancelled';
    const outcome = itemsOutcome(
      step,
      items.map((item) => run.states.get(itemKey(step.id, item.index))),
    );
    if (outcome.status === 'running') {
      // An item whose process died mid-attempt has no due time: look again at once.
      return this.settle(run, step, self, { status: 'running', error: outcome.error, nextAttemptAt: outcome.nextAttemptAt ?? this.clock.now() });
    }
    return this.settle(run, step, self, outcome);
  }

  /** One attempt of a step, or of one item of a `for_each` step (`target`). */
  private async runOnce(run: RunInProgress, step: StepDefinition, target: StepTarget): Promise<RunStatus> {
    const previous = run.states.get(target.key);
    if (step.uses === 'delay' && previous?.status === 'running' && previous.nextAttemptAt && previous.nextAttemptAt <= this.clock.now()) {
      return this.settle(run, step, target, { status: 'succeeded', output: previous.output });
    }
    const awaitedChild = awaitedChildOf(step, previous);
    if (awaitedChild !== undefined) return this.awaitChild(run, step, target, awaitedChild);
    const compiled = this.templates.of(step);
    const contexts = this.contextsFor(run, (previous?.attempts ?? 0) + 1, target.item);
    const scope = { workflow: run.workflow.name, step: target.key };

    if (compiled.condition) {
      const condition = this.evaluateCondition(compiled.condition, contexts.live, scope);
      if (condition !== true) return this.settle(run, step, target, condition);
    }
    let input: Record<string, unknown>;
    let redactedInput: Record<string, unknown>;
    try {
      input = compiled.with.render(contexts.live, { ...scope, field: 'with' }) as Record<string, unknown>;
      redactedInput = compiled.with.render(contexts.recorded, { ...scope, field: 'with' }) as Record<string, unknown>;
    } catch (error) {
      return this.settle(run, step, target, { status: 'failed', error: (error as Error).message });
    }

    const destination = this.connectors.get(step.uses).destination?.(input);
    const stepRef = { runId: run.id, stepId: target.key, timeoutMs: step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS };
    let probe = false;
    if (destination !== undefined) {
      const admission = await this.destinations.admit(destination, stepRef);
      // Waiting spends no attempt and holds no worker: the run sleeps until it is woken.
      if (admission.kind === 'wait') return this.settle(run, step, target, { status: 'running', error: admission.reason, nextAttemptAt: admission.until });
      if (admission.kind === 'fail') return this.settle(run, step, target, { status: 'failed', error: admission.reason });
      probe = admission.probe;
    }
    // Past this point the destination's place is taken; `attempt` gives it back.
    const pass = destination === undefined ? undefined : this.gate.tryEnter(destination);
    if (destination !== undefined && !pass) return this.waitForDestination(run, step, target, destination);

    // A step with outside effects records its start, so that the attempt counts even if the
    // process dies during it; the others are recorded once, when they end. The start is
    // written while the attempt is made, not before it: it is on every step's critical path
    // otherwise. It commits before the attempt's end is written.
    const expectedAttempt = (previous?.attempts ?? 0) + 1;
    const started = stepKind(step.uses).hasEffects
      ? this.store.startStep(run.id, target.key, run.scrubber.scrub(redactedInput))
      : Promise.resolve(expectedAttempt);
    run.states.set(target.key, { status: 'running', attempts: expectedAttempt, nextAttemptAt: null, output: previous?.output ?? null, error: null });
    run.inputs.set(target.key, redactedInput);
    const startedAt = this.clock.now();
    const [outcome, attempt] = await Promise.all([this.attempt(run, step, target, input, redactedInput, expectedAttempt, pass), started]);
    run.states.get(target.key)!.attempts = attempt;
    this.reporter.attempted(run, step, outcome, startedAt);
    if (destination !== undefined) {
      const error = outcome.kind === 'failed' ? run.scrubber.scrub(outcome.error) : null;
      await this.destinations.record(destination, stepRef, outcome, this.clock.now().getTime() - startedAt.getTime(), probe, error);
    }
    return this.record(run, step, target, input, outcome, attempt, startedAt);
  }

  /**
   * A later execution loads each output as it was stored. Kinds that make their output from
   * their input (`set`) get theirs made again with real secrets, where a secret went into it,
   * so that later steps read what they would have read in the first execution.
   */
  restoreLiveOutputs(run: RunInProgress): void {
    for (const step of run.workflow.steps) {
      const state = run.states.get(step.id);
      const connector = this.connectors.get(step.uses);
      // A `for_each` step's list keeps its stored copy: its items are not rendered again.
      if (step.forEach || state?.status !== 'succeeded' || state.liveOutput !== undefined || !connector.liveOutputOf) continue;
      const compiled = this.templates.of(step).with;
      const contexts = this.contextsFor(run, state.attempts);
      try {
        const input = compiled.render(contexts.live) as Record<string, unknown>;
        if (!isDeepStrictEqual(input, compiled.render(contexts.recorded))) state.liveOutput = connector.liveOutputOf(input);
      } catch (error) {
        // A secret unset since the step ran: later steps read the stored copy.
        this.logger.warn(`Run ${run.id}: the output of step ${step.id} cannot be made again (${(error as Error).message}); later steps read its stored copy`);
      }
    }
  }

  /**
   * The attempt is neither made nor counted: the run lets its worker go and looks again
   * shortly, so that runs for other destinations are not kept waiting behind this one.
   */
  private waitForDestination(run: RunInProgress, step: StepDefinition, target: StepTarget, destination: string): Promise<RunStatus> {
    const { min, max } = BUSY_DESTINATION_PAUSE_MS;
    const nextAttemptAt = new Date(this.clock.now().getTime() + min + Math.random() * (max - min));
    const error = `waiting for ${destination}: it is slow to answer and already has ${this.gate.inFlightTo(destination)} requests in flight from this process`;
    return this.settle(run, step, target, { status: 'running', error, nextAttemptAt });
  }

  /**
   * `if: "{{event.body.order.email}}"` reads "when there is an e-mail address": a missing
   * path skips the step (saying why) instead of failing the run. Other errors fail it.
   */
  private evaluateCondition(condition: Template, context: object, scope: TemplateScope): true | { status: 'skipped' | 'failed'; error: string | null } {
    try {
      return isTruthy(condition.render(context, { ...scope, field: 'if' })) || { status: 'skipped', error: null };
    } catch (error) {
      const missing = error instanceof TemplateError && error.code === 'TEMPLATE_MISSING_PATH';
      return { status: missing ? 'skipped' : 'failed', error: (error as Error).message };
    }
  }

  private async attempt(
    run: RunInProgress,
    step: StepDefinition,
    target: StepTarget,
    input: Record<string, unknown>,
    redactedInput: Record<string, unknown>,
    attempt: number,
    pass: GatePass | undefined,
  ): Promise<StepOutcome> {
    const timeoutMs = step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    // Connectors enforce `timeoutMs` themselves and say so in the attempt's record; the
    // signal is the backstop for one that does not. Unlike `AbortSignal.timeout`, its timer
    // ends with the attempt instead of outliving it by the whole timeout.
    const controller = new AbortController();
    const abortTimer = setTimeout(
      () => controller.abort(new DOMException(`step ${step.id} timed out after ${timeoutMs} ms`, 'TimeoutError')),
      timeoutMs + ABORT_GRACE_MS / 2,
    );
    abortTimer.unref();
    const signal = controller.signal;
    const context = {
      timeoutMs,
      workflow: run.workflow.name,
      runId: run.id,
      stepId: step.id,
      attempt,
      idempotencyKey: target.idempotencyKey,
      signal,
      now: () => this.clock.now(),
    };
    try {
      return await abortable(this.connectors.get(step.uses).execute(input, redactedInput, context), signal, step, timeoutMs);
    } catch (error) {
      return { kind: 'failed', error: `step ${step.id} failed unexpectedly: ${(error as Error).message}`, retryable: false };
    } finally {
      clearTimeout(abortTimer);
      if (pass) this.gate.leave(pass);
    }
  }

  private async record(
    run: RunInProgress,
    step: StepDefinition,
    target: StepTarget,
    input: Record<string, unknown>,
    outcome: StepOutcome,
    attempt: number,
    startedAt: Date,
  ): Promise<RunStatus> {
    switch (outcome.kind) {
      case 'succeeded': {
        const liveOutput = this.connectors.get(step.uses).liveOutputOf?.(input);
        return this.settle(
          run,
          step,
          target,
          { status: 'succeeded', output: outcome.output, liveOutput },
          outcome.attempt && { record: outcome.attempt, succeeded: true, startedAt },
        );
      }
      case 'failed': {
        const delay = outcome.retryable ? this.retryPolicy.nextDelayMs(step.retry!, attempt, outcome.retryAfterMs) : null;
        const attemptRecord = outcome.attempt && { record: outcome.attempt, succeeded: false, startedAt };
        if (delay === null) return this.settle(run, step, target, { status: 'failed', error: outcome.error }, attemptRecord);
        const nextAttemptAt = new Date(this.clock.now().getTime() + delay);
        this.reporter.retryScheduled(run, step, attempt, outcome.error, nextAttemptAt);
        return this.settle(run, step, target, { status: 'running', error: outcome.error, nextAttemptAt }, attemptRecord);
      }
      case 'wait':
        return outcome.until <= this.clock.now()
          ? this.settle(run, step, target, { status: 'succeeded', output: { until: outcome.until.toISOString() } })
          : this.settle(run, step, target, { status: 'running', output: { until: outcome.until.toISOString() }, nextAttemptAt: outcome.until });
      case 'start-workflow':
        try {
          const chain = WorkflowChain.of(run.event, run.workflow.name);
          const { workflow, event: body, dedupeKey, idempotencyKey } = outcome;
          const parent = { runId: run.id, stepId: target.key };
          const started = await this.starter.start({ workflow, body, dedupeKey, idempotencyKey, parent, chain });
          if (!outcome.wait || !started.started || started.run_id === null) return this.settle(run, step, target, { status: 'succeeded', output: started });
          return this.awaitChild(run, step, target, started.run_id, started);
        } catch (error) {
          return this.settle(run, step, target, { status: 'failed', error: (error as Error).message });
        }
    }
  }

  /**
   * A step with `wait: true` whose child run is under way: it ends with the child, or waits
   * holding no worker (the child's end wakes the run). The wait is written before the child
   * is looked at again, so that a child ending meanwhile is seen either here or by its wake-up.
   */
  private async awaitChild(run: RunInProgress, step: StepDefinition, target: StepTarget, childRunId: string, started?: unknown): Promise<RunStatus> {
    if (started === undefined) {
      const ended = childRunResult(childRunId, await this.starter.stateOf(childRunId));
      if (ended) return this.settle(run, step, target, ended);
    }
    const nextAttemptAt = new Date(this.clock.now().getTime() + CHILD_RUN_CHECK_MS);
    const error = `waiting for run ${childRunId} to end`;
    const status = await this.settle(run, step, target, { status: 'running', output: started, error, nextAttemptAt });
    if (status !== 'running') return status;
    const endedMeanwhile = childRunResult(childRunId, await this.starter.stateOf(childRunId));
    return endedMeanwhile ? this.settle(run, step, target, endedMeanwhile) : status;
  }

  private async settle(
    run: RunInProgress,
    step: StepDefinition,
    target: StepTarget,
    result: { status: StepState['status']; output?: unknown; liveOutput?: unknown; error?: string | null; nextAttemptAt?: Date },
    attempt?: Parameters<RunStore['finishStep']>[3],
  ): Promise<RunStatus> {
    const output = run.scrubber.scrub(result.output);
    // An error may quote what failed (a URL, an answer) and with it a secret.
    const error = run.scrubber.scrub(result.error ?? null);
    const scrubbedAttempt = attempt && { ...attempt, record: run.scrubber.scrub(attempt.record) };
    const previous = run.states.get(target.key);
    const attempts = previous?.attempts ?? 0;
    run.states.set(target.key, {
      status: result.status,
      attempts,
      nextAttemptAt: result.nextAttemptAt ?? null,
      output: output ?? previous?.output ?? null,
      liveOutput: result.liveOutput,
      error,
    });
    if (result.status === 'failed' && !target.item) this.reporter.stepFailed(run, step, error);
    // When this result completes the run and no other write of it is under way, one
    // statement records both: a one-step run costs a claim and a single write. An item's
    // result never does: its step ends after it.
    const outcome = run.writesInFlight === 0 && !target.item ? runOutcome(run, this.clock.now()) : undefined;
    const runEnd = outcome && this.failureHandlers.endOf(run, outcome);
    run.writesInFlight++;
    try {
      // Steps with effects stored their input when they started.
      const input = stepKind(step.uses).hasEffects ? undefined : run.inputs.get(target.key);
      const runStatus = await this.store.finishStep(
        run.id,
        target.key,
        { status: result.status, nextAttemptAt: result.nextAttemptAt, output, error, attempts, input: input && run.scrubber.scrub(input) },
        scrubbedAttempt,
        runEnd,
      );
      if (runEnd) run.finished = true;
      if (runEnd && runStatus === runEnd.outcome) this.reporter.runEnded(run, runStatus, runEnd.error);
      return runStatus;
    } finally {
      run.writesInFlight--;
    }
  }

  /**
   * The run's template context twice. `live` has the real secrets and what earlier steps
   * really produced: steps act on it. `recorded` has every secret as `[secret]` and earlier
   * outputs as stored: whatever is stored or shown is rendered from it, so it cannot hold a
   * secret, however a template transforms one.
   */
  private contextsFor(run: RunInProgress, attempt: number, item?: StepItem): { live: object; recorded: object } {
    const liveSteps: Record<string, { output: unknown }> = {};
    const recordedSteps: Record<string, { output: unknown }> = {};
    // The workflow's steps, not every state: the items of `for_each` steps are states too.
    for (const { id } of run.workflow.steps) {
      const state = run.states.get(id);
      if (state?.status !== 'succeeded') continue;
      recordedSteps[id] = { output: state.output };
      liveSteps[id] = state.liveOutput === undefined ? recordedSteps[id] : { output: state.liveOutput };
    }
    const shared = { event: run.event, run: { id: run.id, attempt }, workflow: { name: run.workflow.name }, ...(run.failure && { failure: run.failure }) };
    return {
      live: { ...shared, ...(item && { item: item.live, index: item.index }), steps: liveSteps, secrets: this.settings.secrets },
      recorded: { ...shared, ...(item && { item: item.recorded, index: item.index }), steps: recordedSteps, secrets: redactedSecrets() },
    };
  }
}

/** Where one attempt keeps its state and what it is sent as: the step itself, or one item of its `for_each`. */
interface StepTarget {
  /** The key of its state: the step's id, or `<id>[<index>]` for an item. */
  key: string;
  idempotencyKey: string;
  item?: StepItem;
}

/** The run's outcome and error once every step is final, from the in-memory states. */
export function runOutcome(
  run: Pick<RunInProgress, 'plan' | 'states' | 'workflow'>,
  now: Date,
): { outcome: 'succeeded' | 'failed'; error: string | null } | undefined {
  const { outcome, skip } = run.plan.decide(run.states, now);
  // Steps still to be marked skipped are written first, by the executor.
  if (!outcome || skip.length > 0) return undefined;
  const failed = run.workflow.steps.filter((step) => run.states.get(step.id)?.status === 'failed' && !step.continueOnError);
  const error = failed.length ? failed.map((step) => `${step.id}: ${run.states.get(step.id)?.error}`).join('; ') : null;
  return { outcome, error };
}

/** How long past its timeout a connector may take to report the abort itself (with its record). */
const ABORT_GRACE_MS = 1_000;

/**
 * Connectors honour the signal and report the timed-out attempt with its record; should one
 * not, the step still ends shortly after its timeout, with a record of its own.
 */
function abortable(work: Promise<StepOutcome>, signal: AbortSignal, step: StepDefinition, timeoutMs: number): Promise<StepOutcome> {
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = `step ${step.id} timed out after ${timeoutMs} ms`;
      const record = { request: { method: step.uses.toUpperCase(), url: '', headers: {} }, durationMs: Date.now() - startedAt, error, timedOut: true };
      resolve({ kind: 'failed', error, retryable: true, attempt: record });
    }, timeoutMs + ABORT_GRACE_MS);
    timer.unref();
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
