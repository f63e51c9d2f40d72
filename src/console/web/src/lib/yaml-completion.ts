/*
 * What the workflow editor offers at a position of the YAML: keys where a key goes, step
 * kinds after `uses:`, `with` fields from the kind's schema, step ids in `needs`, and inside
 * `{{ }}` the paths a template can read (a sample event's body, earlier steps' outputs,
 * secret names) and the helpers. Plain functions of the text, the offset and the context,
 * so that the editor only turns the answer into CodeMirror's.
 */
import type { Catalog, CatalogStepKind } from '../api/types';
import {
  ancestors,
  commentStart,
  DocumentStep,
  documentSteps,
  mappingKeys,
  mappingStart,
  OutlineLine,
  outline,
  PathSegment,
  readLine,
  stepAt,
} from './yaml-outline';

export interface YamlCompletionContext {
  catalog: Catalog;
  /** Ids of the steps in the document. */
  stepIds: string[];
  /** A stored event, for `event.body.…` and `event.headers.…`. */
  sampleEvent?: { body: unknown; headers?: Record<string, unknown>; type?: string | null; source?: string };
  /** Names of secrets (never values). */
  secretNames: string[];
  /** A step id → an example of its output; the kind's `output_schema` is read when a step has none. */
  stepOutputs?: Record<string, unknown>;
}

export interface YamlCompletionOption {
  label: string;
  /** Shown beside the label: a type, a signature, a kind's title. */
  detail?: string;
  /** Shown beside the list for the selected option. */
  info?: string;
  /** Inserted instead of the label. */
  apply?: string;
  /** CodeMirror's icon class: property, keyword, class, function, variable, constant, enum. */
  type: string;
  boost?: number;
}

export interface YamlCompletions {
  /** The text from `from` to the offset is what the options complete. */
  from: number;
  options: YamlCompletionOption[];
  /** While the typed text keeps matching, the options stay the same. */
  validFor: RegExp;
}

interface KeySpec {
  key: string;
  info: string;
  /** What follows the key: a value on the same line, a nested mapping, or a list. */
  shape?: 'map' | 'list';
}

