import bytes from 'bytes';
import { isSeq } from 'yaml';
import type { Node } from 'yaml';
import { schemeNamed, schemeNames, verificationSchemes } from '../ingress/verification/scheme-registry';
import type { SchemeDeclaration, VerifyOptionsInput } from '../ingress/verification/verification-scheme';
import type { TemplateEngine } from '../templates/template-engine';
import { SourceDefinition, VerifyDefinition } from './workflow.types';
import { ParsedYamlFile } from './workflow-file-parser';
import { RespondValidator } from './respond-validator';
import { readsRoot, TemplateChecker } from './template-checker';
import { MapView, YamlNodeReader } from './yaml-node-reader';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const MAX_BODY_LIMIT = 25 * 1024 * 1024;

const SOURCE_NAME = /^[a-z0-9_-]{1,64}$/;
const SOURCE_KEYS = ['verify', 'event_type', 'dedupe_key', 'body_limit', 'redact', 'respond'];
/** A header name's characters (RFC 9110 token); query parameter names in practice use no others. */
const REDACT_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}$/;

export interface SourcesValidation {
  /** Set only when the whole file is valid. */
  sources?: SourceDefinition[];
  /** Every source name the file declares, valid or not, so workflows can still be checked against it. */
  declaredNames: string[];
}

/** Validates `workflows/sources.yaml`. */
export class SourcesValidator {
  constructor(private readonly engine: TemplateEngine) {}

  validate(parsed: ParsedYamlFile, file: string): SourcesValidation {
    if (parsed.root === undefined) return { declaredNames: [] };
    const reader = new YamlNodeReader(parsed);
    const top = reader.map(parsed.root, 'the sources file', ['sources']);
    const sourcesEntry = top?.entry('sources');
    if (top && !sourcesEntry) parsed.report(top.at, 'the sources file needs a `sources:` map');
    const view = sourcesEntry ? reader.map(sourcesEntry.value, '`sources`', undefined, sourcesEntry.key) : undefined;
    const names = view?.keys() ?? [];
    const sources = names.flatMap((name) => this.source(reader, view as MapView, name, file) ?? []);
    return {
      sources: parsed.problems.length === 0 ? sources : undefined,
      declaredNames: names.filter((name) => SOURCE_NAME.test(name)),
    };
  }

  private source(reader: YamlNodeReader, sources: MapView, name: string, file: string): SourceDefinition | undefined {
    const parsed = reader.file;
    const entry = sources.entry(name);
    if (!entry) return undefined;
    if (!SOURCE_NAME.test(name)) {
      parsed.report(entry.key, `source name \`${name}\` must be 1 to 64 lower-case letters, digits, - or _`);
    }
    const view = reader.map(entry.value, `source \`${name}\``, SOURCE_KEYS, entry.key);
    if (!view) return undefined;
    const verify = this.verify(reader, view, name);
    const templates = new TemplateChecker(this.engine, parsed);
    const eventType = this.template(reader, templates, view, 'event_type');
    const dedupeKey = this.template(reader, templates, view, 'dedupe_key');
    const bodyLimit = this.bodyLimit(reader, view.get('body_limit'));
    const redact = this.redact(reader, view.get('redact'));
    const respondEntry = view.entry('respond');
    const respond = respondEntry && new RespondValidator(reader, templates).read(respondEntry, `\`respond\` of source \`${name}\``);
    if (!verify) return undefined;
    const position = parsed.positionOf(entry.key) ?? { line: 1, column: 1 };
    return {
      name,
      file,
      position,
      verify,
      eventType,
      dedupeKey,
      bodyLimit: bodyLimit ?? DEFAULT_BODY_LIMIT,
      redact,
      ...(respond !== undefined && { respond }),
    };
  }

  private verify(reader: YamlNodeReader, source: MapView, name: string): VerifyDefinition | undefined {
    const entry = source.entry('verify');
    if (!entry) {
      reader.file.report(source.at, `source \`${name}\` needs \`verify\` (use \`verify: { scheme: none }\` to accept unsigned requests)`);
      return undefined;
    }
    const view = reader.map(entry.value, '`verify`', ['scheme', ...schemesTaking().keys()], entry.key);
    if (!view) return undefined;
    const scheme = this.scheme(reader, view);
    const secrets = this.secrets(reader, view, scheme);
    const options = scheme ? this.options(reader, view, scheme) : undefined;
    if (!scheme || !secrets) return undefined;
    return { ...options, scheme: scheme.scheme, secrets };
  }

  private scheme(reader: YamlNodeReader, view: MapView): SchemeDeclaration | undefined {
    if (!view.has('scheme')) {
      reader.file.report(view.at, `\`verify\` needs \`scheme\` (one of ${schemeNames().join(', ')})`);
      return undefined;
    }
    const name = reader.string(view.get('scheme'), '`verify.scheme`');
    if (name === undefined) return undefined;
    const scheme = schemeNamed(name);
    if (!scheme) reader.file.report(view.get('scheme'), `unknown verify scheme \`${name}\` (expected one of ${schemeNames().join(', ')})`);
    return scheme;
  }

