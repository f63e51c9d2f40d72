import { isMap, isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import { readsRoot, TemplateChecker } from './template-checker';
import { RespondDefinition } from './workflow.types';
import { MapEntry, YamlNodeReader } from './yaml-node-reader';

const RESPOND_KEYS = ['status', 'headers', 'body'];
/** A header name's characters (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}$/;
/** Headers the HTTP server sets itself: an answer that set them could break the connection. */
const SERVER_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', 'te']);
/** What an answer's templates may read besides `event`: nothing, for the reasons given. */
const REFUSED_ROOTS: [string, string][] = [
  ['steps', 'no step has run when the answer is sent'],
  ['secrets', 'an answer goes back to whoever sent the request'],
  ['run', 'the answer belongs to the event, not to one of its runs'],
  ['workflow', 'the answer belongs to the event, not to one of its runs'],
];

/**
 * Reads `respond: { status, headers, body }` of a source or a trigger. Its templates are
 * rendered at ingest from the event alone, so they may read `event` and nothing else.
 */
export class RespondValidator {
  constructor(
    private readonly reader: YamlNodeReader,
    private readonly templates: TemplateChecker,
  ) {}

  read(entry: MapEntry, what: string): RespondDefinition | undefined {
    const view = this.reader.map(entry.value, what, RESPOND_KEYS, entry.key);
    if (!view) return undefined;
    const status = view.has('status') ? this.reader.integer(view.get('status'), `\`status\` of ${what}`, 200, 299) : 200;
    const headers = view.has('headers') ? this.headers(view.get('headers'), what) : {};
    const body = view.has('body') ? this.body(view.get('body'), what) : undefined;
    if (status === undefined || headers === undefined) return undefined;
    const position = this.reader.file.positionOf(entry.key) ?? { line: 1, column: 1 };
    return { status, headers, ...(body !== undefined && { body }), position };
  }

  private headers(node: Node | null | undefined, what: string): Record<string, string> | undefined {
    const view = this.reader.map(node, `\`headers\` of ${what}`);
    if (!view) return undefined;
    const headers: Record<string, string> = {};
    for (const name of view.keys()) {
      const at = view.entry(name)?.key;
      const lower = name.toLowerCase();
      if (!HEADER_NAME.test(name)) this.reader.file.report(at, `\`${name}\` is not a header name`);
      else if (SERVER_HEADERS.has(lower)) this.reader.file.report(at, `\`${name}\` is set by the server and cannot be answered`);
      else if (Object.hasOwn(headers, lower)) this.reader.file.report(at, `header \`${name}\` is given twice`);
      const valueNode = view.get(name);
      const value = this.reader.scalar(valueNode);
      if (typeof value !== 'string' && typeof value !== 'number') {
        this.reader.file.report(valueNode ?? at, `header \`${name}\` of ${what} must be a string`);
        continue;
      }
      const text = String(value);
      this.checkTemplates(this.templates.check(valueNode as Node, text, `header \`${name}\` of ${what}`), what);
      headers[lower] = text;
    }
    return headers;
  }

  private body(node: Node | null | undefined, what: string): unknown {
    const resolved = this.reader.file.resolve(node);
    const text = isScalar(resolved) && typeof resolved.value === 'string';
    if (!text && !isMap(resolved) && !isSeq(resolved)) {
      this.reader.file.report(node, `\`body\` of ${what} must be a map or a list (sent as JSON) or a string (sent as text)`);
      return undefined;
    }
    this.checkTemplates(this.templates.checkTree(node, `\`body\` of ${what}`), what);
    return this.reader.plain(node);
  }

  private checkTemplates(references: ReturnType<TemplateChecker['check']>, what: string): void {
    for (const reference of references) {
      const refused = REFUSED_ROOTS.find(([root]) => readsRoot(reference, root));
      if (refused) {
        this.reader.file.report(reference.node, `${what} is rendered from the event alone and cannot use \`${refused[0]}\`: ${refused[1]}`);
      }
    }
  }
}