// The validator's lists (src/workflows/workflow-validator.ts, steps-validator.ts) with the words of docs/workflows.md.
const WORKFLOW_KEYS: KeySpec[] = [
  { key: 'name', info: 'The workflow name: lower case letters, digits, - and _ (at most 64).' },
  { key: 'description', info: 'What the workflow does, shown in the console.' },
  { key: 'on', info: 'The trigger: a webhook source and event type, and/or a schedule.', shape: 'map' },
  { key: 'concurrency', info: 'Runs with the same key run one at a time, in arrival order.', shape: 'map' },
  { key: 'timeout', info: 'A run not finished this long after it was created is cancelled: 30s, 10m, 2h, 1d (at most 365d).' },
  { key: 'steps', info: 'The steps, in order.', shape: 'list' },
  {
    key: 'on_failure',
    info: 'Steps run as a run of their own when a run fails (after its retries); they read failure.run_id, .workflow, .step, .error, .attempts. Without them, workflows/on-failure.yaml handles the failure.',
    shape: 'list',
  },
  {
    key: 'output',
    info: 'What a succeeded run answers a parent waiting for it (workflow step with wait: true): a template, map or list over event and steps.<id>.output.',
  },
];
const ON_KEYS: KeySpec[] = [
  { key: 'webhook', info: 'A source from sources.yaml.' },
  { key: 'event', info: 'The event type: exact, or a glob (order.*); omit for all.' },
  { key: 'if', info: 'A template evaluated at ingest; a falsy result or a missing path is no match.' },
  { key: 'schedule', info: 'A five-field cron expression, instead of or beside webhook.' },
  { key: 'timezone', info: 'The time zone of the schedule (UTC by default).' },
  {
    key: 'respond',
    info: "The webhook's HTTP answer instead of 202 JSON, from the event only: status (200-299), headers, body (a map is sent as JSON). The source's respond wins.",
    shape: 'map',
  },
];
const RESPOND_KEYS: KeySpec[] = [
  { key: 'status', info: 'The status answered: 200 to 299 (default 200).' },
  { key: 'headers', info: 'Answer headers; values are templates over the event.', shape: 'map' },
  { key: 'body', info: 'A map or list (sent as JSON) or a string (sent as text unless headers set content-type); templates over the event.' },
];
const CONCURRENCY_KEYS: KeySpec[] = [{ key: 'key', info: 'A template; runs with the same key run one at a time, in arrival order.' }];
const STEP_KEYS: KeySpec[] = [
  { key: 'id', info: 'The step id, unique in the workflow; later steps read its output as steps.<id>.output.' },
  { key: 'name', info: 'A name for people.' },
  { key: 'uses', info: 'The step kind.' },
  { key: 'with', info: "The step's input, as its kind describes it.", shape: 'map' },
  { key: 'if', info: 'A template; a falsy result or a missing path skips the step.' },
  { key: 'needs', info: 'Steps this one waits for; without it, the step above. [] starts right after the trigger.' },
  { key: 'timeout', info: 'How long an attempt may take: 500ms, 15s, 5m, 1h (default 30s, at most 1d).' },
  { key: 'retry', info: 'attempts (6), backoff (exponential or fixed), initial (2s) and max (1h).', shape: 'map' },
  { key: 'continue_on_error', info: 'When true, a failure of this step does not fail the run.' },
  {
    key: 'for_each',
    info: 'Runs the step once per item of a list: a template such as "{{event.body.order.items}}", or a list. Its templates read item and index; its output is the list of the items\' outputs.',
  },
  { key: 'max_parallel', info: 'With for_each: how many items run at once (default 1: one after another, in order).' },
  { key: 'max_items', info: 'With for_each: more items than this fail the step before anything is sent (default 1000, at most 10000).' },
];
const RETRY_KEYS: KeySpec[] = [
  { key: 'attempts', info: 'How many attempts in all (default 6).' },
  { key: 'backoff', info: 'exponential (the default) or fixed.' },
  { key: 'initial', info: 'The first wait (default 2s).' },
  { key: 'max', info: 'The longest wait (default 1h).' },
];
const KEYS_BY_PATH: Record<string, KeySpec[]> = {
  '': WORKFLOW_KEYS,
  on: ON_KEYS,
  'on.respond': RESPOND_KEYS,
  concurrency: CONCURRENCY_KEYS,
  'steps.-': STEP_KEYS,
  'steps.-.retry': RETRY_KEYS,
  'on_failure.-': STEP_KEYS,
  'on_failure.-.retry': RETRY_KEYS,
};
const VALUES_BY_PATH: Record<string, string[]> = {
  'steps.-.continue_on_error': ['true', 'false'],
  'steps.-.retry.backoff': ['exponential', 'fixed'],
  'on_failure.-.continue_on_error': ['true', 'false'],
  'on_failure.-.retry.backoff': ['exponential', 'fixed'],
};

const TEMPLATE_ROOTS: YamlCompletionOption[] = [
  { label: 'event', type: 'variable', info: 'The event: id, source, type, received_at, headers, query, body.' },
  { label: 'steps', type: 'variable', info: 'Outputs of earlier steps: steps.<id>.output.' },
  { label: 'secrets', type: 'variable', info: 'secrets.NAME: an environment variable of the server; never stored or shown.' },
  { label: 'run', type: 'variable', info: 'The run: id, attempt.' },
  { label: 'workflow', type: 'variable', info: 'The workflow: name.' },
  { label: 'failure', type: 'variable', info: 'In on_failure steps only: the failed run — run_id, workflow, step, error, attempts.' },
];
const ITEM_ROOTS: YamlCompletionOption[] = [
  { label: 'item', type: 'variable', info: 'In a for_each step: the current item of the list.' },
  { label: 'index', type: 'variable', info: 'In a for_each step: the position of the current item, from 0.' },
];
const EVENT_FIELDS: Record<string, string> = {
  id: 'The event id.',
  source: 'The source it came in through.',
  type: 'The event type.',
  received_at: 'When it was received (ISO time).',
  headers: 'Request headers, lower-case names.',
  query: 'The query string.',
  body: 'The body: parsed JSON or a url-encoded form.',
};
const FIXED_FIELDS: Record<string, Record<string, string>> = {
  run: { id: 'The run id.', attempt: 'The attempt of the current step, from 1.' },
  workflow: { name: 'The workflow name.' },
};

const WORD = /^[\w-]*$/;
const PATH_SEGMENT = /^[\w$-]*$/;