  private secrets(reader: YamlNodeReader, view: MapView, scheme: SchemeDeclaration | undefined): string[] | undefined {
    const node = view.get('secret');
    if (node === undefined) return scheme && !scheme.optionsSchema.required.includes('secret') ? [] : undefined;
    if (scheme && !Object.hasOwn(scheme.optionsSchema.properties, 'secret')) {
      reader.file.report(view.entry('secret')?.key, `scheme ${scheme.scheme} takes no \`secret\``);
    }
    if (node === null) {
      reader.file.report(view.entry('secret')?.key, '`verify.secret` must be a string or a list of strings');
      return undefined;
    }
    const items = isSeq(node) ? reader.list(node, '`verify.secret`') : [node];
    if (items?.length === 0) reader.file.report(node, '`verify.secret` must not be an empty list');
    const secrets = (items ?? []).map((item) => reader.string(item, '`verify.secret`'));
    const templates = new TemplateChecker(this.engine, reader.file);
    (items ?? []).forEach((item, index) => {
      const secret = secrets[index];
      if (secret !== undefined) templates.check(item, secret, '`verify.secret`');
    });
    return secrets.every((secret) => secret !== undefined) ? (secrets) : undefined;
  }

  /** The scheme's own options, read by its declaration; a required option missing or another scheme's option is a problem. */
  private options(reader: YamlNodeReader, view: MapView, scheme: SchemeDeclaration): Record<string, unknown> {
    for (const key of scheme.optionsSchema.required) {
      if (!view.has(key)) reader.file.report(view.at, `\`verify\` with scheme ${scheme.scheme} needs \`${key}\``);
    }
    for (const key of view.keys()) {
      const takenBy = schemesTaking().get(key);
      if (key === 'secret' || !takenBy || Object.hasOwn(scheme.optionsSchema.properties, key)) continue;
      reader.file.report(view.entry(key)?.key, `\`verify.${key}\` only applies to scheme ${takenBy.join(' or ')}`);
    }
    const input: VerifyOptionsInput = {
      string: (option) => (view.has(option) ? reader.string(view.get(option), `\`verify.${option}\``) : undefined),
      oneOf: <T extends string>(option: string, allowed: readonly T[]) => {
        const value = input.string(option);
        if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
        reader.file.report(view.get(option), `\`verify.${option}\` must be ${allowed.join(' or ')}`);
        return undefined;
      },
    };
    const options = Object.entries(scheme.readOptions(input));
    return Object.fromEntries(options.filter(([, value]) => value !== undefined));
  }

  private template(reader: YamlNodeReader, templates: TemplateChecker, view: MapView, key: string): string | undefined {
    const node = view.get(key);
    if (node === undefined) return undefined;
    const text = reader.string(node, `\`${key}\``);
    if (text === undefined) return undefined;
    const references = templates.check(node as Node, text, `\`${key}\``);
    if (references.some((reference) => readsRoot(reference, 'steps'))) {
      reader.file.report(node, `\`${key}\` is evaluated at ingest and cannot use \`steps\``);
    }
    if (references.some((reference) => readsRoot(reference, 'secrets'))) {
      reader.file.report(node, `\`${key}\` is stored with each event and cannot use \`secrets\``);
    }
    return text;
  }

  private bodyLimit(reader: YamlNodeReader, node: Node | null | undefined): number | undefined {
    if (node === undefined) return undefined;
    const value = reader.scalar(node);
    const limit = typeof value === 'number' ? value : typeof value === 'string' ? bytes.parse(value) : null;
    if (limit === null || !Number.isInteger(limit) || limit <= 0 || limit > MAX_BODY_LIMIT) {
      reader.file.report(node, `\`body_limit\` must be a size from 1 byte to 25mb (a number of bytes, or 512kb, 2mb)`);
      return undefined;
    }
    return limit;
  }

  private redact(reader: YamlNodeReader, node: Node | null | undefined): string[] {
    if (node === undefined) return [];
    const names: string[] = [];
    for (const item of reader.list(node, '`redact`') ?? []) {
      const name = reader.string(item, 'each name in `redact`');
      if (name === undefined) continue;
      if (REDACT_NAME.test(name)) names.push(name.toLowerCase());
      else reader.file.report(item, `\`redact\` takes header or query parameter names (such as x-shop-token), not \`${name}\``);
    }
    return names;
  }
}

/** Each key `verify:` may hold besides `scheme`, with the schemes whose options schema lists it. */
function schemesTaking(): Map<string, string[]> {
  const taking = new Map<string, string[]>();
  for (const scheme of verificationSchemes().values()) {
    for (const key of Object.keys(scheme.optionsSchema.properties)) taking.set(key, [...(taking.get(key) ?? []), scheme.scheme]);
  }
  return taking;
}
