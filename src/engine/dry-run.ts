import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClockModule } from '../common/clock.module';
import { DomainError } from '../common/domain-error';
import { Settings } from '../config/settings';
import { PlannedRequest } from '../connectors/connector';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { ConnectorsModule } from '../connectors/connectors.module';
import { EventContext, eventContextOf, InboundEvent, sampleEvent, SampleEventInput } from '../events/inbound-event';
import { eventTypeTemplateOf } from '../events/source-event-type';
import { TriggerMatcher } from '../events/trigger-matcher';
import { isTruthy, redactedSecrets, Template, TemplateEngine, TemplateScope } from '../templates/template-engine';
import { TemplateError } from '../templates/template-error';
import { SourceDefinition, StepDefinition, StepKind, WorkflowDefinition } from '../workflows/workflow.types';
import { FailureContext } from './failure-handoff';
import { RunPlan, StepState } from './run-plan';
import { WorkflowSecretScrubber, secretNamesIn } from './workflow-secret-scrubber';
import { StepTemplates } from './step-templates';
import { isPlaceholder, placeholder, reveal } from './dry-run-placeholder';
import { itemKey, itemsOf, readsItem } from './for-each-items';

/** Id of the event and of the run in a dry run; idempotency keys read `dry-run:<step>`. */
export const DRY_RUN_ID = 'dry-run';
/** Source and type of a scheduled run's event, as the scheduler gives them. */
const SCHEDULE_SOURCE = 'schedule';

/** The event to try a workflow with, as a user writes it: only `body` is required. */
export interface DryRunEventInput extends SampleEventInput {
  type?: string;
}

export interface DryRunOptions {
  /** Declared sources, for the event type when neither `type` nor the event gives one. */
  sources?: ReadonlyMap<string, SourceDefinition>;
  /** Overrides the event's type. */
  type?: string;
  now?: Date;
  /** Canned outputs by step id (`hookflow test`): later steps read them instead of placeholders. */
  outputs?: ReadonlyMap<string, unknown>;
  /** For the `on_failure` steps of a workflow (`hookflow test`): what their templates read as `failure`. */
  failure?: FailureContext;
}

/** A stored event tried again in place of one of its runs (time travel). */
export interface DryRunReplay {
  now?: Date;
  /** The run's id: `run.id` and idempotency keys render as in that run. */
  runId?: string;
  /** Outputs that run stored, by step id: later steps read them instead of placeholders. */
  outputs?: ReadonlyMap<string, unknown>;
  failure?: FailureContext;
}

export interface DryRunTrigger {
  matches: boolean;
  /** Why it would not match; empty when it matches. */
  reasons: string[];
  notes: string[];
}

export interface DryRunCondition {
  template: string;
  /** `missing`: a path does not exist, which skips the step; `unknown`: it reads outputs a dry run does not know. */
  result: 'true' | 'false' | 'missing' | 'unknown' | 'error';
  message?: string;
}

export interface DryRunStep {
  id: string;
  name?: string;
  uses: StepKind;
  /** The steps it waits for (file order made explicit). */
  needs: string[];
  status: 'would-run' | 'skipped' | 'would-fail';
  /** Why it is skipped or would fail. */
  reason?: string;
  condition?: DryRunCondition;
  /** A step it needs would fail, so a real run would not run it; it is rendered anyway. */
  blocked_by?: string;
  /** Steps whose output it reads; shown as `<steps.ID.output…>` since only a real run knows them. */
  unknown_outputs: string[];
  plan?: PlannedRequest;
  /** For a `for_each` step whose items are known: each item as a step of its own (`index` set). */
  items?: DryRunStep[];
  /** For an item of a `for_each` step: its position in the list. */
  index?: number;
}

export interface DryRunReport {
  workflow: string;
  file: string;
  event: EventContext;
  trigger: DryRunTrigger;
  steps: DryRunStep[];
  /** The secrets the workflow reads and whether each is set; never their values. */
  secrets: { name: string; set: boolean }[];
}

export class InvalidDryRunEventError extends DomainError {
  constructor(message: string) {
    super('INVALID_DRY_RUN_EVENT', message);
  }
}

/** The two modules of `DryRun.standalone`: settings as given, and the connectors. */
@Module({})
class StandaloneSettingsModule {}

@Module({})
class StandaloneDryRunModule {}

/**
 * Shows what a workflow would do with an event without sending anything: whether the
 * trigger matches, then each step in execution order with its `if` and the request its
 * connector would make. Steps are rendered with redacted secrets only, so a dry run needs
 * no secret set and can never show one. Outputs of earlier steps are not known (except
 * `set`), so reading them yields a placeholder that renders as `<steps.ID.output.path>`.
 */
@Injectable()
export class DryRun {
  private readonly stepTemplates: StepTemplates;
  private readonly matcher: TriggerMatcher;

