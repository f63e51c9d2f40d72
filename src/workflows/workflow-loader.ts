import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TemplateEngine } from '../templates/template-engine';
import { MAX_WORKFLOW_FILE_BYTES, ParsedYamlFile, oversizeFile, parseWorkflowFile } from './workflow-file-parser';
import { CheckedWorkflow, reportWorkflowCycles } from './workflow-cycles';
import { DestinationsValidator } from './destinations-validator';
import type { DestinationSettings } from '../destinations/destination-policy';
import { WorkflowValidator } from './workflow-validator';
import { SourceDefinition, WorkflowDefinition, WorkflowProblem } from './workflow.types';

export const SOURCES_FILES = ['sources.yaml', 'sources.yml'];
export const DESTINATIONS_FILES = ['destinations.yaml', 'destinations.yml'];
/** Files of the folder that are not workflows. */
const SETTINGS_FILES = [...SOURCES_FILES, ...DESTINATIONS_FILES];

export interface WorkflowFileResult {
  /** The path as problems show it: the folder as given joined with the file name. */
  file: string;
  kind: 'sources' | 'destinations' | 'workflow';
  problems: WorkflowProblem[];
  /** Set when the file is a valid workflow. */
  workflow?: WorkflowDefinition;
  /** Set when the file is a valid sources file. */
  sources?: SourceDefinition[];
  /** Set when the file is a valid destinations file. */
  destinations?: DestinationSettings;
}

interface ReadWorkflowFile {
  parsed: ParsedYamlFile;
  /** Set when the file is valid on its own. */
  workflow?: WorkflowDefinition;
}

export interface WorkflowLoadResult {
  sources: Map<string, SourceDefinition>;
  workflows: Map<string, WorkflowDefinition>;
  files: WorkflowFileResult[];
  problems: WorkflowProblem[];
}

export interface WorkflowLoadOptions {
  /**
   * Sources to check `on.webhook` against when the sources file is invalid, so that a broken
   * sources file does not make every workflow look wrong (the registry passes the last valid ones).
   */
  fallbackSources?: ReadonlyMap<string, SourceDefinition>;
  /**
   * The workflow in force for each file (by path, as results name files), so that a file that
   * is now invalid still counts, with that version, when `workflow` steps are checked for cycles.
   */
  fallbackWorkflows?: ReadonlyMap<string, WorkflowDefinition>;
}

/**
 * Loads every `*.yaml` / `*.yml` file of `dir` (not recursive, dot files ignored): the sources
 * file first, then the workflows in name order. Never throws for file content; only valid
 * files contribute definitions.
 */
export async function loadWorkflowDirectory(
  dir: string,
  engine: TemplateEngine,
  options: WorkflowLoadOptions = {},
): Promise<WorkflowLoadResult> {
  const names = await yamlFileNames(dir);
  if (names === undefined) {
    const problem = { file: dir, line: 1, column: 1, message: `workflows folder ${dir} does not exist` };
    return { sources: new Map(), workflows: new Map(), files: [], problems: [problem] };
  }
  const validator = new WorkflowValidator(engine);
  const files: WorkflowFileResult[] = [];
  const sources = new Map<string, SourceDefinition>();
  const sourceNames = new Set<string>();
  for (const [index, name] of names.filter((n) => SOURCES_FILES.includes(n)).entries()) {
    const parsed = await readYamlFile(dir, name);
    if (!parsed) continue;
    if (index > 0) parsed.report(undefined, `only one sources file is read; remove this one or ${SOURCES_FILES[0]}`);
    const result = validator.validateSources(parsed, name);
    result.declaredNames.forEach((source) => sourceNames.add(source));
    result.sources?.forEach((source) => sources.set(source.name, source));
    if (!result.sources) options.fallbackSources?.forEach((_source, source) => sourceNames.add(source));
    files.push(fileResult(parsed, 'sources', { sources: result.sources }));
  }
  for (const [index, name] of names.filter((n) => DESTINATIONS_FILES.includes(n)).entries()) {
    const parsed = await readYamlFile(dir, name);
    if (!parsed) continue;
    if (index > 0) parsed.report(undefined, `only one destinations file is read; remove this one or ${DESTINATIONS_FILES[0]}`);
    files.push(fileResult(parsed, 'destinations', { destinations: new DestinationsValidator(parsed).validate() }));
  }

  const claimedNames = new Map<string, string>();
  const read: ReadWorkflowFile[] = [];
  for (const name of names.filter((n) => !SETTINGS_FILES.includes(n))) {
    const parsed = await readYamlFile(dir, name);
    if (parsed) read.push({ parsed, workflow: validator.validateWorkflow(parsed, name, { sourceNames, claimedNames }) });
  }
  const refused = refuseCycles(read, engine, options);
  const workflows = new Map<string, WorkflowDefinition>();
  for (const { parsed, workflow } of read) {
    const valid = workflow && !refused.has(workflow.name) ? workflow : undefined;
    if (valid) workflows.set(valid.name, valid);
    files.push(fileResult(parsed, 'workflow', { workflow: valid }));
  }
  return { sources, workflows, files, problems: files.flatMap((file) => file.problems) };
}

