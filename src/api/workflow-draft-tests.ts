import { join, relative } from 'node:path';
import { Injectable } from '@nestjs/common';
import { DryRun } from '../engine/dry-run';
import { Difference } from '../workflow-tests/expectation-diff';
import { listWorkflowTestFiles, loadWorkflowTestFile } from '../workflow-tests/workflow-test-file';
import { WorkflowTestRunner } from '../workflow-tests/workflow-test-runner';
import { WorkflowEditor } from '../workflows/workflow-editor';
import { WorkflowRegistry } from '../workflows/workflow-registry';

/** The folder of the test files, inside the workflows folder. */
export const TESTS_FOLDER = 'tests';

export interface DraftTestResult {
  name: string;
  line: number;
  column: number;
  passed: boolean;
  differences: Difference[];
}

export interface DraftTestFile {
  /** Relative to the workflows folder: `tests/order-paid.test.yaml`. */
  file: string;
  /** Why the file cannot be run, with line and column; its tests are then empty. */
  problems: { line: number; column: number; message: string }[];
  tests: DraftTestResult[];
}

export interface DraftTestsAnswer {
  workflow: string;
  passed: number;
  failed: number;
  files: DraftTestFile[];
}

/**
 * The editor's "Run tests": the test files of a workflow (`<workflows>/tests/*.test.yaml`
 * whose workflow it is) run against its unsaved YAML, the other workflows as loaded. Only
 * that folder is read, never a path from the client; nothing is sent or stored.
 */
@Injectable()
export class WorkflowDraftTests {
  constructor(
    private readonly editor: WorkflowEditor,
    private readonly registry: WorkflowRegistry,
    private readonly dryRun: DryRun,
  ) {}

  async run(yaml: string): Promise<DraftTestsAnswer> {
    const draft = this.editor.draft(yaml);
    const workflows = new Map(this.registry.workflows().map((workflow) => [workflow.name, workflow]));
    workflows.set(draft.name, draft);
    const sources = new Map(this.registry.sources().map((source) => [source.name, source]));
    const runner = new WorkflowTestRunner(this.dryRun, { workflows, sources });
    const answer: DraftTestsAnswer = { workflow: draft.name, passed: 0, failed: 0, files: [] };
    for (const path of (await listWorkflowTestFiles(join(this.registry.directory, TESTS_FOLDER))) ?? []) {
      const file = await loadWorkflowTestFile(path);
      if (file.workflow !== draft.name) continue;
      const shown = relative(this.registry.directory, path);
      const problems = file.problems.map(({ line, column, message }) => ({ line, column, message }));
      if (problems.length > 0) {
        answer.files.push({ file: shown, problems, tests: [] });
        continue;
      }
      const tests = runner.run(file).map(({ name, line, column, passed, differences }) => ({ name, line, column, passed, differences }));
      answer.passed += tests.filter((test) => test.passed).length;
      answer.failed += tests.filter((test) => !test.passed).length;
      answer.files.push({ file: shown, problems: [], tests });
    }
    return answer;
  }
}
