import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSettings, SettingsError } from '../config/load-settings';
import { DryRun, dryRunEventOf, DryRunEventInput, InvalidDryRunEventError } from '../engine/dry-run';
import { TemplateEngine } from '../templates/template-engine';
import { loadWorkflowDirectory, WorkflowLoadResult } from '../workflows/workflow-loader';
import { WorkflowDefinition } from '../workflows/workflow.types';
import type { CliIo } from './cli-io';
import { formatDryRun } from './dry-run.formatter';

export const RUN_USAGE = 'usage: hookflow run <workflow> --event <file.json> --dry-run [--dir <folder>] [--type <event type>] [--json]\n';

const OPTIONS = {
  event: { type: 'string', short: 'e' },
  'dry-run': { type: 'boolean' },
  dir: { type: 'string' },
  type: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** A problem that stops the command with exit code 1 and one message. */
class RunCommandError extends Error {}

/**
 * `hookflow run <workflow> --event event.json --dry-run`: prints what each step would send,
 * rendered with secrets redacted, and sends nothing. Exit 0 when the dry run completed
 * (even if the trigger would not match or a step would fail), 1 when the workflow or the
 * event cannot be read, 2 for usage errors.
 */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${(error as Error).message}\n${RUN_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    io.err(`${positionals.length === 0 ? 'name the workflow to run' : 'name one workflow'}\n${RUN_USAGE}`);
    return 2;
  }
  if (!values['dry-run']) {
    io.err('Only dry runs are supported from the command line: add --dry-run. Real runs start when an event arrives at POST /hooks/<source>.\n');
    return 2;
  }
  if (values.event === undefined) {
    io.err(`missing --event <file.json>\n${RUN_USAGE}`);
    return 2;
  }
  try {
    const settings = loadSettings();
    const target = positionals[0];
    const dir = values.dir ?? (isFilePath(target) && basename(target) !== target ? dirname(target) : settings.HOOKFLOW_WORKFLOWS_DIR);
    const loaded = await loadWorkflowDirectory(dir, new TemplateEngine());
    const workflow = findWorkflow(loaded, target, dir);
    const event = await readEvent(values.event);
    const report = (await DryRun.standalone(settings)).run(workflow, event, { sources: loaded.sources, type: values.type });
    io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatDryRun(report));
    return 0;
  } catch (error) {
    if (!(error instanceof RunCommandError || error instanceof SettingsError)) throw error;
    io.err(`${error.message}\n`);
    return 1;
  }
}

/** By name, or by file (`order-paid.yaml`, `workflows/order-paid.yaml`). */
function findWorkflow(loaded: WorkflowLoadResult, target: string, dir: string): WorkflowDefinition {
  if (loaded.files.length === 0 && loaded.problems.length > 0) throw new RunCommandError(loaded.problems[0].message);
  const file = isFilePath(target) ? basename(target) : undefined;
  const workflow = [...loaded.workflows.values()].find((candidate) => (file === undefined ? candidate.name === target : candidate.file === file));
  if (workflow) return workflow;
  const fileName = file ?? `${target}.yaml`;
  const invalid = loaded.files.find((candidate) => candidate.kind === 'workflow' && basename(candidate.file) === fileName && candidate.problems.length > 0);
  if (invalid) {
    const problems = invalid.problems.map((problem) => `${problem.file}:${problem.line}:${problem.column}  ${problem.message}`);
    throw new RunCommandError(`${invalid.file} is not a valid workflow:\n${problems.join('\n')}`);
  }
  const names = [...loaded.workflows.keys()].sort();
  throw new RunCommandError(`no workflow ${target} in ${dir} (${names.length > 0 ? `workflows there: ${names.join(', ')}` : 'it holds no valid workflow'})`);
}

async function readEvent(path: string): Promise<DryRunEventInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RunCommandError(`cannot read the event file ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    return dryRunEventOf(JSON.parse(text));
  } catch (error) {
    const reason = error instanceof InvalidDryRunEventError ? error.message : `not valid JSON (${(error as Error).message})`;
    throw new RunCommandError(`the event file ${path} cannot be used: ${reason}`);
  }
}

function isFilePath(target: string): boolean {
  return /\.ya?ml$/i.test(target);
}
