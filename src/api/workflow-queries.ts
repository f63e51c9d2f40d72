import { basename } from 'node:path';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { RunQueries } from '../engine/run-queries';
import { PauseCommands } from './pause-commands';
import { workflowGraph } from '../workflows/workflow-graph';
import { WorkflowEditor } from '../workflows/workflow-editor';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { StepDefinition, TriggerDefinition } from '../workflows/workflow.types';

/** The workflows in force as the console shows them: with recent run figures, or one with its graph. */
@Injectable()
export class WorkflowQueries {
  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly runs: RunQueries,
    private readonly editor: WorkflowEditor,
    private readonly pauses: PauseCommands,
  ) {}

  async list() {
    const workflows = this.registry.workflows().sort((a, b) => a.name.localeCompare(b.name));
    const [stats, paused] = await Promise.all([this.runs.recentByWorkflow(workflows.map((workflow) => workflow.name)), this.pauses.pausesOf('workflow')]);
    const items = workflows.map((workflow) => {
      const row = stats.get(workflow.name);
      const finished = (row?.succeeded ?? 0) + (row?.failed ?? 0);
      const recentRuns = row?.recent_runs ?? [];
      return {
        name: workflow.name,
        description: workflow.description ?? null,
        file: workflow.file,
        version: workflow.version,
        trigger: triggerOf(workflow.on),
        steps: workflow.steps.length,
        problems: this.registry.problemsFor(workflow.name).length,
        last_run: recentRuns[0] ?? null,
        recent_runs: recentRuns,
        runs_24h: { total: row?.total ?? 0, succeeded: row?.succeeded ?? 0, failed: row?.failed ?? 0 },
        // Of the runs that ended in the last 24 hours; cancelled ones count for neither side.
        success_rate: finished === 0 ? null : (row?.succeeded ?? 0) / finished,
        paused: paused.get(workflow.name) ?? null,
      };
    });
    const invalid_files = this.registry.filesWithoutWorkflow().map(({ file, problems }) => ({
      file: basename(file),
      problems: problems.map(({ message, line, column }) => ({ message, line, column })),
    }));
    return { items, next_cursor: null, invalid_files };
  }

  async get(name: string) {
    const workflow = this.registry.getWorkflow(name);
    if (!workflow) throw new DomainError('NOT_FOUND', `No workflow ${name}`);
    const [{ editable, read_only_reason }, paused] = await Promise.all([this.editor.editability(workflow.file), this.pauses.pausesOf('workflow')]);
    return {
      name: workflow.name,
      description: workflow.description ?? null,
      file: workflow.file,
      version: workflow.version,
      yaml: workflow.yaml,
      problems: this.registry.problemsFor(name).map(({ message, line, column }) => ({ message, line, column })),
      trigger: triggerOf(workflow.on),
      concurrency_key: workflow.concurrency?.key ?? null,
      steps: workflow.steps.map(stepOf),
      on_failure: (workflow.onFailure ?? []).map(stepOf),
      graph: workflowGraph(workflow),
      revision: workflow.version,
      editable,
      read_only_reason,
      paused: paused.get(name) ?? null,
    };
  }

  /**
   * Checks the text of a workflow file as if it were saved as `file`, against the sources
   * and the other workflows in force; nothing is loaded or changed.
   */
  validate(yaml: string, file: string) {
    const { parsed, workflow, valid } = this.registry.check(yaml, file);
    return {
      valid,
      problems: parsed.problems.map(({ message, line, column }) => ({ message, line, column })),
      graph: workflow ? workflowGraph(workflow) : null,
    };
  }
}

export function triggerOf(on: TriggerDefinition) {
  return { webhook: on.webhook ?? null, event: on.event ?? null, if: on.if ?? null, schedule: on.schedule ?? null, timezone: on.timezone ?? null };
}

export function stepOf(step: StepDefinition, index: number, steps: StepDefinition[]) {
  return {
    id: step.id,
    name: step.name ?? null,
    uses: step.uses,
    if: step.if ?? null,
    // As the engine reads it: no `needs` means the step above (none for the first).
    needs: step.needs ?? (index === 0 ? [] : [steps[index - 1].id]),
    timeout_ms: step.timeoutMs ?? null,
    retry: step.retry ? { attempts: step.retry.attempts, backoff: step.retry.backoff, initial_ms: step.retry.initialMs, max_ms: step.retry.maxMs } : null,
    continue_on_error: step.continueOnError,
    for_each: step.forEach ? { items: step.forEach.items, max_parallel: step.forEach.maxParallel, max_items: step.forEach.maxItems } : null,
    line: step.position.line,
  };
}
