import { basename } from 'node:path';
import type { Node } from 'yaml';
import type { TemplateEngine } from '../templates/template-engine';
import { cronProblem } from './cron-expression';
import { MAX_RUN_TIMEOUT } from './duration';
import { RespondValidator } from './respond-validator';
import { SourcesValidation, SourcesValidator } from './sources-validator';
import { StepWithValidator } from './step-with-validator';
import { StepsValidator } from './steps-validator';
import { readsRoot, TemplateChecker } from './template-checker';
import { isValidTimeZone } from './time-zone';
import { ParsedYamlFile } from './workflow-file-parser';
import { revisionOf } from './workflow-revision';
import { GLOBAL_FAILURE_FILES, GLOBAL_FAILURE_WORKFLOW, StepDefinition, TriggerDefinition, WorkflowDefinition } from './workflow.types';
import { MapEntry, MapView, YamlNodeReader } from './yaml-node-reader';

const WORKFLOW_NAME = /^[a-z0-9_-]{1,64}$/;
const WORKFLOW_KEYS = ['name', 'description', 'on', 'concurrency', 'timeout', 'steps', 'on_failure', 'output'];
const GLOBAL_FAILURE_KEYS = ['name', 'description', 'on_failure'];
const ON_KEYS = ['webhook', 'event', 'if', 'schedule', 'timezone', 'respond'];

export interface WorkflowValidationContext {
  /** Sources that `on.webhook` may name. */
  sourceNames: ReadonlySet<string>;
  /** Workflow names taken by files checked before this one (name → file); this file's name is added. */
  claimedNames?: Map<string, string>;
}

/**
 * Checks workflow and sources files for structure and meaning. Every problem lands in the
 * file's `problems` with its line and column; a definition comes back only when there are none.
 */
export class WorkflowValidator {
  private readonly sourcesValidator: SourcesValidator;

  constructor(private readonly engine: TemplateEngine) {
    this.sourcesValidator = new SourcesValidator(engine);
  }

  /** `file` is the name the definition carries (relative to the workflows folder). */
  validateSources(parsed: ParsedYamlFile, file: string): SourcesValidation {
    return this.sourcesValidator.validate(parsed, file);
  }

  validateWorkflow(parsed: ParsedYamlFile, file: string, context: WorkflowValidationContext): WorkflowDefinition | undefined {
    if (parsed.root === undefined) return undefined;
    if (parsed.root === null) {
      parsed.report(undefined, 'the file is empty: a workflow needs `name`, `on` and `steps`');
      return undefined;
    }
    const check = new WorkflowFileCheck(parsed, this.engine, context);
    if (GLOBAL_FAILURE_FILES.includes(basename(file))) return this.validateGlobalFailureHandler(parsed, file, check);
    const top = check.reader.map(parsed.root, 'the workflow', WORKFLOW_KEYS);
    if (!top) return undefined;
    const name = check.name(top);
    const description = top.has('description') ? check.reader.string(top.get('description'), '`description`') : undefined;
    const on = check.trigger(top);
    const concurrency = check.concurrency(top);
    const timeoutMs = top.has('timeout') ? check.reader.duration(top.get('timeout'), '`timeout`', MAX_RUN_TIMEOUT) : undefined;
    const steps = check.steps(top);
    const onFailure = top.has('on_failure') ? check.failureSteps(top, steps) : [];
    const output = top.has('output') ? check.output(top, steps) : undefined;
    if (parsed.problems.length > 0 || name === undefined || on === undefined) return undefined;
    return {
      name,
      ...(description !== undefined && { description }),
      file,
      version: revisionOf(parsed.text),
      yaml: parsed.text,
      on,
      ...(concurrency !== undefined && { concurrency }),
      ...(timeoutMs !== undefined && { timeoutMs }),
      steps,
      onFailure,
      ...(output !== undefined && { output }),
    };
  }