  constructor(
    private readonly templates: TemplateEngine,
    private readonly connectors: ConnectorRegistry,
    private readonly settings: Settings,
  ) {
    this.stepTemplates = new StepTemplates(templates);
    this.matcher = new TriggerMatcher(templates);
  }

  /**
   * A dry run outside the application (the CLI): the connectors come from `ConnectorsModule`
   * alone, with no database. `plan` never sends nor holds a resource, so the context is
   * closed before the connectors are used.
   */
  static async standalone(settings: Settings): Promise<DryRun> {
    const settingsOnly = { module: StandaloneSettingsModule, global: true, providers: [{ provide: Settings, useValue: settings }], exports: [Settings] };
    const root = { module: StandaloneDryRunModule, imports: [settingsOnly, ClockModule, ConnectorsModule] };
    const context = await NestFactory.createApplicationContext(root, { logger: false });
    const registry = context.get(ConnectorRegistry);
    await context.close();
    return new DryRun(new TemplateEngine(), registry, settings);
  }

  /** Tries `workflow` with an event as a user writes it: a new event `dry-run`, received now. */
  run(workflow: WorkflowDefinition, input: DryRunEventInput, options: DryRunOptions = {}): DryRunReport {
    const now = options.now ?? new Date();
    const notes: string[] = [];
    return this.report(workflow, this.sampleOf(workflow, input, options, now, notes), now, notes, { outputs: options.outputs, failure: options.failure });
  }

  /** Tries `workflow` with an event that exists already (a stored one): its id, type and arrival time are kept. */
  runWithEvent(workflow: WorkflowDefinition, event: InboundEvent, replay: DryRunReplay = {}): DryRunReport {
    return this.report(workflow, event, replay.now ?? new Date(), [], replay);
  }

  private report(workflow: WorkflowDefinition, event: InboundEvent, now: Date, notes: string[], replay: DryRunReplay = {}): DryRunReport {
    const context = eventContextOf(event);
    const report: DryRunReport = {
      workflow: workflow.name,
      file: workflow.file,
      event: context,
      trigger: this.trigger(workflow, event, notes),
      steps: this.steps(workflow, context, now, replay),
      secrets: this.secretsOf(workflow),
    };
    // The event file may hold a secret's value; the engine scrubs stored inputs the same way.
    return new WorkflowSecretScrubber(workflow.yaml, this.settings.secrets ?? {}).scrub(report);
  }

  /** The event ingress would make of the sample for the workflow's source, or the scheduler's for a scheduled workflow. */
  private sampleOf(workflow: WorkflowDefinition, input: DryRunEventInput, options: DryRunOptions, now: Date, notes: string[]): InboundEvent {
    const source = workflow.on.webhook ?? SCHEDULE_SOURCE;
    const untyped = sampleEvent(input, { id: DRY_RUN_ID, source, type: '', receivedAt: now });
    const scheduled = workflow.on.webhook === undefined;
    const type = options.type ?? input.type ?? (scheduled ? SCHEDULE_SOURCE : this.presetType(untyped, options.sources?.get(source), notes));
    return { ...untyped, type };
  }

  /** The type ingress would give the event: the source's `event_type`, or its scheme's preset. */
  private presetType(event: InboundEvent, source: SourceDefinition | undefined, notes: string[]): string {
    try {
      const template = this.templates.compile(eventTypeTemplateOf(source));
      const value = template.render({ event: eventContextOf(event) }, { field: `sources.${event.source}.event_type` });
      if (value === undefined || value === null) return '';
      return typeof value === 'string' ? value : JSON.stringify(value);
    } catch (error) {
      notes.push(`event_type could not be evaluated, the type is empty: ${(error as Error).message}`);
      return '';
    }
  }

  /** The real trigger matcher's judgement, every reason shown; secrets read as `[secret]`. */
  private trigger(workflow: WorkflowDefinition, event: InboundEvent, notes: string[]): DryRunTrigger {
    const on = workflow.on;
    if (on.webhook === undefined && on.schedule === undefined) {
      // on-failure.yaml: its on_failure steps run for failed runs only, which a dry run does not try.
      return { matches: false, reasons: ['runs only when a run of another workflow fails (on-failure.yaml), not on events'], notes };
    }
    if (on.webhook === undefined) {
      return { matches: true, reasons: [], notes: [...notes, `runs on its schedule (${on.schedule ?? '?'}), not on events`] };
    }
    const reasons: string[] = [];
    const { typeMatches, condition } = this.matcher.judge(event, workflow, redactedSecrets());
    if (!typeMatches) reasons.push(`event type "${event.type}" does not match on.event "${on.event}"`);
    if (on.if !== undefined && this.templates.compile(on.if).paths.some((path) => path.startsWith('secrets.'))) {
      notes.push('on.if reads secrets, which a dry run sees as [secret]: the real result may differ');
    }
    if (condition instanceof Error) reasons.push(`on.if could not be evaluated: ${condition.message}`);
    else if (condition === false) reasons.push(`on.if ${on.if} is false`);
    return { matches: reasons.length === 0, reasons, notes };
  }

