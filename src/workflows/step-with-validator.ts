import { isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import type { RenderMode, TemplateEngine } from '../templates/template-engine';
import type { StepKind } from './workflow.types';
import { MAX_WAIT, parseDuration } from './duration';
import { parseIsoTime } from './iso-time';
import { TemplateChecker, TemplateReference } from './template-checker';
import { MapView, YamlNodeReader } from './yaml-node-reader';

/** Keys allowed under `with` per step kind; `undefined` means any key (`set`). */
export const WITH_KEYS: Readonly<Record<StepKind, readonly string[] | undefined>> = {
  http: ['method', 'url', 'headers', 'query', 'body', 'form', 'sign', 'expect'],
  slack: ['webhook_url', 'token', 'channel', 'text', 'blocks', 'attachments'],
  email: ['to', 'cc', 'bcc', 'from', 'subject', 'text', 'html', 'reply_to'],
  set: undefined,
  delay: ['for', 'until'],
  workflow: ['name', 'event'],
};

/**
 * `with` keys whose templates render other than as typed values: an e-mail address is text,
 * so that an event cannot turn one into a list of recipients; an HTML body escapes what
 * `{{ }}` places in it (`{{{ }}}` opts out).
 */
const WITH_RENDERING: Readonly<Partial<Record<StepKind, Readonly<Record<string, RenderMode>>>>> = {
  email: { to: 'text', cc: 'text', bcc: 'text', reply_to: 'text', from: 'text', html: 'html' },
};

/** How the templates under `with.<key>` of a `kind` step render. */
export function renderModeOf(kind: StepKind, key: string): RenderMode {
  const modes = WITH_RENDERING[kind];
  return modes && Object.hasOwn(modes, key) ? modes[key]! : 'value';
}

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const NAME = /^[a-z0-9_-]{1,64}$/;
const EXPECT = /^([1-5]xx|[1-5]\d\d(-[1-5]\d\d)?)$/;

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
  validate(kind: StepKind, withNode: Node | null | undefined, withKey: Node | undefined, stepAt: Node): StepWithResult {
    if (withNode === undefined && kind === 'set') return { with: {}, references: [] };
    const view =
      withNode === undefined
        ? undefined
        : this.reader.map(withNode, `\`with\` of ${article(kind)} ${kind} step`, WITH_KEYS[kind], withKey);
    if (withNode === undefined || view) this.checkKind(kind, view, view?.at ?? stepAt);
    if (!view) return { with: {}, references: [] };
    const references = view.keys().flatMap((key) => this.templates.checkTree(view.get(key), `\`with.${key}\``, renderModeOf(kind, key)));
    return { with: this.reader.plain(view.node) as Record<string, unknown>, references };
  }

  private checkKind(kind: StepKind, view: MapView | undefined, at: Node): void {
    const fields = new FieldReader(this.reader, this.engine, view, at, kind);
    if (kind === 'http') this.checkHttp(fields);
    if (kind === 'slack') this.checkSlack(fields);
    if (kind === 'email') this.checkEmail(fields);
    if (kind === 'delay') this.checkDelay(fields);
    if (kind === 'workflow') this.checkWorkflow(fields);
  }

  private checkHttp(fields: FieldReader): void {
    const method = fields.string('method');
    if (method !== undefined && !fields.isTemplate(method) && !HTTP_METHODS.includes(method.toUpperCase() as never)) {
      fields.report('method', `\`with.method\` must be one of ${HTTP_METHODS.join(', ')}`);
    }
    const url = fields.require('url') ? fields.string('url') : undefined;
    if (url !== undefined && !fields.isTemplate(url) && !isHttpUrl(url)) {
      fields.report('url', '`with.url` must be an http:// or https:// URL');
    }
    fields.scalarMap('headers', false);
    fields.scalarMap('query', true);
    fields.scalarMap('form', true);
    if (fields.has('body') && fields.has('form')) fields.report('form', '`with.body` and `with.form` cannot be used together');
    const sign = fields.map('sign', ['secret']);
    if (sign && !sign.has('secret')) fields.report('sign', '`with.sign` needs `secret`');
    if (sign?.has('secret')) this.reader.string(sign.get('secret'), '`with.sign.secret`');
    this.checkExpect(fields);
  }

  private checkExpect(fields: FieldReader): void {
    const node = fields.node('expect');
    if (node === undefined) return;
    const items = isSeq(node) ? (this.reader.list(node, '`with.expect`') ?? []) : [node];
    for (const item of items) {
      const value = this.reader.scalar(item);
      const ok =
        (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) ||
        (typeof value === 'string' && EXPECT.test(value));
      if (!ok) this.reader.file.report(item, '`with.expect` must be statuses such as 200, 404, 2xx or 200-299');
    }
  }

  private checkSlack(fields: FieldReader): void {
    ['webhook_url', 'token', 'channel', 'text'].forEach((key) => fields.string(key));
    fields.listOrTemplate('blocks');
    fields.listOrTemplate('attachments');
    const viaWebhook = fields.has('webhook_url');
    const viaApi = fields.has('token') || fields.has('channel');
    if (viaWebhook && viaApi) fields.report('webhook_url', 'use either `with.webhook_url` or `with.token` + `with.channel`, not both');
    else if (!viaWebhook && !viaApi) fields.report(undefined, 'a slack step needs `with.webhook_url` or `with.token` + `with.channel`');
    else if (viaApi && !fields.has('token')) fields.report('channel', '`with.channel` needs `with.token`');
    else if (viaApi && !fields.has('channel')) fields.report('token', '`with.token` needs `with.channel`');
    if (!fields.has('text') && !fields.has('blocks')) fields.report(undefined, 'a slack step needs `with.text` or `with.blocks`');
  }

  private checkEmail(fields: FieldReader): void {
    ['to', 'cc', 'bcc'].forEach((key) => fields.stringOrList(key));
    ['from', 'subject', 'text', 'html', 'reply_to'].forEach((key) => fields.string(key));
    fields.require('to');
    fields.require('subject');
    if (!fields.has('text') && !fields.has('html')) fields.report(undefined, 'an email step needs `with.text` or `with.html`');
  }

  private checkDelay(fields: FieldReader): void {
    if (fields.has('for') === fields.has('until')) {
      fields.report(fields.has('until') ? 'until' : undefined, 'a delay step needs exactly one of `with.for` and `with.until`');
    }
    const duration = fields.string('for');
    if (duration !== undefined && !fields.isTemplate(duration)) {
      const ms = parseDuration(duration);
      if (ms === undefined) fields.report('for', '`with.for` must be a duration such as 500ms, 15s, 5m, 1h or 1d');
      else if (ms > MAX_WAIT.ms) fields.report('for', `\`with.for\` must be at most ${MAX_WAIT.text}`);
    }
    const until = fields.string('until');
    if (until !== undefined && !fields.isTemplate(until) && parseIsoTime(until) === undefined) {
      fields.report('until', '`with.until` must be an ISO 8601 time such as 2030-01-31T09:00:00Z');
    }
  }

  private checkWorkflow(fields: FieldReader): void {
    const name = fields.require('name') ? fields.string('name') : undefined;
    if (name !== undefined && !fields.isTemplate(name) && !NAME.test(name)) {
      fields.report('name', '`with.name` must be a workflow name (lower-case letters, digits, - and _)');
    }
  }
}