  /**
   * `on-failure.yaml`: only `on_failure:` steps (and a description), which handle the failed
   * runs of every workflow without its own. It loads as the workflow `on-failure` with no
   * trigger and no `steps`, so that its versions, runs and graph go where every workflow's go.
   */
  private validateGlobalFailureHandler(parsed: ParsedYamlFile, file: string, check: WorkflowFileCheck): WorkflowDefinition | undefined {
    const all = check.reader.map(parsed.root, basename(file));
    if (!all) return undefined;
    for (const key of ['on', 'steps', 'concurrency']) {
      const entry = all.entry(key);
      if (entry) {
        parsed.report(entry.key, `\`${key}\` has no place in ${basename(file)}: it holds only \`on_failure\` steps, run when a workflow without its own fails`);
      }
    }
    const top = check.reader.onlyKeys(all, [...GLOBAL_FAILURE_KEYS, 'on', 'steps', 'concurrency'], basename(file));
    if (top.has('name')) {
      const name = check.reader.string(top.get('name'), '`name`');
      if (name !== undefined && name !== GLOBAL_FAILURE_WORKFLOW) {
        parsed.report(top.get('name'), `the name of ${basename(file)} is \`${GLOBAL_FAILURE_WORKFLOW}\` (or leave \`name\` out)`);
      }
    }
    check.claimName(GLOBAL_FAILURE_WORKFLOW, top.get('name') ?? top.at);
    const description = top.has('description') ? check.reader.string(top.get('description'), '`description`') : undefined;
    if (!top.has('on_failure')) parsed.report(top.at, `${basename(file)} needs \`on_failure\`: the steps to run when a workflow without its own fails`);
    const onFailure = top.has('on_failure') ? check.failureSteps(top, []) : [];
    if (parsed.problems.length > 0) return undefined;
    return {
      name: GLOBAL_FAILURE_WORKFLOW,
      ...(description !== undefined && { description }),
      file,
      version: revisionOf(parsed.text),
      yaml: parsed.text,
      on: {},
      steps: [],
      onFailure,
    };
  }
}

/** The checks of one workflow file, sharing its reader and template checker. */
class WorkflowFileCheck {
  readonly reader: YamlNodeReader;
  private readonly templates: TemplateChecker;

  constructor(
    private readonly parsed: ParsedYamlFile,
    private readonly engine: TemplateEngine,
    private readonly context: WorkflowValidationContext,
  ) {
    this.reader = new YamlNodeReader(parsed);
    this.templates = new TemplateChecker(engine, parsed);
  }

  name(top: MapView): string | undefined {
    if (!top.has('name')) {
      this.parsed.report(top.at, 'a workflow needs a `name`');
      return undefined;
    }
    const node = top.get('name');
    const name = this.reader.string(node, '`name`');
    if (name === undefined) return undefined;
    if (!WORKFLOW_NAME.test(name)) {
      this.parsed.report(node, `workflow name \`${name}\` must be 1 to 64 lower-case letters, digits, - or _`);
    }
    if (name === GLOBAL_FAILURE_WORKFLOW) {
      this.parsed.report(node, `workflow name \`${name}\` is reserved for ${GLOBAL_FAILURE_FILES[0]}, the failure steps of every workflow without its own`);
      return name;
    }
    this.claimName(name, node);
    return name;
  }

  claimName(name: string, node: Node | null | undefined): void {
    const claimed = this.context.claimedNames;
    const owner = claimed?.get(name);
    if (owner !== undefined) this.parsed.report(node, `workflow name \`${name}\` is already used by ${owner}`);
    else claimed?.set(name, this.parsed.file);
  }

  trigger(top: MapView): TriggerDefinition | undefined {
    const entry = top.entry('on');
    if (!entry) {
      this.parsed.report(top.at, 'a workflow needs `on` (a `webhook` source or a `schedule`)');
      return undefined;
    }
    const view = this.reader.map(entry.value, '`on`', ON_KEYS, entry.key);
    if (!view) return undefined;
    const text = (key: string) => (view.has(key) ? this.reader.string(view.get(key), `\`on.${key}\``) : undefined);
    const trigger: TriggerDefinition = {};
    const [webhook, event, condition, schedule, timezone] = ['webhook', 'event', 'if', 'schedule', 'timezone'].map(text);
    if (webhook !== undefined) trigger.webhook = this.webhook(view, webhook);
    if (event !== undefined) trigger.event = this.needs(view, 'event', 'webhook', event);
    if (condition !== undefined) trigger.if = this.ingestTemplate(view.get('if'), condition, '`on.if`');
    if (schedule !== undefined) trigger.schedule = this.schedule(view, schedule);
    if (timezone !== undefined) trigger.timezone = this.timezone(view, timezone);
    const respond = view.entry('respond');
    if (respond) {
      this.needs(view, 'respond', 'webhook', '');
      trigger.respond = new RespondValidator(this.reader, this.templates).read(respond, '`on.respond`');
      if (trigger.respond === undefined) delete trigger.respond;
    }
    if (!view.has('webhook') && !view.has('schedule')) this.parsed.report(view.at, '`on` needs `webhook` or `schedule`');
    return trigger;
  }