/** The options at `offset` of `text`, or null where there is nothing to offer. */
export function yamlCompletions(text: string, offset: number, context: YamlCompletionContext): YamlCompletions | null {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  if (commentStart(before) >= 0) return null;
  const lines = outline(text);
  const template = openTemplate(before);
  if (template !== null) return templateCompletions(template, offset, context, documentSteps(text, lines), stepAt(text, offset, lines));

  const lineIndex = text.slice(0, lineStart).split('\n').length - 1;
  const current = readLine(before);
  // The column where the cursor's own mapping starts: after the line's dashes, or where the cursor is on an empty line.
  const col = current.blank ? before.length : current.keyCol;
  const path = ancestors(lines, lineIndex, current.dashes[0] ?? col);
  current.dashes.forEach((_, index) => path.push({ name: '-', line: lineIndex, col: current.dashes[index + 1] ?? col }));
  const at = { text, lines, lineIndex, path, context, offset };
  if (current.key !== null) return valueCompletions(at, current.key, before.slice(before.indexOf(':', current.keyCol) + 1));
  const partial = current.blank ? '' : current.value;
  if (!WORD.test(partial)) return null;
  // A bare word under a key whose value is a list (`needs:` then `- a`) is a value, not a key.
  if (current.dashes.length > 0) {
    const values = listValues(at, path);
    if (values) return { from: offset - partial.length, options: values, validFor: WORD };
  }
  return keyCompletions(at, col, partial);
}

interface Position {
  text: string;
  lines: OutlineLine[];
  lineIndex: number;
  /** The mapping or list the position is in. */
  path: PathSegment[];
  context: YamlCompletionContext;
  offset: number;
}

function pathName(path: PathSegment[]): string {
  return path.map((segment) => segment.name).join('.');
}

function keyCompletions(at: Position, col: number, partial: string): YamlCompletions | null {
  const taken = new Set(mappingKeys(at.lines, mappingStart(at.path), col).keys());
  const options = keyOptions(at, col).filter((option) => !taken.has(option.label) || option.label === partial);
  return options.length ? { from: at.offset - partial.length, options, validFor: WORD } : null;
}

function keyOptions(at: Position, col: number): YamlCompletionOption[] {
  const specs = KEYS_BY_PATH[pathName(at.path)];
  if (specs) return specs.map((spec) => keyOption(spec, col));
  const schema = withSchemaAt(at, at.path);
  if (!schema?.properties) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([key, field]) => ({
    label: key,
    type: 'property',
    detail: [typeText(field), required.has(key) ? 'required' : ''].filter(Boolean).join(' · '),
    info: field.description,
    apply: field.default !== undefined ? `${key}: ${yamlScalar(field.default)}` : isMap(field) ? `${key}:\n${' '.repeat(col + 2)}` : `${key}: `,
    boost: required.has(key) ? 1 : 0,
  }));
}

function keyOption(spec: KeySpec, col: number): YamlCompletionOption {
  const indent = ' '.repeat(col + 2);
  const apply = spec.shape === 'map' ? `${spec.key}:\n${indent}` : spec.shape === 'list' ? `${spec.key}:\n${indent}- ` : `${spec.key}: `;
  return { label: spec.key, type: 'property', info: spec.info, apply };
}

function valueCompletions(at: Position, key: string, value: string): YamlCompletions | null {
  const leading = value.length - value.trimStart().length;
  const typed = value.slice(leading);
  const path = [...at.path, { name: key, line: at.lineIndex, col: -1 }];
  if (typed.startsWith('[')) {
    const partial = typed.slice(Math.max(typed.lastIndexOf('['), typed.lastIndexOf(',')) + 1).trimStart();
    const listed = new Set(
      typed
        .slice(1)
        .split(',')
        .map((item) => item.trim()),
    );
    const options = listValues(at, [...path, { name: '-', line: at.lineIndex, col: -1 }])?.filter(
      (option) => !listed.has(option.label) || option.label === partial,
    );
    return options?.length && WORD.test(partial) ? { from: at.offset - partial.length, options, validFor: WORD } : null;
  }
  if (typed.startsWith('{')) return flowMapCompletions(at, path, typed);
  if (!WORD.test(typed)) return null;
  const options = scalarValues(at, path) ?? listValues(at, [...path, { name: '-', line: at.lineIndex, col: -1 }]);
  return options?.length ? { from: at.offset - typed.length, options, validFor: WORD } : null;
}

