import { isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import type { RenderMode, TemplateEngine } from '../templates/template-engine';
import type { StepKindDeclaration, StepWithFields, YamlNodeRef } from '../connectors/step-kind';
import { withKeysOf } from '../connectors/step-kind';
import { findStepKind } from '../connectors/step-kind-catalog';
import { TemplateChecker, TemplateReference } from './template-checker';
import { MapView, YamlNodeReader } from './yaml-node-reader';

/** How the templates under `with.<key>` of a `kind` step render. */
export function renderModeOf(kind: string, key: string): RenderMode {
  const modes = findStepKind(kind)?.renderModes;
  return modes && Object.hasOwn(modes, key) ? modes[key] : 'value';
}

export interface StepWithResult {
  with: Record<string, unknown>;
  references: TemplateReference[];
}

/** Validates the `with:` block of one step against the rules of its kind. */
export class StepWithValidator {
  constructor(
    private readonly reader: YamlNodeReader,
    private readonly templates: TemplateChecker,
    private readonly engine: TemplateEngine,
  ) {}

  /** `stepAt` is where "missing field" problems point when the step has no `with` at all. */
  validate(declaration: StepKindDeclaration, withNode: Node | null | undefined, withKey: Node | undefined, stepAt: Node): StepWithResult {
    const { kind, article } = declaration;
    const view = withNode === undefined ? undefined : this.reader.map(withNode, `\`with\` of ${article} ${kind} step`, withKeysOf(declaration), withKey);
    if (withNode === undefined || view) declaration.validate(new FieldReader(this.reader, this.engine, view, view?.at ?? stepAt, declaration));
    if (!view) return { with: {}, references: [] };
    const references = view.keys().flatMap((key) => this.templates.checkTree(view.get(key), `\`with.${key}\``, renderModeOf(kind, key)));
    return { with: this.reader.plain(view.node) as Record<string, unknown>, references };
  }
}

/** Field access on one `with` map, reporting problems as `with.<key>`. */
class FieldReader implements StepWithFields {
  constructor(
    private readonly reader: YamlNodeReader,
    private readonly engine: TemplateEngine,
    private readonly view: MapView | undefined,
    private readonly at: Node,
    private readonly declaration: Pick<StepKindDeclaration, 'kind' | 'article'>,
    private readonly prefix = 'with',
  ) {}

  has(key: string): boolean {
    return this.view?.has(key) ?? false;
  }

  node(key: string): Node | null | undefined {
    return this.view?.get(key);
  }

  isTemplate(text: string): boolean {
    return this.engine.isTemplate(text);
  }

  /** Reports at the key's value, or at the `with` block when the key is absent. */
  report(key: string | undefined, message: string): void {
    const entry = key === undefined ? undefined : this.view?.entry(key);
    this.reader.file.report(entry ? (entry.value ?? entry.key) : this.at, message);
  }

  reportAt(at: YamlNodeRef, message: string): void {
    this.reader.file.report(at as Node, message);
  }

  require(key: string): boolean {
    const { article, kind } = this.declaration;
    if (!this.has(key)) this.report(undefined, `${article} ${kind} step needs \`${this.prefix}.${key}\``);
    return this.has(key);
  }

  string(key: string): string | undefined {
    return this.has(key) ? this.reader.string(this.node(key), `\`${this.prefix}.${key}\``) : undefined;
  }

  map(key: string, allowed?: readonly string[]): FieldReader | undefined {
    const entry = this.view?.entry(key);
    const view = entry ? this.reader.map(entry.value, `\`${this.prefix}.${key}\``, allowed, entry.key) : undefined;
    return view && new FieldReader(this.reader, this.engine, view, view.at, this.declaration, `${this.prefix}.${key}`);
  }

  scalars(key: string): Array<{ value: unknown; at: YamlNodeRef }> {
    const node = this.node(key);
    if (node === undefined) return [];
    const items = isSeq(node) ? (this.reader.list(node, `\`${this.prefix}.${key}\``) ?? []) : [node];
    return items.map((item) => ({ value: this.reader.scalar(item), at: item }));
  }

  stringOrList(key: string): void {
    const node = this.node(key);
    if (node === undefined) return;
    const items = isSeq(node) ? (this.reader.list(node, `\`${this.prefix}.${key}\``) ?? []) : [node];
    items.forEach((item) => this.reader.string(item, `\`${this.prefix}.${key}\``));
  }

  listOrTemplate(key: string): void {
    const node = this.node(key);
    if (node === undefined || isSeq(node)) return;
    if (!(isScalar(node) && typeof node.value === 'string' && this.isTemplate(node.value))) {
      this.report(key, `\`${this.prefix}.${key}\` must be a list (or a template that renders one)`);
    }
  }

  /** A map whose values are scalars (or, with `lists`, lists of scalars). */
  scalarMap(key: string, lists: boolean): void {
    const entry = this.view?.entry(key);
    const view = entry ? this.reader.map(entry.value, `\`${this.prefix}.${key}\``, undefined, entry.key) : undefined;
    for (const name of view?.keys() ?? []) {
      const value = view?.get(name);
      const items = lists && isSeq(value) ? value.items : [value];
      for (const item of items) {
        if (!isScalar(item)) this.reader.file.report((item as Node | null) ?? view?.entry(name)?.key, `\`${this.prefix}.${key}.${name}\` must be a plain value`);
      }
    }
  }
}
