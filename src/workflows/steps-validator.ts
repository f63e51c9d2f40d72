import { isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import type { StepKindDeclaration } from '../connectors/step-kind';
import { findStepKind, stepKindNames } from '../connectors/step-kind-catalog';
import {
  DEFAULT_FOR_EACH_MAX_ITEMS,
  DEFAULT_RETRY,
  ForEachDefinition,
  MAX_FOR_EACH_ITEMS,
  MAX_FOR_EACH_PARALLEL,
  RetryDefinition,
  StepDefinition,
} from './workflow.types';
import { DurationLimit, MAX_STEP_TIMEOUT, MAX_WAIT } from './duration';
import { StepWithValidator } from './step-with-validator';
import { TemplateChecker, TemplateReference } from './template-checker';
import { FORBIDDEN_KEYS } from './workflow-file-parser';
import { MapEntry, MapView, YamlNodeReader } from './yaml-node-reader';

export const MAX_STEPS = 1000;

const STEP_ID = /^[a-z0-9_-]{1,64}$/;
const STEP_KEYS = ['id', 'name', 'uses', 'with', 'if', 'needs', 'timeout', 'retry', 'continue_on_error', 'for_each', 'max_parallel', 'max_items'];
const RETRY_KEYS = ['attempts', 'backoff', 'initial', 'max'];

/** What was read of one step, kept even when it is invalid so ordering rules can still run. */
interface StepDraft {
  label: string;
  id?: string;
  idNode?: Node;
  needs?: Array<{ id: string; node: Node }>;
  needsNode?: Node;
  references: TemplateReference[];
  definition?: StepDefinition;
}

/** Validates a list of steps (`steps:` or `on_failure:`): each step, then ids, `needs` and references between them. */
export class StepsValidator {
  constructor(
    private readonly reader: YamlNodeReader,
    private readonly templates: TemplateChecker,
    private readonly withValidator: StepWithValidator,
  ) {}

  /** `list` names the list in problems; `taken` holds step ids of the other list of the file, which this one may not reuse. */
  validate(entry: MapEntry, list: 'steps' | 'on_failure' = 'steps', taken: ReadonlySet<string> = new Set()): StepDefinition[] {
    const items = this.reader.list(entry.value, `\`${list}\``);
    if (!items) return [];
    if (items.length === 0) {
      this.reader.file.report(entry.value ?? entry.key, list === 'steps' ? 'a workflow needs at least one step' : '`on_failure` needs at least one step');
    }
    if (items.length > MAX_STEPS) {
      this.reader.file.report(entry.key, `\`${list}\` may have at most ${MAX_STEPS} steps`);
      return [];
    }
    const drafts = items.map((item, index) => this.step(item, index));
    for (const draft of drafts) {
      // One id, one node in the console's graph and one row per run: the lists share their ids.
      if (draft.id !== undefined && taken.has(draft.id)) {
        this.reader.file.report(draft.idNode, `step id \`${draft.id}\` is already used in \`steps\` (ids are unique across \`steps\` and \`on_failure\`)`);
      }
    }
    new StepOrder(this.reader, drafts, list).check();
    return drafts.flatMap((draft) => draft.definition ?? []);
  }

  private step(node: Node, index: number): StepDraft {
    const draft: StepDraft = { label: `step ${index + 1}`, references: [] };
    const all = this.reader.map(node, draft.label);
    if (!all) return draft;
    this.readId(all, draft);
    const view = this.reader.onlyKeys(all, STEP_KEYS, draft.label);
    const declaration = this.readUses(view, draft);
    const uses = declaration?.kind;
    const forEach = this.readForEach(view, draft);
    // In a `for_each` step, `item` and `index` are set for `with` and `if`.
    const checkTemplates = <T>(work: () => T): T => (view.has('for_each') ? this.templates.withItem(work) : work());
    const withResult = declaration
      ? checkTemplates(() => this.withValidator.validate(declaration, view.get('with'), view.entry('with')?.key, view.at))
      : undefined;
    draft.references.push(...(withResult?.references ?? []));
    const condition = this.optional(view, 'if', (value) => this.reader.string(value, `\`if\` of ${draft.label}`));
    const ifNode = view.get('if');
    if (condition !== undefined && ifNode) draft.references.push(...checkTemplates(() => this.templates.check(ifNode, condition, '`if`')));
    this.readNeeds(view, draft);
    const definition: Partial<StepDefinition> = {
      id: draft.id,
      name: this.optional(view, 'name', (value) => this.reader.string(value, `\`name\` of ${draft.label}`)),
      uses,
      with: withResult?.with,
      if: condition,
      needs: draft.needs?.map((need) => need.id),
      timeoutMs: this.optional(view, 'timeout', (value) => this.duration(value, '`timeout`', MAX_STEP_TIMEOUT)),
      retry: view.has('retry') ? this.retry(view.entry('retry') as MapEntry) : { ...DEFAULT_RETRY },
      continueOnError:
        this.optional(view, 'continue_on_error', (value) => this.reader.boolean(value, '`continue_on_error`')) ?? false,
      forEach,
      position: this.reader.file.positionOf(view.node),
    };
    if (definition.name === undefined) delete definition.name;
    if (definition.if === undefined) delete definition.if;
    if (definition.needs === undefined) delete definition.needs;
    if (definition.timeoutMs === undefined) delete definition.timeoutMs;
    if (definition.forEach === undefined) delete definition.forEach;
    if (draft.id && uses && definition.with && definition.retry && definition.position) {
      draft.definition = definition as StepDefinition;
    }
    return draft;
  }

  private optional<T>(view: MapView, key: string, read: (value: Node | null) => T | undefined): T | undefined {
    return view.has(key) ? read(view.get(key) ?? null) : undefined;
  }

  private readId(view: MapView, draft: StepDraft): void {
    if (!view.has('id')) {
      this.reader.file.report(view.at, `${draft.label} needs an \`id\``);
      return;
    }
    const node = view.get('id') ?? undefined;
    const id = this.reader.string(node, `\`id\` of ${draft.label}`);
    if (id === undefined) return;
    if (!STEP_ID.test(id)) {
      this.reader.file.report(node, `step id \`${id}\` must be 1 to 64 lower-case letters, digits, - or _`);
    } else if (FORBIDDEN_KEYS.has(id)) {
      // Step ids become keys of `steps` in templates, where these would reach a prototype.
      this.reader.file.report(node, `step id \`${id}\` is reserved`);
    }
    draft.id = id;
    draft.idNode = node;
    draft.label = `step \`${id}\``;
  }

  private readUses(view: MapView, draft: StepDraft): StepKindDeclaration | undefined {
    if (!view.has('uses')) {
      this.reader.file.report(view.at, `${draft.label} needs \`uses\` (one of ${stepKindNames().join(', ')})`);
      return undefined;
    }
    const node = view.get('uses');
    const uses = this.reader.string(node, `\`uses\` of ${draft.label}`);
    if (uses === undefined) return undefined;
    const declaration = findStepKind(uses);
    if (!declaration) this.reader.file.report(node, `unknown step kind \`${uses}\` (expected one of ${stepKindNames().join(', ')})`);
    return declaration;
  }

  private readNeeds(view: MapView, draft: StepDraft): void {
    const node = view.get('needs');
    if (node === undefined) return;
    draft.needsNode = node ?? view.entry('needs')?.key;
    // `needs: label` is accepted as a one-item list, as in GitHub Actions.
    const items = isScalar(node) && node.value !== null ? [node] : this.reader.list(node, '`needs`');
    const needs: Array<{ id: string; node: Node }> = [];
    for (const item of items ?? []) {
      const id = this.reader.string(item, '`needs`');
      if (id !== undefined && !needs.some((need) => need.id === id)) needs.push({ id, node: item });
    }
    draft.needs = needs;
  }

  /**
   * `for_each`: a template whose lone expression gives the list, or a list written out;
   * `max_parallel` and `max_items` are literal numbers, and only go with it.
   */
  private readForEach(view: MapView, draft: StepDraft): ForEachDefinition | undefined {
    if (!view.has('for_each')) {
      for (const key of ['max_parallel', 'max_items']) {
        if (view.has(key)) this.reader.file.report(view.entry(key)?.key, `\`${key}\` only goes with \`for_each\` (${draft.label} has none)`);
      }
      return undefined;
    }
    const node = view.get('for_each');
    const resolved = this.reader.file.resolve(node);
    let items: ForEachDefinition['items'] | undefined;
    if (isSeq(resolved)) {
      draft.references.push(...this.templates.checkTree(resolved, '`for_each`'));
      items = this.reader.plain(resolved) as unknown[];
    } else if (isScalar(resolved) && typeof resolved.value === 'string' && this.templates.isLoneExpression(resolved.value)) {
      draft.references.push(...this.templates.check(resolved, resolved.value, '`for_each`'));
      items = resolved.value;
    } else {
      this.reader.file.report(node ?? view.entry('for_each')?.key, '`for_each` must be a template giving a list, such as "{{event.body.order.items}}", or a list');
    }
    const maxParallel = this.optional(view, 'max_parallel', (value) => this.reader.integer(value, '`max_parallel`', 1, MAX_FOR_EACH_PARALLEL)) ?? 1;
    const maxItems =
      this.optional(view, 'max_items', (value) => this.reader.integer(value, '`max_items`', 1, MAX_FOR_EACH_ITEMS)) ?? DEFAULT_FOR_EACH_MAX_ITEMS;
    return items === undefined ? undefined : { items, maxParallel, maxItems };
  }

  /** Timeouts and retries are never templates: a value from an event cannot stretch them. */
  private duration(node: Node | null, what: string, limit: DurationLimit): number | undefined {
    return this.reader.duration(node, what, limit);
  }

  private retry(entry: MapEntry): RetryDefinition | undefined {
    const view = this.reader.map(entry.value, '`retry`', RETRY_KEYS, entry.key);
    if (!view) return undefined;
    const retry: RetryDefinition = { ...DEFAULT_RETRY };
    const attempts = this.optional(view, 'attempts', (value) => this.reader.integer(value, '`retry.attempts`', 1, 100));
    const backoff = this.optional(view, 'backoff', (value) => this.reader.string(value, '`retry.backoff`'));
    if (backoff !== undefined && backoff !== 'exponential' && backoff !== 'fixed') {
      this.reader.file.report(view.get('backoff'), '`retry.backoff` must be exponential or fixed');
    }
    const initialMs = this.optional(view, 'initial', (value) => this.duration(value, '`retry.initial`', MAX_WAIT));
    const maxMs = this.optional(view, 'max', (value) => this.duration(value, '`retry.max`', MAX_WAIT));
    if (attempts !== undefined) retry.attempts = attempts;
    if (backoff === 'exponential' || backoff === 'fixed') retry.backoff = backoff;
    if (initialMs !== undefined) retry.initialMs = initialMs;
    if (maxMs !== undefined) retry.maxMs = maxMs;
    if (retry.initialMs > retry.maxMs) this.reader.file.report(view.get('initial') ?? view.at, '`retry.initial` must not exceed `retry.max`');
    return retry;
  }
}

/**
 * The ordering rules: unique ids, `needs` naming existing steps without cycles, and
 * `steps.<id>` references only to steps that are sure to have run before.
 */
class StepOrder {
  private readonly indexById = new Map<string, number>();
  private readonly dependencies: number[][];

  constructor(
    private readonly reader: YamlNodeReader,
    private readonly drafts: StepDraft[],
    private readonly list: 'steps' | 'on_failure',
  ) {
    this.indexIds();
    this.dependencies = drafts.map((draft, index) => this.dependenciesOf(draft, index));
  }

  check(): void {
    const ancestors = this.drafts.map((_draft, index) => this.ancestorsOf(index));
    this.reportCycles(ancestors);
    this.drafts.forEach((draft, index) => this.checkReferences(draft, index, ancestors[index]));
  }

  private indexIds(): void {
    this.drafts.forEach((draft, index) => {
      if (draft.id === undefined) return;
      const first = this.indexById.get(draft.id);
      if (first === undefined) this.indexById.set(draft.id, index);
      else this.reader.file.report(draft.idNode, `duplicate step id \`${draft.id}\` (already used by step ${first + 1})`);
    });
  }

  /** A step without `needs` waits for the step above it; `needs: []` waits for the trigger only. */
  private dependenciesOf(draft: StepDraft, index: number): number[] {
    if (draft.needs === undefined) return index === 0 ? [] : [index - 1];
    const found: number[] = [];
    for (const need of draft.needs) {
      const target = this.indexById.get(need.id);
      if (target === undefined) this.reader.file.report(need.node, `\`needs\` names \`${need.id}\`, which is not a step of ${this.list === 'steps' ? 'this workflow' : '`on_failure`'}`);
      else if (target === index) this.reader.file.report(need.node, `${draft.label} cannot need itself`);
      else found.push(target);
    }
    return found;
  }

  private ancestorsOf(index: number): Set<number> {
    const seen = new Set<number>();
    const queue = [...this.dependencies[index]];
    while (queue.length > 0) {
      const next = queue.pop() as number;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...this.dependencies[next]);
    }
    return seen;
  }

  /** One problem per cycle, at the `needs` of its first step in the file that has explicit needs. */
  private reportCycles(ancestors: Array<Set<number>>): void {
    const reported = new Set<number>();
    ancestors.forEach((mine, index) => {
      if (!mine.has(index) || reported.has(index)) return;
      const members = [...mine].filter((other) => ancestors[other].has(index)).sort((a, b) => a - b);
      members.forEach((member) => reported.add(member));
      const at = members.find((member) => this.drafts[member].needsNode !== undefined) ?? index;
      const names = this.cycleFrom(at).map((member) => this.drafts[member].id ?? `step ${member + 1}`);
      this.reader.file.report(this.drafts[at].needsNode, `\`needs\` form a cycle: ${names.join(' → ')}`);
    });
  }

  /** The steps on one cycle through `start`, following needs, ending back at `start`. */
  private cycleFrom(start: number): number[] {
    const cameFrom = new Map<number, number>();
    const queue = [start];
    while (queue.length > 0) {
      const current = queue.shift() as number;
      for (const next of this.dependencies[current]) {
        if (next === start) return [...this.pathTo(current, cameFrom, start), start];
        if (cameFrom.has(next)) continue;
        cameFrom.set(next, current);
        queue.push(next);
      }
    }
    return [start];
  }

  private pathTo(end: number, cameFrom: Map<number, number>, start: number): number[] {
    const path = [end];
    while (path[0] !== start) path.unshift(cameFrom.get(path[0]) as number);
    return path;
  }

  private checkReferences(draft: StepDraft, index: number, before: Set<number>): void {
    for (const { node, path } of draft.references) {
      const [root, id] = path.split('.');
      if (root !== 'steps' || id === undefined) continue;
      const target = this.indexById.get(id);
      if (target === undefined) {
        this.reader.file.report(
          node,
          this.list === 'steps'
            ? `\`steps.${id}\` refers to a step that does not exist`
            : `\`steps.${id}\` refers to a step that is not in \`on_failure\` (failure steps read the failed run through \`failure\`)`,
        );
      } else if (target === index) {
        this.reader.file.report(node, `${draft.label} cannot use its own output (\`steps.${id}\`)`);
      } else if (!before.has(target)) {
        this.reader.file.report(node, `\`steps.${id}\` is not sure to have run before ${draft.label}: add \`${id}\` to its \`needs\``);
      }
    }
  }
}
