import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { FSWatcher, watch } from 'chokidar';
import { Observable, Subject } from 'rxjs';
import { Settings } from '../config/settings';
import { DestinationSettings, NO_DESTINATION_SETTINGS } from '../destinations/destination-policy';
import { TemplateEngine } from '../templates/template-engine';
import { reportWorkflowCycles } from './workflow-cycles';
import { MAX_WORKFLOW_FILE_BYTES, ParsedYamlFile, oversizeFile, parseWorkflowFile } from './workflow-file-parser';
import { WorkflowLoadResult, loadWorkflowDirectory } from './workflow-loader';
import { WorkflowValidator } from './workflow-validator';
import { SourceDefinition, WorkflowDefinition, WorkflowProblem } from './workflow.types';

const NONE: readonly WorkflowDefinition[] = Object.freeze([]);
/**
 * A changed file is loaded once its size has held this long: a file written in parts (a
 * slow copy, a generator flushing as it goes) would otherwise be loaded half written, and a
 * first part that is valid YAML put in force with steps missing. Atomic saves (write, then
 * rename) pay this wait too.
 */
const WRITE_SETTLE = { stabilityThreshold: 500, pollInterval: 100 };

/**
 * The workflows and sources in force. Loads the workflows folder at start and again whenever
 * it changes; a file that becomes invalid keeps its last valid version in force (its problems
 * are reported), a deleted file takes its workflow with it.
 */
@Injectable()
export class WorkflowRegistry implements OnModuleInit, OnModuleDestroy {
  /** Whether to reload when the folder changes; set before `onModuleInit` (tests turn it off). */
  watch = true;
  debounceMs = 100;
  /** Emits after every reload. */
  readonly changes$: Observable<void>;

  private readonly changes = new Subject<void>();
  private readonly logger = new Logger(WorkflowRegistry.name);
  /** Last valid workflow of each file (path as the loader reports it). */
  private readonly keptWorkflows = new Map<string, WorkflowDefinition>();
  private keptSources?: SourceDefinition[];
  private keptDestinations: DestinationSettings = NO_DESTINATION_SETTINGS;
  private byName = new Map<string, WorkflowDefinition>();
  private bySource = new Map<string, readonly WorkflowDefinition[]>();
  private sourcesByName = new Map<string, SourceDefinition>();
  private problemsByFile = new Map<string, WorkflowProblem[]>();
  private workflowFiles = new Set<string>();
  private fileByName = new Map<string, string>();
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private reloading: Promise<void> = Promise.resolve();

  constructor(
    private readonly settings: Settings,
    private readonly engine: TemplateEngine,
  ) {
    this.changes$ = this.changes.asObservable();
  }

  get directory(): string {
    return this.settings.HOOKFLOW_WORKFLOWS_DIR;
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
    if (this.watch) this.startWatching();
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    await this.watcher?.close();
    this.watcher = undefined;
    this.changes.complete();
  }

  getSource(name: string): SourceDefinition | undefined {
    return this.sourcesByName.get(name);
  }

  sources(): SourceDefinition[] {
    return [...this.sourcesByName.values()];
  }

  /** `workflows/destinations.yaml` in force: its last valid version, or none when the file is gone. */
  destinationSettings(): DestinationSettings {
    return this.keptDestinations;
  }

  workflows(): WorkflowDefinition[] {
    return [...this.byName.values()];
  }

  getWorkflow(name: string): WorkflowDefinition | undefined {
    return this.byName.get(name);
  }

  /** The workflows triggered by a source (a frozen array: do not mutate); a map lookup, since every inbound request asks. */
  workflowsForSource(source: string): WorkflowDefinition[] {
    return (this.bySource.get(source) ?? NONE) as WorkflowDefinition[];
  }

  /** Current problems of every file, in file then line order. */
  problems(): WorkflowProblem[] {
    return [...this.problemsByFile.values()].flat();
  }

  /** Current problems of the file that holds the workflow `name`. */
  problemsFor(name: string): WorkflowProblem[] {
    const file = this.fileByName.get(name);
    return file === undefined ? [] : (this.problemsByFile.get(file) ?? []);
  }

  /**
   * Workflow files with problems and no version in force: never valid since they were
   * written, so they appear in no list of workflows, only here.
   */
  filesWithoutWorkflow(): { file: string; problems: WorkflowProblem[] }[] {
    return [...this.problemsByFile]
      .filter(([file, problems]) => problems.length > 0 && this.workflowFiles.has(file) && !this.keptWorkflows.has(file))
      .map(([file, problems]) => ({ file, problems }));
  }

