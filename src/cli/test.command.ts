import { stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSettings, SettingsError } from '../config/load-settings';
import { DryRun } from '../engine/dry-run';
import { TemplateEngine } from '../templates/template-engine';
import { listWorkflowTestFiles, loadWorkflowTestFile, WorkflowTestFile } from '../workflow-tests/workflow-test-file';
import { recordExpectations } from '../workflow-tests/workflow-test-recorder';
import { WorkflowTestResult, WorkflowTestRunner } from '../workflow-tests/workflow-test-runner';
import { loadWorkflowDirectory } from '../workflows/workflow-loader';
import type { WorkflowProblem } from '../workflows/workflow.types';
import type { CliIo } from './cli-io';
import { formatTestFile, formatTestSummary, TestTally } from './test-results.formatter';

export const TEST_USAGE = 'usage: hookflow test [file or folder] [--update] [--dir <workflows folder>]\n';

const OPTIONS = {
  update: { type: 'boolean' },
  dir: { type: 'string' },
} as const;

/** A test file, or a folder, that cannot be used at all: exit code 2. */
class BrokenTestsError extends Error {}

/**
 * `hookflow test [path]`: runs the workflow tests (`<workflows>/tests/*.test.yaml` by default)
 * through the dry run with nothing sent, no database and no secrets. Exit 0 when every test
 * passes, 1 when one fails, 2 when a test file or the workflows cannot be read (with
 * file:line:column). `--update` writes what happened as the `expect` of each test instead.
 */
export async function testCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${(error as Error).message}\n${TEST_USAGE}`);
    return 2;
  }
  if (parsed.positionals.length > 1) {
    io.err(`name one test file or folder\n${TEST_USAGE}`);
    return 2;
  }
  try {
    const settings = loadSettings();
    const target = parsed.positionals[0] ?? join(settings.HOOKFLOW_WORKFLOWS_DIR, 'tests');
    const { files, folder } = await testFilesAt(target);
    // Test files live in <workflows>/tests/; tests never read secrets, so none are passed on.
    const suite = await loadSuite(parsed.values.dir ?? dirname(folder));
    const runner = new WorkflowTestRunner(await DryRun.standalone({ ...settings, secrets: {} }), suite);
    return await runFiles(files, runner, parsed.values.update === true, io);
  } catch (error) {
    if (error instanceof BrokenTestsError || error instanceof SettingsError) {
      io.err(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function runFiles(paths: string[], runner: WorkflowTestRunner, update: boolean, io: CliIo): Promise<number> {
  const tally: TestTally = { passed: 0, failed: 0, updated: 0, broken: 0 };
  for (const path of paths) {
    const file = await loadWorkflowTestFile(path);
    const problems = problemsOf(file, runner);
    if (problems.length > 0) {
      tally.broken++;
      io.err(problems.map((problem) => `${problem.file}:${problem.line}:${problem.column}  ${problem.message}\n`).join(''));
      continue;
    }
    const results = runner.run(file);
    if (update) {
      const text = recordExpectations(file, results);
      if (text !== file.text) await writeFile(path, text);
      tally.passed += results.filter((result) => result.passed).length;
      tally.updated += results.filter((result) => !result.passed).length;
      io.out(formatTestFile(file.file, results.map(asRecorded), io.color === true));
      continue;
    }
    tally.passed += results.filter((result) => result.passed).length;
    tally.failed += results.filter((result) => !result.passed).length;
    io.out(formatTestFile(file.file, results, io.color === true));
  }
  io.out(formatTestSummary(tally));
  return tally.broken > 0 ? 2 : tally.failed > 0 ? 1 : 0;
}

function problemsOf(file: WorkflowTestFile, runner: WorkflowTestRunner): WorkflowProblem[] {
  if (file.problems.length > 0) return [...file.problems].sort((a, b) => a.line - b.line || a.column - b.column);
  const problem = runner.problemOf(file);
  return problem === undefined ? [] : [{ file: file.file, line: 1, column: 1, message: problem }];
}

/** After `--update` every test holds what happened: shown as passing, the ones rewritten marked so. */
function asRecorded(result: WorkflowTestResult): WorkflowTestResult {
  return { ...result, passed: true, differences: [], name: result.passed ? result.name : `${result.name} (expectation updated)` };
}

async function testFilesAt(target: string): Promise<{ files: string[]; folder: string }> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(target)).isDirectory();
  } catch {
    throw new BrokenTestsError(`no test file or folder ${target}`);
  }
  if (!isFolder) return { files: [target], folder: dirname(target) };
  const files = (await listWorkflowTestFiles(target)) ?? [];
  if (files.length === 0) throw new BrokenTestsError(`no test files (*.test.yaml) in ${target}`);
  return { files, folder: target };
}

async function loadSuite(dir: string) {
  const loaded = await loadWorkflowDirectory(dir, new TemplateEngine());
  if (loaded.problems.length > 0) {
    const lines = loaded.problems.map((problem) => `${problem.file}:${problem.line}:${problem.column}  ${problem.message}`);
    throw new BrokenTestsError(`the workflows in ${dir} have problems (npx hookflow validate ${dir}):\n${lines.join('\n')}`);
  }
  return { workflows: loaded.workflows, sources: loaded.sources };
}