  concurrency(top: MapView): { key: string } | undefined {
    const entry = top.entry('concurrency');
    if (!entry) return undefined;
    const view = this.reader.map(entry.value, '`concurrency`', ['key'], entry.key);
    if (!view) return undefined;
    if (!view.has('key')) {
      this.parsed.report(view.at, '`concurrency` needs a `key`');
      return undefined;
    }
    const key = this.reader.string(view.get('key'), '`concurrency.key`');
    return key === undefined ? undefined : { key: this.ingestTemplate(view.get('key'), key, '`concurrency.key`', true) };
  }

  steps(top: MapView): StepDefinition[] {
    const entry = top.entry('steps');
    if (!entry) {
      this.parsed.report(top.at, 'a workflow needs `steps`');
      return [];
    }
    const withValidator = new StepWithValidator(this.reader, this.templates, this.engine);
    return new StepsValidator(this.reader, this.templates, withValidator).validate(entry);
  }

  /** `on_failure:`: steps like `steps:`, whose templates may read `failure` too. */
  failureSteps(top: MapView, steps: StepDefinition[]): StepDefinition[] {
    const entry = top.entry('on_failure') as MapEntry;
    const templates = this.templates.forFailureSteps();
    const withValidator = new StepWithValidator(this.reader, templates, this.engine);
    return new StepsValidator(this.reader, templates, withValidator).validate(entry, 'on_failure', new Set(steps.map((step) => step.id)));
  }

  /**
   * `output:`: what a succeeded run answers a parent that waits for it, rendered once every
   * step is final, so it may read any step (a skipped one's output is missing, like a path).
   */
  output(top: MapView, steps: StepDefinition[]): unknown {
    const entry = top.entry('output') as MapEntry;
    const ids = new Set(steps.map((step) => step.id));
    for (const { node, path } of this.templates.checkTree(entry.value, '`output`')) {
      const [root, id] = path.split('.');
      if (root === 'failure') continue;
      if (root === 'steps' && id !== undefined && !ids.has(id)) this.parsed.report(node, `\`output\`: \`steps.${id}\` refers to a step that does not exist`);
    }
    return this.reader.plain(entry.value) ?? null;
  }

  private webhook(view: MapView, webhook: string): string {
    if (!this.context.sourceNames.has(webhook)) {
      this.parsed.report(view.get('webhook'), `unknown source \`${webhook}\` (not declared in sources.yaml)`);
    }
    return webhook;
  }

  private needs(view: MapView, key: string, other: string, value: string): string {
    if (!view.has(other)) this.parsed.report(view.entry(key)?.key, `\`on.${key}\` needs \`on.${other}\``);
    return value;
  }

  private schedule(view: MapView, schedule: string): string {
    const problem = cronProblem(schedule);
    if (problem) this.parsed.report(view.get('schedule'), `\`on.schedule\` ${problem}`);
    return schedule;
  }

  private timezone(view: MapView, timezone: string): string {
    this.needs(view, 'timezone', 'schedule', timezone);
    if (!isValidTimeZone(timezone)) {
      this.parsed.report(view.get('timezone'), `unknown time zone \`${timezone}\` (use an IANA name such as Europe/Berlin)`);
    }
    return timezone;
  }

  /** Templates evaluated when the event arrives, before any step has run. */
  private ingestTemplate(node: Node | null | undefined, text: string, what: string, stored = false): string {
    const references = node ? this.templates.check(node, text, what) : [];
    if (references.some((reference) => readsRoot(reference, 'steps'))) {
      this.parsed.report(node, `${what} is evaluated before any step runs and cannot use \`steps\``);
    }
    if (stored && references.some((reference) => readsRoot(reference, 'secrets'))) {
      this.parsed.report(node, `${what} is stored with each run and cannot use \`secrets\``);
    }
    return text;
  }
}
