import type { Type } from '@nestjs/common';
import type { RenderMode } from '../templates/template-engine';
import type { Connector, PlannedRequest } from './connector';

type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/**
 * The subset of JSON Schema that step kinds use to describe their `with` and their output.
 * A `with` value may be a template (`{{ }}`) wherever the schema names a type: the type is
 * what the template should render.
 */
export interface JsonSchema {
  type?: JsonType | readonly JsonType[];
  description?: string;
  default?: unknown;
  enum?: readonly unknown[];
  examples?: readonly unknown[];
  format?: string;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: readonly JsonSchema[];
  anyOf?: readonly JsonSchema[];
}

/** A YAML node of a workflow file, as the validation rules of a kind see it: opaque, only passed back. */
export type YamlNodeRef = object | null;

/**
 * Reads one step's `with:` map while the workflow file is validated, reporting problems with
 * the file's line and column (at the key's value, or at the `with` block when it is absent).
 */
export interface StepWithFields {
  has(key: string): boolean;
  /** Whether `text` holds `{{ }}`: a template's value is only known when the step runs. */
  isTemplate(text: string): boolean;
  report(key: string | undefined, message: string): void;
  /** Reports "a <kind> step needs `with.<key>`" when the key is absent. */
  require(key: string): boolean;
  /** The key's text, or undefined (reported) when it is not a string. */
  string(key: string): string | undefined;
  /** A map under `key` whose keys are limited to `allowed`; `string(sub)` reads its values. */
  map(key: string, allowed?: readonly string[]): { has(key: string): boolean; string(key: string): string | undefined } | undefined;
  /** One string or a list of strings. */
  stringOrList(key: string): void;
  /** A list, or a template that renders one. */
  listOrTemplate(key: string): void;
  /** A map whose values are scalars (or, with `lists`, lists of scalars). */
  scalarMap(key: string, lists: boolean): void;
  /** One scalar or a list of scalars, each with its own node so a problem points at the item. */
  scalars(key: string): Array<{ value: unknown; at: YamlNodeRef }>;
  reportAt(at: YamlNodeRef, message: string): void;
}

/**
 * Everything about one step kind, in its own `<kind>.step-kind.ts` file. All but `connector`
 * is static, so `hookflow validate` and the catalog read it without starting the application.
 */
export interface StepKindDeclaration {
  /** What `uses:` names. */
  kind: string;
  /** `a` or `an`, for messages such as "an http step needs `with.url`". */
  article: 'a' | 'an';
  title: string;
  /** An icon name the console draws (it falls back to a neutral icon for names it does not know). */
  icon: string;
  description: string;
  /** Where the kind stands in lists: the validator's "one of …", the catalog, the editor's palette. */
  order: number;
  /** The `with:` map. Its properties are the keys a workflow may write (any key when `additionalProperties` is true). */
  withSchema: JsonSchema;
  outputSchema: JsonSchema;
  /**
   * Whether an attempt reaches another system. The start of such an attempt is recorded
   * before it ends, so that it counts even if the process dies during it.
   */
  hasEffects: boolean;
  /** Rules beyond the schema's keys, checked when the workflow file loads. */
  validate(fields: StepWithFields): void;
  /** `with` keys whose templates render other than as typed values (`text`, `html`). */
  renderModes?: Readonly<Record<string, RenderMode>>;
  /** The lines `hookflow run --dry-run` prints under the step for its plan. */
  describePlan(plan: PlannedRequest): string;
  /** The Nest provider that executes and plans steps of this kind. */
  connector: Type<Connector>;
}

const DECLARED = Symbol('step kind declaration');

/** Marks the declaration so that discovery can find it among a kind file's exports. */
export function declareStepKind(declaration: StepKindDeclaration): StepKindDeclaration {
  return Object.assign(declaration, { [DECLARED]: true });
}

export function isStepKindDeclaration(value: unknown): value is StepKindDeclaration {
  return typeof value === 'object' && value !== null && DECLARED in value;
}

/** The keys a `with:` may have; undefined means any key. */
export function withKeysOf(declaration: StepKindDeclaration): readonly string[] | undefined {
  if (declaration.withSchema.additionalProperties !== undefined && declaration.withSchema.additionalProperties !== false) return undefined;
  return Object.keys(declaration.withSchema.properties ?? {});
}