  private steps(workflow: WorkflowDefinition, event: EventContext, now: Date, replay: DryRunReplay): DryRunStep[] {
    const plan = new RunPlan(workflow);
    const runId = replay.runId ?? DRY_RUN_ID;
    const results = new Map<string, DryRunStep>();
    const outputs: Record<string, { output: unknown }> = {};
    const known = new Set<string>();
    for (const step of executionOrder(plan, now)) {
      const context = {
        event,
        steps: { ...outputs },
        run: { id: runId, attempt: 1 },
        workflow: { name: workflow.name },
        secrets: redactedSecrets(),
        ...(replay.failure && { failure: replay.failure }),
      };
      const { result, output } = step.forEach
        ? this.eachStep(step, plan.needsOf(step.id), context, known, now, runId)
        : this.step(step, plan.needsOf(step.id), context, known, now, `${runId}:${step.id}`);
      const blocker = blockerOf(plan.needsOf(step.id), results, workflow);
      if (blocker !== undefined) result.blocked_by = blocker;
      results.set(step.id, result);
      // As in the engine, a skipped step has no output: reading it is a missing path.
      if (result.status === 'skipped') continue;
      const isKnown = output !== undefined || (replay.outputs?.has(step.id) ?? false);
      outputs[step.id] = { output: isKnown ? (output ?? replay.outputs?.get(step.id)) : placeholder(`steps.${step.id}.output`) };
      if (isKnown) known.add(step.id);
    }
    return [...results.values()];
  }

  private step(
    step: StepDefinition,
    needs: readonly string[],
    context: { steps: Record<string, unknown> },
    known: ReadonlySet<string>,
    now: Date,
    idempotencyKey: string,
  ): { result: DryRunStep; output?: unknown } {
    const compiled = this.stepTemplates.of(step);
    const unknownIn = (paths: readonly string[]) => unknownOutputs(paths, context.steps, known);
    const result: DryRunStep = {
      id: step.id,
      ...(step.name === undefined ? {} : { name: step.name }),
      uses: step.uses,
      needs: [...needs],
      status: 'would-run',
      unknown_outputs: unknownIn([...compiled.with.paths, ...(compiled.condition?.paths ?? [])]),
    };
    // The report already names the workflow and step; messages only name the field.
    const scope: TemplateScope = {};
    if (compiled.condition) {
      result.condition = this.condition(compiled.condition, context, scope, unknownIn(compiled.condition.paths).length > 0);
      if (result.condition.result === 'false' || result.condition.result === 'missing') {
        return { result: { ...result, status: 'skipped', reason: result.condition.message ?? 'its `if` is false' } };
      }
      if (result.condition.result === 'error') return { result: { ...result, status: 'would-fail', reason: result.condition.message } };
    }
    try {
      const rendered = compiled.with.render(context, { ...scope, field: 'with' }) as Record<string, unknown>;
      const shown = reveal(rendered) as Record<string, unknown>;
      const connector = this.connectors.get(step.uses);
      result.plan = connector.plan(shown, { idempotencyKey, now: () => now });
      // Only a kind whose output is made from its input (`set`) has an output before a real run.
      return { result, output: connector.liveOutputOf?.(rendered) };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const caveat = result.unknown_outputs.length > 0 ? ` (it reads the output of ${result.unknown_outputs.join(', ')}, which only a real run knows)` : '';
      return { result: { ...result, status: 'would-fail', reason: `${error.message}${caveat}` } };
    }
  }