/**
 * Cycles of `workflow` steps among the valid files and, for the others, the versions in
 * force. A refused file keeps its version in force, which may close a cycle of its own
 * with the files accepted: checked again until nothing more is refused.
 */
function refuseCycles(read: ReadWorkflowFile[], engine: TemplateEngine, options: WorkflowLoadOptions): Set<string> {
  const refused = new Set<string>();
  for (;;) {
    const accepted = read.filter((file): file is CheckedWorkflow => file.workflow !== undefined && !refused.has(file.workflow.name));
    const kept = read.flatMap((file) => (accepted.includes(file as CheckedWorkflow) ? [] : (options.fallbackWorkflows?.get(file.parsed.file) ?? [])));
    // Fresh versions first: a kept old version never shadows a valid file that took its name.
    const inForce = new Map<string, WorkflowDefinition>();
    for (const workflow of [...accepted.map((file) => file.workflow), ...kept]) if (!inForce.has(workflow.name)) inForce.set(workflow.name, workflow);
    const found = reportWorkflowCycles(accepted, inForce, (text) => engine.isTemplate(text));
    if (found.size === 0) return refused;
    found.forEach((name) => refused.add(name));
  }
}

async function yamlFileNames(dir: string): Promise<string[] | undefined> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const names: string[] = [];
  for (const entry of entries) {
    // Editors leave dot files behind (Emacs lock files are `.#name.yaml`).
    if (entry.name.startsWith('.') || !/\.ya?ml$/.test(entry.name)) continue;
    if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(join(dir, entry.name))))) names.push(entry.name);
  }
  return names.sort();
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** `undefined` when the file disappeared since the folder was listed (an editor saving, say). */
async function readYamlFile(dir: string, name: string): Promise<ParsedYamlFile | undefined> {
  const path = join(dir, name);
  try {
    const { size } = await stat(path);
    if (size > MAX_WORKFLOW_FILE_BYTES) return oversizeFile(path, size);
    return parseWorkflowFile(path, await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function fileResult(
  parsed: ParsedYamlFile,
  kind: WorkflowFileResult['kind'],
  definitions: Pick<WorkflowFileResult, 'workflow' | 'sources' | 'destinations'>,
): WorkflowFileResult {
  const problems = [...parsed.problems].sort((a, b) => a.line - b.line || a.column - b.column);
  const result: WorkflowFileResult = { file: parsed.file, kind, problems };
  if (definitions.workflow) result.workflow = definitions.workflow;
  if (definitions.sources) result.sources = definitions.sources;
  if (definitions.destinations) result.destinations = definitions.destinations;
  return result;
}