/** `with: { url: …, me` — keys of the one flow mapping on the line. */
function flowMapCompletions(at: Position, path: PathSegment[], typed: string): YamlCompletions | null {
  const entry = typed.slice(Math.max(typed.lastIndexOf('{'), typed.lastIndexOf(',')) + 1).trimStart();
  const colon = entry.indexOf(':');
  if (colon >= 0) {
    const options = scalarValues(at, [...path, { name: entry.slice(0, colon).trim(), line: at.lineIndex, col: -1 }]);
    const partial = entry.slice(colon + 1).trimStart();
    return options?.length && WORD.test(partial) ? { from: at.offset - partial.length, options, validFor: WORD } : null;
  }
  if (!WORD.test(entry)) return null;
  const taken = new Set([...typed.matchAll(/[{,]\s*([\w-]+)\s*:/g)].map((match) => match[1]));
  const options = keyOptions({ ...at, path }, 0)
    .filter((option) => !taken.has(option.label))
    .map((option) => ({ ...option, apply: `${option.label}: ` }));
  return options.length ? { from: at.offset - entry.length, options, validFor: WORD } : null;
}

/** Values of a scalar key: step kinds after `uses:`, enums and booleans of the schema. */
function scalarValues(at: Position, path: PathSegment[]): YamlCompletionOption[] | null {
  const name = pathName(path);
  if (name === 'steps.-.uses') {
    return at.context.catalog.step_kinds.map((kind) => ({ label: kind.kind, type: 'class', detail: kind.title, info: kind.description }));
  }
  const fixed = VALUES_BY_PATH[name];
  if (fixed) return fixed.map((label) => ({ label, type: 'enum' }));
  const schema = withSchemaAt(at, path);
  if (schema?.enum) return schema.enum.map((value) => ({ label: String(value), type: 'enum', boost: value === schema.default ? 1 : 0 }));
  if (typeList(schema).includes('boolean')) return ['true', 'false'].map((label) => ({ label, type: 'enum' }));
  return null;
}

/** Items of a list: the other steps' ids in `needs`. */
function listValues(at: Position, path: PathSegment[]): YamlCompletionOption[] | null {
  if (pathName(path) !== 'steps.-.needs.-') return null;
  const own = ownStepId(at, path);
  const steps = documentSteps(at.text, at.lines);
  return at.context.stepIds
    .filter((id) => id !== own)
    .map((id) => {
      const step = steps.find((candidate) => candidate.id === id);
      return { label: id, type: 'variable', detail: step?.uses ?? undefined, info: step?.name ?? undefined };
    });
}

function ownStepId(at: Position, path: PathSegment[]): string | null {
  const item = path[1];
  return item ? (documentSteps(at.text, at.lines).find((step) => step.line === item.line + 1)?.id ?? null) : null;
}

// ---------- `with` schemas ----------

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  required?: string[];
}

/** The schema at `path` inside a step's `with` (`steps.-.with.sign`), from the step's `uses`. */
function withSchemaAt(at: Position, path: PathSegment[]): JsonSchema | undefined {
  if (path.length < 3 || (path[0].name !== 'steps' && path[0].name !== 'on_failure') || path[1].name !== '-' || path[2].name !== 'with') return undefined;
  const kind = stepKindOf(at, path[1]);
  let schema = kind?.with_schema as JsonSchema | undefined;
  for (const segment of path.slice(3)) {
    if (!schema) return undefined;
    schema =
      segment.name === '-'
        ? schema.items
        : (schema.properties?.[segment.name] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined));
  }
  return schema;
}