  /**
   * Checks the text of a workflow file as if it were saved as `file` (a name in the folder),
   * with the validator of the loader, against the sources and the other workflows in force;
   * nothing is loaded or changed. `valid` when there is no problem; `workflow` may be set
   * without it (a cycle through other workflows is found only once the workflow is read).
   */
  check(yaml: string, file: string): { parsed: ParsedYamlFile; workflow?: WorkflowDefinition; valid: boolean } {
    const size = Buffer.byteLength(yaml);
    const parsed = size > MAX_WORKFLOW_FILE_BYTES ? oversizeFile(file, size) : parseWorkflowFile(file, yaml);
    const others = this.workflows().filter((w) => w.file !== file);
    const claimedNames = new Map(others.map((w) => [w.name, w.file]));
    const sourceNames = new Set(this.sourcesByName.keys());
    const workflow = new WorkflowValidator(this.engine).validateWorkflow(parsed, file, { sourceNames, claimedNames });
    if (workflow) {
      const inForce = new Map([workflow, ...others].map((w) => [w.name, w]));
      reportWorkflowCycles([{ parsed, workflow }], inForce, (text) => this.engine.isTemplate(text));
    }
    return { parsed, workflow, valid: workflow !== undefined && parsed.problems.length === 0 };
  }

  /** Loads the folder again. Calls are serialized: the last one sees the latest files. */
  reload(): Promise<void> {
    const next = this.reloading.then(() => this.load());
    this.reloading = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<void> {
    const result = await loadWorkflowDirectory(this.directory, this.engine, {
      fallbackSources: this.sourcesByName,
      fallbackWorkflows: this.keptWorkflows,
    });
    this.keep(result);
    this.index(result);
    for (const problem of result.problems) {
      this.logger.warn(`${problem.file}:${problem.line}:${problem.column}  ${problem.message}`);
    }
    this.logger.log(`${this.byName.size} workflows and ${this.sourcesByName.size} sources in force`);
    this.changes.next();
  }

  /** Remembers the valid files; invalid ones keep their previous version, missing ones go. */
  private keep(result: WorkflowLoadResult): void {
    const present = new Set(result.files.map((file) => file.file));
    for (const file of this.keptWorkflows.keys()) if (!present.has(file)) this.keptWorkflows.delete(file);
    const sourceFiles = result.files.filter((file) => file.kind === 'sources');
    if (sourceFiles.length === 0) this.keptSources = undefined;
    if (!result.files.some((file) => file.kind === 'destinations')) this.keptDestinations = NO_DESTINATION_SETTINGS;
    for (const file of result.files) {
      if (file.workflow) this.keptWorkflows.set(file.file, file.workflow);
      if (file.sources) this.keptSources = file.sources;
      if (file.destinations) this.keptDestinations = file.destinations;
    }
  }

  private index(result: WorkflowLoadResult): void {
    const byName = new Map<string, WorkflowDefinition>();
    const fileByName = new Map<string, string>();
    // Fresh versions first: a kept old version never shadows a valid file that took its name.
    const fresh = [...this.keptWorkflows].filter(([, workflow]) => result.workflows.get(workflow.name) === workflow);
    const stale = [...this.keptWorkflows].filter(([, workflow]) => result.workflows.get(workflow.name) !== workflow);
    for (const [file, workflow] of [...fresh, ...stale]) {
      if (byName.has(workflow.name)) continue;
      byName.set(workflow.name, workflow);
      fileByName.set(workflow.name, file);
    }
    const bySource = new Map<string, WorkflowDefinition[]>();
    for (const workflow of byName.values()) {
      const source = workflow.on.webhook;
      if (source !== undefined) bySource.set(source, [...(bySource.get(source) ?? []), workflow]);
    }
    this.byName = byName;
    this.fileByName = fileByName;
    this.bySource = new Map([...bySource].map(([source, list]) => [source, Object.freeze(list)]));
    this.sourcesByName = new Map((this.keptSources ?? []).map((source) => [source.name, source]));
    this.problemsByFile = new Map(result.files.map((file) => [file.file, file.problems]));
    this.workflowFiles = new Set(result.files.filter((file) => file.kind === 'workflow').map((file) => file.file));
    if (result.files.length === 0 && result.problems.length > 0) this.problemsByFile.set(this.directory, result.problems);
  }

  private startWatching(): void {
    this.watcher = watch(this.directory, {
      ignoreInitial: true,
      depth: 0,
      awaitWriteFinish: WRITE_SETTLE,
    });
    this.watcher.on('all', (_event, path) => {
      if (/\.ya?ml$/.test(path) || path === this.directory) this.scheduleReload();
    });
    this.watcher.on('error', (error) => this.logger.error(`watching ${this.directory} failed: ${String(error)}`));
  }

  private scheduleReload(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.reload().catch((error: unknown) => this.logger.error(`reloading workflows failed`, (error as Error).stack));
    }, this.debounceMs);
  }
}
