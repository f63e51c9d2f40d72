/** Where something stands in a workflow file: 1-based line and column. */
export interface FilePosition {
  line: number;
  column: number;
}

/** One thing wrong with a workflow file, pointed at its place in the file. */
export interface WorkflowProblem extends FilePosition {
  file: string;
  message: string;
}

/** A verification scheme's name: one of those `src/ingress/verification/scheme-registry.ts` discovers. */
export type VerifyScheme = string;

/** The name of a step kind (`uses:`); the kinds are declared in `src/connectors/*.step-kind.ts`. */
export type StepKind = string;

/** `verify:` of a source in `workflows/sources.yaml`, as written (secrets still templates). */
export interface VerifyDefinition {
  scheme: VerifyScheme;
  /** Template sources, e.g. `{{secrets.SHOP_WEBHOOK_SECRET}}`; several allow rotation. */
  secrets: string[];
  /** The scheme's own options (`header`, `encoding`…), as its declaration reads them. */
  [option: string]: unknown;
}

export interface SourceDefinition {
  name: string;
  file: string;
  position: FilePosition;
  verify: VerifyDefinition;
  /** Template for the event type; unset means the scheme's preset. */
  eventType?: string;
  /** Template for the dedupe key; unset means the scheme's preset (or no dedupe). */
  dedupeKey?: string;
  /** Largest accepted body in bytes (default 1 MiB). */
  bodyLimit: number;
  /** Header and query parameter names (lower case) stored as `[secret]`, besides those that look like credentials. */
  redact: string[];
  /** The HTTP answer to each accepted request, instead of the `202` JSON. */
  respond?: RespondDefinition;
}

/**
 * `respond:` of a source or a trigger: the HTTP answer to a webhook, rendered from the event
 * alone (templates read only `event`) once the event is stored.
 */
export interface RespondDefinition {
  /** 200 to 299: an answer never turns a stored event into an error. */
  status: number;
  /** Header names (lower case) and value templates. */
  headers: Record<string, string>;
  /** A map or list (sent as JSON) or a string (sent as text); strings in it are templates. Unset: no body. */
  body?: unknown;
  position: FilePosition;
}

export interface RetryDefinition {
  attempts: number;
  backoff: 'exponential' | 'fixed';
  initialMs: number;
  maxMs: number;
}

/** Used for every step that does not say otherwise: 6 attempts, exponential from 2 s, capped at 1 h. */
export const DEFAULT_RETRY: Readonly<RetryDefinition> = Object.freeze({
  attempts: 6,
  backoff: 'exponential',
  initialMs: 2_000,
  maxMs: 3_600_000,
});

export interface StepDefinition {
  id: string;
  name?: string;
  uses: StepKind;
  with: Record<string, unknown>;
  if?: string;
  /** Ids of the steps this one waits for; `undefined` means "the step above it in the file". */
  needs?: string[];
  timeoutMs?: number;
  /** Always set by the validator (defaults filled in from `DEFAULT_RETRY`). */
  retry?: RetryDefinition;
  continueOnError: boolean;
  /** Set when the step runs once per item of a list (`for_each`). */
  forEach?: ForEachDefinition;
  position: FilePosition;
}

/** `for_each:` of a step, with `max_parallel` and `max_items`. */
export interface ForEachDefinition {
  /** A template whose lone expression gives a list, or a list written out (its entries may be templates). */
  items: string | unknown[];
  /** Items in flight at once; 1 runs them one after another, in order. */
  maxParallel: number;
  /** More items than this fail the step before anything is sent. */
  maxItems: number;
}

export const DEFAULT_FOR_EACH_MAX_ITEMS = 1_000;
/** The largest `max_items` a workflow may set: each item is a row and its attempts. */
export const MAX_FOR_EACH_ITEMS = 10_000;
/** The largest `max_parallel`. */
export const MAX_FOR_EACH_PARALLEL = 100;

export interface TriggerDefinition {
  webhook?: string;
  /** Exact event type or glob (`order.*`); unset matches every type. */
  event?: string;
  if?: string;
  schedule?: string;
  timezone?: string;
  /** The webhook's answer when this trigger matches and the source declares none. */
  respond?: RespondDefinition;
}

export interface WorkflowDefinition {
  name: string;
  description?: string;
  /** Path of the file, relative to the workflows folder. */
  file: string;
  /** Hash of the file's content: runs remember which version they were created from. */
  version: string;
  /** The file's text, for the console and the API. */
  yaml: string;
  on: TriggerDefinition;
  concurrency?: { key: string };
  /** `timeout:`: a run still unfinished this long after it was created is cancelled. */
  timeoutMs?: number;
  steps: StepDefinition[];
  /** `on_failure:` steps, run as a run of their own when a run of `steps` fails; unset or empty when none. */
  onFailure?: StepDefinition[];
  /** `output:` as written (a template, or a map or list of them): rendered when a run succeeds and stored with it. */
  output?: unknown;
}

/** The file whose `on_failure:` steps handle the failures of every workflow without its own. */
export const GLOBAL_FAILURE_FILES = ['on-failure.yaml', 'on-failure.yml'];

/** The name the global failure handler's runs carry (reserved: no other file may take it). */
export const GLOBAL_FAILURE_WORKFLOW = 'on-failure';