  /**
   * A `for_each` step: each item rendered as the engine renders it, with `item`, `index` and
   * its own idempotency key; the list as the engine checks it (a list, within `max_items`).
   */
  private eachStep(
    step: StepDefinition,
    needs: readonly string[],
    context: { steps: Record<string, unknown> },
    known: ReadonlySet<string>,
    now: Date,
    runId: string,
  ): { result: DryRunStep; output?: unknown } {
    const { condition, items: compiled } = this.stepTemplates.of(step);
    const result: DryRunStep = {
      id: step.id,
      ...(step.name === undefined ? {} : { name: step.name }),
      uses: step.uses,
      needs: [...needs],
      status: 'would-run',
      unknown_outputs: unknownOutputs(compiled!.paths, context.steps, known),
    };
    // As the engine: an `if` that reads neither `item` nor `index` decides for the whole step.
    if (condition && !readsItem(condition.paths)) {
      result.condition = this.condition(condition, context, {}, unknownOutputs(condition.paths, context.steps, known).length > 0);
      const { result: decided, message } = result.condition;
      if (decided === 'false' || decided === 'missing') return { result: { ...result, status: 'skipped', reason: message ?? 'its `if` is false' } };
      if (decided === 'error') return { result: { ...result, status: 'would-fail', reason: message } };
    }
    let list: unknown;
    try {
      list = compiled!.render(context, { field: 'for_each' });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { result: { ...result, status: 'would-fail', reason: error.message } };
    }
    if (isPlaceholder(list) || result.unknown_outputs.length > 0) {
      return { result: { ...result, reason: 'its items come from an output that only a real run knows: they are not shown' } };
    }
    const items = itemsOf(step as StepDefinition & { forEach: object }, list, list);
    if ('error' in items) return { result: { ...result, status: 'would-fail', reason: items.error } };
    const outputs: unknown[] = [];
    result.items = items.map(({ index, live }) => {
      const itemContext = { ...context, item: live, index };
      const { result: item, output } = this.step(step, needs, itemContext, known, now, `${runId}:${step.id}:${index}`);
      outputs.push(output);
      return { ...item, id: itemKey(step.id, index), index };
    });
    const failed = result.items.find((item) => item.status === 'would-fail');
    if (failed && !step.continueOnError) return { result: { ...result, status: 'would-fail', reason: `item ${failed.index}: ${failed.reason}` } };
    return { result, output: outputs.every((output) => output !== undefined) ? outputs : undefined };
  }

  /** As the engine: a missing path skips the step, any other error fails it. */
  private condition(template: Template, context: object, scope: TemplateScope, readsUnknown: boolean): DryRunCondition {
    try {
      const value = template.render(context, { ...scope, field: 'if' });
      if (readsUnknown || isPlaceholder(value)) return { template: template.source, result: 'unknown' };
      return { template: template.source, result: isTruthy(value) ? 'true' : 'false' };
    } catch (error) {
      const missing = error instanceof TemplateError && error.code === 'TEMPLATE_MISSING_PATH';
      return { template: template.source, result: missing ? 'missing' : 'error', message: (error as Error).message };
    }
  }

  private secretsOf(workflow: WorkflowDefinition): { name: string; set: boolean }[] {
    return secretNamesIn(workflow.yaml).map((name) => ({ name, set: this.settings.secrets?.[name] !== undefined }));
  }
}

/**
 * Reads an event file: a whole event (`{ type?, headers?, query?, body }`, recognised by
 * `body` beside `type` or `headers`) or, otherwise, the body alone.
 */
export function dryRunEventOf(document: unknown): DryRunEventInput {
  if (!isRecord(document) || !('body' in document) || !('type' in document || 'headers' in document)) return { body: document };
  const { type, headers, query, body } = document;
  if (type !== undefined && typeof type !== 'string') throw new InvalidDryRunEventError('`type` must be a string');
  if (headers !== undefined && !isRecord(headers)) throw new InvalidDryRunEventError('`headers` must be an object of names and values');
  if (query !== undefined && typeof query !== 'string' && !isRecord(query)) {
    throw new InvalidDryRunEventError('`query` must be an object or a query string');
  }
  return { type, headers, query, body };
}

/** Steps in the order a run starts them: each wave of ready steps in file order. */
function executionOrder(plan: RunPlan, now: Date): StepDefinition[] {
  const states = new Map<string, StepState>();
  const order: StepDefinition[] = [];
  for (let ready = plan.decide(states, now).ready; ready.length > 0; ready = plan.decide(states, now).ready) {
    for (const step of ready) {
      order.push(step);
      states.set(step.id, { status: 'succeeded', attempts: 1, nextAttemptAt: null, output: null, error: null });
    }
  }
  return order;
}

/** The step that would fail and so keep this one from running in a real run. */
function blockerOf(needs: readonly string[], results: ReadonlyMap<string, DryRunStep>, workflow: WorkflowDefinition): string | undefined {
  for (const need of needs) {
    const result = results.get(need);
    if (result?.blocked_by !== undefined) return result.blocked_by;
    const continues = workflow.steps.find((step) => step.id === need)?.continueOnError ?? false;
    if (result?.status === 'would-fail' && !continues) return need;
  }
  return undefined;
}

/** Ids of steps with placeholder outputs that `paths` read (`steps.<id>.output…`). */
function unknownOutputs(paths: readonly string[], steps: Record<string, unknown>, known: ReadonlySet<string>): string[] {
  const ids = paths
    .map((path) => /^steps\.([^.]+)\.output(?:\.|$)/.exec(path)?.[1])
    .filter((id): id is string => id !== undefined && Object.hasOwn(steps, id) && !known.has(id));
  return [...new Set(ids)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
