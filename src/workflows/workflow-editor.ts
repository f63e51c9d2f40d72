import { Injectable } from '@nestjs/common';
import { isMap, isScalar } from 'yaml';
import { DomainError } from '../common/domain-error';
import { Settings } from '../config/settings';
import { ParsedYamlFile, parseWorkflowFile } from './workflow-file-parser';
import { WorkflowFiles } from './workflow-files';
import { WorkflowRegistry } from './workflow-registry';
import { WorkflowDefinition } from './workflow.types';

export interface Editability {
  editable: boolean;
  /** Why not, when not editable. */
  read_only_reason: string | null;
}

export interface SavedWorkflow {
  name: string;
  revision: string;
  file: string;
  /** Whether this process runs that revision now; false only when a change made at the same moment by hand got in the way. */
  in_force: boolean;
}

/** A workflow's file as it is on disk, for an editor: also a file that has never been valid. */
export interface WorkflowFileForEditing extends Editability {
  name: string;
  file: string;
  yaml: string;
  revision: string;
  problems: { message: string; line: number; column: number }[];
  /** Whether the file on disk is the version in force (false while it has problems, or was never valid). */
  in_force: boolean;
}

/**
 * Saves, creates and deletes workflow files for the API. Each change is checked by the
 * loader's own validator against what is in force, written atomically, and loaded by the
 * registry before the call returns, so that an event received afterwards runs it. Changes
 * run one at a time in this process, so that of two saves on the same revision one wins
 * and the other gets a conflict.
 */
