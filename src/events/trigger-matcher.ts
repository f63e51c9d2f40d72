import { Injectable } from '@nestjs/common';
import picomatch from 'picomatch';
import { v7 as uuidv7 } from 'uuid';
import { isTruthy, Template, TemplateEngine } from '../templates/template-engine';
import { WorkflowDefinition } from '../workflows/workflow.types';
import { MatchNote } from './event.entity';
import { PendingRun } from './event-writer';

/** What a trigger sees: the event as workflows will (`event.*`). */
export interface EventContext {
  id: string;
  source: string;
  type: string;
  received_at: string;
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  body: unknown;
}

interface CompiledTrigger {
  matchesType: (type: string) => boolean;
  condition?: Template;
  concurrencyKey?: Template;
}

export interface MatchResult {
  runs: PendingRun[];
  notes: MatchNote[];
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

  match(event: EventContext, workflows: readonly WorkflowDefinition[], secrets: object): MatchResult {
    const runs: PendingRun[] = [];
    const notes: MatchNote[] = [];
    for (const workflow of workflows) {
      const trigger = this.triggerOf(workflow);
      if (!trigger.matchesType(event.type)) continue;
      const context = { event, workflow: { name: workflow.name }, secrets };
      try {
        if (trigger.condition && !isTruthy(trigger.condition.render(context, { workflow: workflow.name, field: 'on.if' }))) {
          continue;
        }
      } catch (error) {
        notes.push({ workflow: workflow.name, reason: `on.if could not be evaluated: ${(error as Error).message}` });
        continue;
      }
      runs.push(this.newRun(workflow, trigger, context, notes));
    }
    return { runs, notes };
  }

  /** A run of `workflow` for `event` regardless of its trigger (replays, `workflow` steps). */
  startRun(event: EventContext, workflow: WorkflowDefinition, secrets: object, notes: MatchNote[] = []): PendingRun {
    return this.newRun(workflow, this.triggerOf(workflow), { event, workflow: { name: workflow.name }, secrets }, notes);
  }

  private newRun(workflow: WorkflowDefinition, trigger: CompiledTrigger, context: object, notes: MatchNote[]): PendingRun {
    const concurrencyKey = this.concurrencyKeyOf(trigger, context, workflow, notes);
    return {
      id: uuidv7(),
      workflow: workflow.name,
      workflowVersion: workflow.version,
      concurrencyKey,
    };
  }

  private concurrencyKeyOf(
    trigger: CompiledTrigger,
    context: object,
    workflow: WorkflowDefinition,
    notes: MatchNote[],
  ): string | null {
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
