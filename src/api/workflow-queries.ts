import { basename } from 'node:path';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { TemplateEngine } from '../templates/template-engine';
import { MAX_WORKFLOW_FILE_BYTES, oversizeFile, parseWorkflowFile } from '../workflows/workflow-file-parser';
import { workflowGraph } from '../workflows/workflow-graph';
import { reportWorkflowCycles } from '../workflows/workflow-cycles';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { WorkflowValidator } from '../workflows/workflow-validator';
import { StepDefinition, TriggerDefinition } from '../workflows/workflow.types';

/** How many of a workflow's latest runs the list shows. */
const RECENT_RUNS = 10;

interface RunStatsRow {
  name: string;
  /** Newest first; `created_at` as JSON gives it, a string. */
  recent_runs: { id: string; status: string; created_at: string }[];
  total: number;
  succeeded: number;
  failed: number;
}

/** The workflows in force as the console shows them: with recent run figures, or one with its graph. */
@Injectable()
export class WorkflowQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: WorkflowRegistry,
    private readonly engine: TemplateEngine,
  ) {}

  async list() {
    const workflows = this.registry.workflows().sort((a, b) => a.name.localeCompare(b.name));
    const stats = await this.runStats(workflows.map((workflow) => workflow.name));
    const items = workflows.map((workflow) => {
      const row = stats.get(workflow.name);
      const finished = (row?.succeeded ?? 0) + (row?.failed ?? 0);
      const recentRuns = (row?.recent_runs ?? []).map((run) => ({ ...run, created_at: new Date(run.created_at) }));
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
      };
    });
    const invalid_files = this.registry.filesWithoutWorkflow().map(({ file, problems }) => ({
      file: basename(file),
      problems: problems.map(({ message, line, column }) => ({ message, line, column })),
    }));
    return { items, next_cursor: null, invalid_files };
  }

  get(name: string) {
    const workflow = this.registry.getWorkflow(name);
    if (!workflow) throw new DomainError('NOT_FOUND', `No workflow ${name}`);
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
      graph: workflowGraph(workflow),
    };
  }

  /**
   * Checks the text of a workflow file as if it were saved as `file`, against the sources
   * and the other workflows in force; nothing is loaded or changed.
   */
  validate(yaml: string, file: string) {
    const size = Buffer.byteLength(yaml);
    const parsed = size > MAX_WORKFLOW_FILE_BYTES ? oversizeFile(file, size) : parseWorkflowFile(file, yaml);
    const others = this.registry.workflows().filter((w) => w.file !== file);
    const otherNames = new Map(others.map((w) => [w.name, w.file]));
    const sourceNames = new Set(this.registry.sources().map((source) => source.name));
    const workflow = new WorkflowValidator(this.engine).validateWorkflow(parsed, file, { sourceNames, claimedNames: otherNames });
    if (workflow) {
      const inForce = new Map([workflow, ...others].map((w) => [w.name, w]));
      reportWorkflowCycles([{ parsed, workflow }], inForce, (text) => this.engine.isTemplate(text));
    }
    return {
      valid: workflow !== undefined && parsed.problems.length === 0,
      problems: parsed.problems.map(({ message, line, column }) => ({ message, line, column })),
      graph: workflow ? workflowGraph(workflow) : null,
    };
  }

  /** The latest runs and 24-hour counts per workflow, each from `runs_workflow_created_at_idx`. */
  private async runStats(names: string[]): Promise<Map<string, RunStatsRow>> {
    if (names.length === 0) return new Map();
    const rows = await this.dataSource.query<RunStatsRow[]>(
      `SELECT w.name, recent.runs AS recent_runs, day.total, day.succeeded, day.failed
         FROM unnest($1::text[]) AS w(name)
         CROSS JOIN LATERAL (
           SELECT coalesce(json_agg(json_build_object('id', r.id, 'status', r.status, 'created_at', r.created_at)
                                    ORDER BY r.created_at DESC, r.id DESC), '[]') AS runs
             FROM (SELECT id, status, created_at FROM runs WHERE workflow = w.name
                    ORDER BY created_at DESC, id DESC LIMIT ${RECENT_RUNS}) r) recent
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS total,
                  (count(*) FILTER (WHERE status = 'succeeded'))::int AS succeeded,
                  (count(*) FILTER (WHERE status = 'failed'))::int AS failed
             FROM runs WHERE workflow = w.name AND created_at >= now() - interval '24 hours') day`,
      [names],
    );
    return new Map(rows.map((row) => [row.name, row]));
  }
}

function triggerOf(on: TriggerDefinition) {
  return { webhook: on.webhook ?? null, event: on.event ?? null, if: on.if ?? null, schedule: on.schedule ?? null, timezone: on.timezone ?? null };
}

function stepOf(step: StepDefinition, index: number, steps: StepDefinition[]) {
  return {
    id: step.id,
    name: step.name ?? null,
    uses: step.uses,
    if: step.if ?? null,
    // As the engine reads it: no `needs` means the step above (none for the first).
    needs: step.needs ?? (index === 0 ? [] : [steps[index - 1].id]),
    timeout_ms: step.timeoutMs ?? null,
    retry: step.retry
      ? { attempts: step.retry.attempts, backoff: step.retry.backoff, initial_ms: step.retry.initialMs, max_ms: step.retry.maxMs }
      : null,
    continue_on_error: step.continueOnError,
    line: step.position.line,
  };
}
