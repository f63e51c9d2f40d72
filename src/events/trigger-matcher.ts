import { Injectable } from '@nestjs/common';
import picomatch from 'picomatch';
import { v7 as uuidv7 } from 'uuid';
import { isTruthy, Template, TemplateEngine, TemplateScope } from '../templates/template-engine';
import { WorkflowDefinition } from '../workflows/workflow.types';
import { MatchNote } from './event.entity';
import { EventContext, eventContextOf, InboundEvent } from './inbound-event';
import { PendingRun } from './pending-run';

interface CompiledTrigger {
  matchesType: (type: string) => boolean;
  condition?: Template;
  concurrencyKey?: Template;
}

export interface MatchResult {
  runs: PendingRun[];
  notes: MatchNote[];
}

/** Every part of a trigger judged on its own, as a dry run shows them. */
export interface TriggerJudgement {
  /** Whether the event type equals `on.event` or matches its glob; true without one. */
  typeMatches: boolean;
  /** What `on.if` made of the event: no value without one, an error when it could not be evaluated. */
  condition?: boolean | Error;
}

/**
 * Decides at ingest which workflows an event starts: same source, event type equal to or
 * matching the `on.event` glob, and an `on.if` that renders truthy. A condition that
 * cannot be evaluated counts as no match and says why.
 */
@Injectable()
export class TriggerMatcher {
  /** Keyed by definition: a reloaded workflow is a new object, so its triggers recompile. */
  private readonly compiled = new WeakMap<WorkflowDefinition, CompiledTrigger>();

  constructor(private readonly templates: TemplateEngine) {}

  match(event: InboundEvent, workflows: readonly WorkflowDefinition[], secrets: object): MatchResult {
    const runs: PendingRun[] = [];
    const notes: MatchNote[] = [];
    const eventContext = eventContextOf(event);
    for (const workflow of workflows) {
      const trigger = this.triggerOf(workflow);
      if (!trigger.matchesType(event.type)) continue;
      const context = triggerContext(eventContext, workflow, secrets);
      const condition = evaluate(trigger, context, { workflow: workflow.name, field: 'on.if' });
      if (condition instanceof Error) {
        notes.push({ workflow: workflow.name, reason: `on.if could not be evaluated: ${condition.message}` });
        continue;
      }
      if (condition) runs.push(this.newRun(workflow, trigger, context, notes));
    }
    return { runs, notes };
  }

  /**
   * The trigger of `workflow` on `event`, with `on.if` evaluated even when the type does not
   * match. An error's message does not name the workflow: the caller shows it beside it.
   */
  judge(event: InboundEvent, workflow: WorkflowDefinition, secrets: object): TriggerJudgement {
    const trigger = this.triggerOf(workflow);
    const typeMatches = trigger.matchesType(event.type);
    if (!trigger.condition) return { typeMatches };
    return { typeMatches, condition: evaluate(trigger, triggerContext(eventContextOf(event), workflow, secrets)) };
  }

  /** A run of `workflow` for `event` regardless of its trigger (replays, `workflow` steps, schedules). */
  startRun(event: InboundEvent, workflow: WorkflowDefinition, secrets: object, notes: MatchNote[] = []): PendingRun {
    const context = triggerContext(eventContextOf(event), workflow, secrets);
    return this.newRun(workflow, this.triggerOf(workflow), context, notes);
  }

  private newRun(workflow: WorkflowDefinition, trigger: CompiledTrigger, context: TriggerContext, notes: MatchNote[]): PendingRun {
    const concurrencyKey = this.concurrencyKeyOf(trigger, context, workflow, notes);
    return {
      id: uuidv7(),
      workflow: workflow.name,
      workflowVersion: workflow.version,
      concurrencyKey,
      timeoutMs: workflow.timeoutMs ?? null,
    };
  }

  private concurrencyKeyOf(trigger: CompiledTrigger, context: TriggerContext, workflow: WorkflowDefinition, notes: MatchNote[]): string | null {
    if (!trigger.concurrencyKey) return null;
    try {
      const key = trigger.concurrencyKey.render(context, { workflow: workflow.name, field: 'concurrency.key' });
      return key === undefined || key === null || key === '' ? null : String(key);
    } catch (error) {
      notes.push({ workflow: workflow.name, reason: `concurrency.key could not be evaluated, run is not serialised: ${(error as Error).message}` });
      return null;
    }
  }

  private triggerOf(workflow: WorkflowDefinition): CompiledTrigger {
    let trigger = this.compiled.get(workflow);
    if (!trigger) {
      const glob = workflow.on.event;
      trigger = {
        matchesType: glob === undefined ? () => true : picomatch(glob, { dot: true }),
        condition: workflow.on.if === undefined ? undefined : this.templates.compile(workflow.on.if),
        concurrencyKey: workflow.concurrency ? this.templates.compile(workflow.concurrency.key) : undefined,
      };
      this.compiled.set(workflow, trigger);
    }
    return trigger;
  }
}

/** What a trigger's templates (`on.if`, `concurrency.key`) read. */
interface TriggerContext {
  event: EventContext;
  workflow: { name: string };
  secrets: object;
}

function triggerContext(event: EventContext, workflow: WorkflowDefinition, secrets: object): TriggerContext {
  return { event, workflow: { name: workflow.name }, secrets };
}

/** Whether `on.if` passes (true without one), or the error that kept it from being evaluated. */
function evaluate(trigger: CompiledTrigger, context: TriggerContext, scope?: TemplateScope): boolean | Error {
  if (!trigger.condition) return true;
  try {
    return isTruthy(trigger.condition.render(context, scope));
  } catch (error) {
    return error as Error;
  }
}