function stepKindOf(at: Position, item: PathSegment): CatalogStepKind | undefined {
  const uses = mappingKeys(at.lines, item.line, item.col).get('uses')?.value;
  return uses ? at.context.catalog.step_kinds.find((kind) => kind.kind === uses.replace(/^["']|["']$/g, '')) : undefined;
}

function typeList(schema: JsonSchema | undefined): string[] {
  if (!schema?.type) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function typeText(schema: JsonSchema): string {
  return typeList(schema).join(' | ');
}

function isMap(schema: JsonSchema): boolean {
  return typeList(schema).length === 1 && schema.type === 'object';
}

function yamlScalar(value: unknown): string {
  if (typeof value === 'string') return /^[\w./-]*$/.test(value) && !/^(true|false|null|yes|no|~|\d.*)$/i.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

// ---------- Templates ----------

/** The expression typed so far when `before` ends inside `{{ … `, else null. */
function openTemplate(before: string): string | null {
  const open = before.lastIndexOf('{{');
  if (open < 0 || before.lastIndexOf('}}') > open) return null;
  return before.slice(open + 2).replace(/^\{/, '');
}

function templateCompletions(
  expression: string,
  offset: number,
  context: YamlCompletionContext,
  steps: DocumentStep[],
  ownStep: string | null,
): YamlCompletions | null {
  const token = /[^\s()=]*$/.exec(expression)![0];
  const firstWord = /^[#/~^]?\s*$/.test(expression.slice(0, expression.length - token.length));
  const segments = token.split('.');
  const partial = segments.pop()!;
  if (!PATH_SEGMENT.test(partial)) return null;
  const forEach = steps.some((step) => step.id !== null && step.id === ownStep && step.forEach);
  const options = segments.length === 0 ? rootOptions(context, firstWord, forEach) : pathOptions(segments, context, steps, ownStep);
  return options.length ? { from: offset - partial.length, options, validFor: PATH_SEGMENT } : null;
}

function rootOptions(context: YamlCompletionContext, firstWord: boolean, forEach: boolean): YamlCompletionOption[] {
  const helpers: YamlCompletionOption[] = firstWord
    ? context.catalog.helpers.map((helper) => ({
        label: helper.name,
        type: 'function',
        detail: helper.signature,
        info: helper.description,
        apply: `${helper.name} `,
      }))
    : [];
  const roots = forEach ? [...ITEM_ROOTS, ...TEMPLATE_ROOTS] : TEMPLATE_ROOTS;
  return [...roots.map((root) => ({ ...root, boost: 1 })), ...helpers];
}

function pathOptions(segments: string[], context: YamlCompletionContext, steps: DocumentStep[], ownStep: string | null): YamlCompletionOption[] {
  const [root, ...rest] = segments;
  if (root === 'event') {
    if (rest.length === 0) return Object.entries(EVENT_FIELDS).map(([label, info]) => ({ label, type: 'property', info }));
    if (rest[0] === 'body') return exampleOptions(walkExample(context.sampleEvent?.body, rest.slice(1)));
    if (rest[0] === 'headers') return exampleOptions(walkExample(context.sampleEvent?.headers, rest.slice(1)));
    return [];
  }
  if (root === 'secrets') return rest.length === 0 ? context.secretNames.map((label) => ({ label, type: 'constant', detail: 'secret' })) : [];
  if (root === 'steps') {
    if (rest.length === 0) return context.stepIds.filter((id) => id !== ownStep).map((label) => ({ label, type: 'variable', detail: 'step' }));
    if (rest.length === 1) return [{ label: 'output', type: 'property', info: `The output of step ${rest[0]}.` }];
    if (rest[1] !== 'output') return [];
    const example = context.stepOutputs?.[rest[0]];
    if (example !== undefined) return exampleOptions(walkExample(example, rest.slice(2)));
    const uses = steps.find((step) => step.id === rest[0])?.uses;
    const kind = context.catalog.step_kinds.find((candidate) => candidate.kind === uses);
    return schemaOptions(walkSchema(kind?.output_schema, rest.slice(2)));
  }
  const fixed = FIXED_FIELDS[root];
  return fixed && rest.length === 0 ? Object.entries(fixed).map(([label, info]) => ({ label, type: 'property', info })) : [];
}

function walkExample(value: unknown, path: string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = segment.replace(/^\[(.*)\]$/, '$1');
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const HANDLEBARS_ID = /^[^\s!"#%-,./;->@[-^`{-~]+$/;

function exampleOptions(value: unknown): YamlCompletionOption[] {
  if (value === null || typeof value !== 'object') return [];
  const keys = Array.isArray(value) ? value.slice(0, 10).map((_, index) => String(index)) : Object.keys(value);
  return keys.map((key) => {
    const child = (value as Record<string, unknown>)[key];
    return { label: key, type: 'property', detail: preview(child), apply: HANDLEBARS_ID.test(key) ? key : `[${key}]` };
  });
}

function preview(value: unknown): string {
  if (Array.isArray(value)) return `list of ${value.length}`;
  if (value !== null && typeof value === 'object') return '{…}';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function walkSchema(schema: JsonSchema | undefined, path: string[]): JsonSchema | undefined {
  let current = schema;
  for (const segment of path) {
    if (!current) return undefined;
    current = /^\d+$/.test(segment) ? current.items : current.properties?.[segment];
  }
  return current;
}

function schemaOptions(schema: JsonSchema | undefined): YamlCompletionOption[] {
  return Object.entries(schema?.properties ?? {}).map(([label, field]) => ({ label, type: 'property', detail: typeText(field), info: field.description }));
}
