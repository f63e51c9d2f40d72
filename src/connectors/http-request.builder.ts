import { InvalidStepInputError } from './invalid-step-input.error';
import { isPlainObject, Scalar, StepInput } from './step-input';
import { parseExpectation, StatusExpectation } from './status-expectation';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** An `http` step's request, built from its rendered `with:` and serialized once. */
export interface HttpStepRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  signingSecrets?: string[];
  expect: StatusExpectation;
}

/**
 * `strict` for the real input: the URL must parse and be http(s). The redacted copy is
 * built `lenient`, since `[secret]` in place of a secret URL does not parse.
 */
export type UrlCheck = 'strict' | 'lenient';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;
const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const FORM_TYPE = 'application/x-www-form-urlencoded';

export function buildHttpRequest(input: Record<string, unknown>, check: UrlCheck): HttpStepRequest {
  const fields = new StepInput(input);
  const method = readMethod(fields);
  const url = withQuery(outboundUrl(fields.string('url'), 'url', check), fields.scalarMap('query', true));
  const headers = readHeaders(fields);
  const body = readBody(fields, headers);
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new InvalidStepInputError(`a ${method} request cannot have a body`);
  }
  return { method, url, headers, body, signingSecrets: readSigningSecrets(input.sign), expect: parseExpectation(input.expect) };
}

/** Checks an outbound URL (`strict`) or passes it through as shown (`lenient`). */
export function outboundUrl(text: string, key: string, check: UrlCheck): string {
  if (check === 'lenient') return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidStepInputError(`\`with.${key}\` is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidStepInputError(`\`with.${key}\` must be an http:// or https:// URL, got ${url.protocol}//`);
  }
  return url.toString();
}

/** The origin (`http://host:port`) of a rendered URL; undefined when it is not one, and `execute` will say why. */
export function originOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Header names are case-insensitive; user headers keep the case they were written in. */
export function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name.toLowerCase());
}

function readMethod(fields: StepInput): string {
  const method = (fields.optionalString('method') ?? 'POST').toUpperCase();
  if (!HTTP_METHODS.includes(method as never)) {
    throw new InvalidStepInputError(`\`with.method\` must be one of ${HTTP_METHODS.join(', ')}`);
  }
  return method;
}

function withQuery(url: string, query: Array<[string, Scalar[]]>): string {
  if (query.length === 0) return url;
  const params = new URLSearchParams();
  for (const [name, values] of query) values.forEach((value) => params.append(name, String(value)));
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : url.slice(hashAt);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${params.toString()}${hash}`;
}

function readHeaders(fields: StepInput): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, [value]] of fields.scalarMap('headers', false)) {
    const text = String(value);
    if (!TOKEN.test(name)) throw new InvalidStepInputError(`\`with.headers\` has an invalid header name "${name.slice(0, 40)}"`);
    if (FORBIDDEN_IN_VALUE.test(text)) throw new InvalidStepInputError(`\`with.headers.${name}\` contains a line break`);
    headers[name] = text;
  }
  return headers;
}

/** Serialized once, from data: a rendered value can never break out of the JSON around it. */
function readBody(fields: StepInput, headers: Record<string, string>): string | undefined {
  if (fields.has('form')) {
    if (fields.has('body')) throw new InvalidStepInputError('`with.body` and `with.form` cannot be used together');
    const params = new URLSearchParams();
    for (const [name, values] of fields.scalarMap('form', true)) values.forEach((value) => params.append(name, String(value)));
    return withContentType(headers, FORM_TYPE, params.toString());
  }
  if (!fields.has('body')) return undefined;
  const body = fields.raw('body');
  if (typeof body === 'string') return withContentType(headers, TEXT_TYPE, body);
  return withContentType(headers, JSON_TYPE, JSON.stringify(body));
}

function withContentType(headers: Record<string, string>, type: string, body: string): string {
  if (!hasHeader(headers, 'content-type')) headers['content-type'] = type;
  return body;
}

function readSigningSecrets(sign: unknown): string[] | undefined {
  if (sign === undefined || sign === null) return undefined;
  if (!isPlainObject(sign)) throw new InvalidStepInputError('`with.sign` must be a map with `secret`');
  const items: unknown[] = Array.isArray(sign.secret) ? sign.secret : [sign.secret];
  if (!items.every((item) => typeof item === 'string')) {
    throw new InvalidStepInputError('`with.sign.secret` must be a string or a list of strings');
  }
  const secrets = items.filter((secret) => secret !== '');
  if (secrets.length === 0) throw new InvalidStepInputError('`with.sign.secret` is empty');
  return secrets;
}
