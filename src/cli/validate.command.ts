import { TemplateEngine } from '../templates/template-engine';
import { loadWorkflowDirectory } from '../workflows/workflow-loader';
import type { WorkflowProblem } from '../workflows/workflow.types';
import type { CliIo } from './cli-io';

export const DEFAULT_WORKFLOWS_DIR = 'workflows';

/**
 * `hookflow validate [dir]`: prints every problem as `file:line:column  message`, then a
 * summary line. Exit code 0 when there is no problem, 1 otherwise.
 */
export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  if (args.length > 1) {
    io.err('usage: hookflow validate [dir]\n');
    return 2;
  }
  const dir = args[0] ?? DEFAULT_WORKFLOWS_DIR;
  const result = await loadWorkflowDirectory(dir, new TemplateEngine());
  const problems = [...result.problems].sort(byFileThenLine);
  for (const problem of problems) io.out(`${problem.file}:${problem.line}:${problem.column}  ${problem.message}\n`);
  if (problems.length === 0) {
    const workflows = result.files.filter((file) => file.kind === 'workflow').length;
    const sourceFiles = result.files.filter((file) => file.kind === 'sources').length;
    const destinations = result.files.some((file) => file.kind === 'destinations') ? ', destination settings' : '';
    io.out(`${plural(workflows, 'workflow')}, ${plural(sourceFiles, 'source file')}${destinations}: OK\n`);
    return 0;
  }
  const files = new Set(problems.map((problem) => problem.file)).size;
  io.out(`${plural(problems.length, 'problem')} in ${plural(files, 'file')}\n`);
  return 1;
}

function byFileThenLine(a: WorkflowProblem, b: WorkflowProblem): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
