import { Injectable } from '@nestjs/common';
import { CompiledValue, redactedSecrets, TemplateEngine } from '../templates/template-engine';
import { WorkflowDefinition } from '../workflows/workflow.types';
import { RunInProgress } from './run-in-progress';
import { RunEnd } from './run-store';

export type RunOutputSource = Pick<RunInProgress, 'id' | 'kind' | 'workflow' | 'states' | 'event' | 'scrubber'>;

/**
 * A workflow's `output:`, rendered when a run of its `steps:` succeeds: what a parent that
 * waits for the run receives. It is stored and shown, so it is rendered from the recorded side
 * (secrets as `[secret]`, outputs as stored). An output that cannot be rendered fails the run:
 * a parent would otherwise go on without the answer it waits for.
 */
@Injectable()
export class RunOutputs {
  private readonly compiled = new WeakMap<WorkflowDefinition, CompiledValue>();

  constructor(private readonly templates: TemplateEngine) {}

  /** `end` with the run's `output` when it succeeded and its workflow declares one. */
  complete(run: RunOutputSource, end: Omit<RunEnd, 'failureHandoff'>): Omit<RunEnd, 'failureHandoff'> {
    if (end.outcome !== 'succeeded' || run.kind !== 'steps' || run.workflow.output === undefined) return end;
    try {
      return { ...end, output: run.scrubber.scrub(this.render(run)) };
    } catch (error) {
      return { outcome: 'failed', error: `output: ${(error as Error).message}` };
    }
  }

  private render(run: RunOutputSource): unknown {
    const steps: Record<string, { output: unknown }> = {};
    for (const [id, state] of run.states) if (state.status === 'succeeded') steps[id] = { output: state.output };
    const context = { event: run.event, steps, run: { id: run.id }, workflow: { name: run.workflow.name }, secrets: redactedSecrets() };
    return this.compiledOf(run.workflow).render(context, { workflow: run.workflow.name, field: 'output' });
  }

  private compiledOf(workflow: WorkflowDefinition): CompiledValue {
    let compiled = this.compiled.get(workflow);
    if (!compiled) {
      compiled = this.templates.compileValue(workflow.output);
      this.compiled.set(workflow, compiled);
    }
    return compiled;
  }
}