@Injectable()
export class WorkflowEditor {
  private readonly files: WorkflowFiles;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly settings: Settings,
    private readonly registry: WorkflowRegistry,
  ) {
    this.files = new WorkflowFiles(registry.directory);
  }

  /** Whether the file of a workflow may be changed through the API, and why not. */
  async editability(file: string): Promise<Editability> {
    const reason = (await this.readOnlyReason()) ?? (await this.files.fileRefusalReason(file));
    return { editable: reason === undefined, read_only_reason: reason ?? null };
  }

  /**
   * The file a save of workflow `name` replaces, as it is on disk (which may differ from the
   * version in force while it has problems), with its revision and problems.
   */
  async open(name: string): Promise<WorkflowFileForEditing> {
    const inForce = this.registry.getWorkflow(name);
    const refused = inForce && (await this.files.fileRefusalReason(inForce.file));
    if (inForce && refused) {
      // A file the API never writes (a symbolic link, say) is shown as the version in force, read-only.
      const problems = this.registry.problemsFor(name).map(({ message, line, column }) => ({ message, line, column }));
      return { name, file: inForce.file, yaml: inForce.yaml, revision: inForce.version, problems, in_force: true, editable: false, read_only_reason: refused };
    }
    const file = await this.fileOf(name);
    const content = await this.files.read(file);
    if (!content) throw new DomainError('NOT_FOUND', `No workflow ${name}`);
    const { parsed } = this.registry.check(content.yaml, file);
    return {
      name,
      file,
      yaml: content.yaml,
      revision: content.revision,
      problems: parsed.problems.map(({ message, line, column }) => ({ message, line, column })),
      in_force: this.registry.getWorkflow(name)?.version === content.revision,
      ...(await this.editability(file)),
    };
  }

  /** Replaces the file of workflow `name` when it is still at `baseRevision`; the YAML must keep the name. */
  save(name: string, yaml: string, baseRevision: string): Promise<SavedWorkflow> {
    return this.oneAtATime(async () => {
      await this.assertWritable();
      const file = await this.fileOf(name);
      const check = this.registry.check(yaml, file);
      const declared = declaredName(check.parsed);
      if (declared !== undefined && declared.name !== name) {
        check.parsed.report(declared.node, `the name must stay \`${name}\`: to rename, create the workflow under its new name and delete this one`);
      }
      validWorkflow(check);
      const revision = await this.files.replace(file, yaml, baseRevision);
      return this.loaded(name, file, revision);
    });
  }

  /** Creates `<name>.yaml` from the YAML's own `name`. */
  create(yaml: string): Promise<SavedWorkflow> {
    return this.oneAtATime(async () => {
      await this.assertWritable();
      const taken = declaredName(parseWorkflowFile('new.yaml', yaml))?.name;
      if (taken !== undefined && this.registry.getWorkflow(taken)) throw new DomainError('WORKFLOW_EXISTS', `A workflow named ${taken} exists`);
      const workflow = validWorkflow(this.registry.check(yaml, `${taken ?? 'new'}.yaml`));
      // The validator allows only [a-z0-9_-] in a name: it cannot form a path.
      const file = `${workflow.name}.yaml`;
      const revision = await this.files.create(file, yaml);
      return this.loaded(workflow.name, file, revision);
    });
  }

  /**
   * The workflow an unsaved YAML defines, checked as saving it would be: as the file of the
   * workflow of its name in force, or as a new file. Nothing is written or loaded; refuses
   * with INVALID_WORKFLOW and every problem.
   */
  draft(yaml: string): WorkflowDefinition {
    const name = declaredName(parseWorkflowFile('draft.yaml', yaml))?.name;
    const file = (name === undefined ? undefined : this.registry.getWorkflow(name)?.file) ?? `${name ?? 'draft'}.yaml`;
    return validWorkflow(this.registry.check(yaml, file), 'nothing was tried');
  }

  /** Deletes the file of workflow `name` when it is still at `revision`. */
  remove(name: string, revision: string): Promise<void> {
    return this.oneAtATime(async () => {
      await this.assertWritable();
      await this.files.remove(await this.fileOf(name), revision);
      await this.registry.reload();
    });
  }

  private async readOnlyReason(): Promise<string | undefined> {
    if (this.settings.HOOKFLOW_EDITOR === 'off') return 'HOOKFLOW_EDITOR is off';
    return this.files.folderReadOnlyReason();
  }

  private async assertWritable(): Promise<void> {
    const reason = await this.readOnlyReason();
    if (reason !== undefined) throw new DomainError('WORKFLOWS_READ_ONLY', `Workflows are read-only here: ${reason}`);
  }

  /**
   * The file of a workflow in force, or `<name>.yaml` when it exists with no workflow in
   * force (never valid yet); never the file of another workflow, which would rename it.
   */
  private async fileOf(name: string): Promise<string> {
    const inForce = this.registry.getWorkflow(name)?.file;
    const file = inForce ?? `${name}.yaml`;
    const taken = inForce === undefined && this.registry.workflows().some((workflow) => workflow.file === file);
    if (taken || !(await this.files.read(file))) throw new DomainError('NOT_FOUND', `No workflow ${name}`);
    return file;
  }

  private async loaded(name: string, file: string, revision: string): Promise<SavedWorkflow> {
    await this.registry.reload();
    return { name, revision, file, in_force: this.registry.getWorkflow(name)?.version === revision };
  }

  private oneAtATime<T>(change: () => Promise<T>): Promise<T> {
    const next = this.queue.then(change);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** The `name:` of a YAML mapping, with its node for problems; undefined when there is none. */
function declaredName(parsed: ParsedYamlFile) {
  if (!isMap(parsed.root)) return undefined;
  const node = parsed.root.get('name', true);
  return isScalar(node) && typeof node.value === 'string' ? { name: node.value, node } : undefined;
}

/** The workflow of a check without problems; otherwise refuses with every problem and its line and column. */
function validWorkflow({ parsed, workflow }: { parsed: ParsedYamlFile; workflow?: WorkflowDefinition }, outcome = 'nothing was saved'): WorkflowDefinition {
  if (workflow && parsed.problems.length === 0) return workflow;
  const problems = parsed.problems.map(({ message, line, column }) => ({ message, line, column }));
  throw new DomainError('INVALID_WORKFLOW', `The workflow has ${problems.length} problem(s); ${outcome}`, { answer: { problems } });
}