/** Field access on one `with` map, reporting problems as `with.<key>`. */
class FieldReader {
  constructor(
    private readonly reader: YamlNodeReader,
    private readonly engine: TemplateEngine,
    private readonly view: MapView | undefined,
    private readonly at: Node,
    private readonly kind: StepKind,
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

  require(key: string): boolean {
    if (!this.has(key)) this.report(undefined, `${article(this.kind)} ${this.kind} step needs \`with.${key}\``);
    return this.has(key);
  }

  string(key: string): string | undefined {
    return this.has(key) ? this.reader.string(this.node(key), `\`with.${key}\``) : undefined;
  }

  map(key: string, allowed?: readonly string[]): MapView | undefined {
    const entry = this.view?.entry(key);
    return entry ? this.reader.map(entry.value, `\`with.${key}\``, allowed, entry.key) : undefined;
  }

  stringOrList(key: string): void {
    const node = this.node(key);
    if (node === undefined) return;
    const items = isSeq(node) ? (this.reader.list(node, `\`with.${key}\``) ?? []) : [node];
    items.forEach((item) => this.reader.string(item, `\`with.${key}\``));
  }

  listOrTemplate(key: string): void {
    const node = this.node(key);
    if (node === undefined || isSeq(node)) return;
    if (!(isScalar(node) && typeof node.value === 'string' && this.isTemplate(node.value))) {
      this.report(key, `\`with.${key}\` must be a list (or a template that renders one)`);
    }
  }

  /** A map whose values are scalars (or, with `lists`, lists of scalars). */
  scalarMap(key: string, lists: boolean): void {
    const view = this.map(key);
    for (const name of view?.keys() ?? []) {
      const value = view?.get(name);
      const items = lists && isSeq(value) ? value.items : [value];
      for (const item of items) {
        if (!isScalar(item)) this.reader.file.report((item as Node | null) ?? view?.entry(name)?.key, `\`with.${key}.${name}\` must be a plain value`);
      }
    }
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function article(kind: StepKind): string {
  return kind === 'http' || kind === 'email' ? 'an' : 'a';
}
