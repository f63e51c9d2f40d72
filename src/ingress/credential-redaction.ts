import { REDACTED } from '../templates/template-engine';

/**
 * Parts of a header or query parameter name that mark it as a credential, looked for in the
 * lower-case name without `-`, `_` and `.` (so `X-Api-Key`, `api_key` and `apiKey` all match).
 * Signatures count: GitHub's or Shopify's carry no timestamp, so whoever reads one with its
 * body could deliver it again under a new delivery id.
 */
const CREDENTIAL_PARTS = [
  'token',
  'secret',
  'passw',
  'signature',
  'hmac',
  'apikey',
  'accesskey',
  'privatekey',
  'authoriz',
  'authenticat',
  'authkey',
  'credential',
  'session',
  'sessid',
  'cookie',
  'csrf',
  'xsrf',
];
/** Short words matched only whole (`x-auth`, `?sig=`, `?pwd=`), since inside names they are common (`author`, `signal`). */
const CREDENTIAL_WORDS = new Set(['auth', 'pwd', 'pass', 'sig', 'jwt']);

/**
 * What is stored and shown of an inbound request's headers and query string: credentials —
 * names that look like one (above), and those the source lists in `redact:` — replaced by
 * `[secret]`. Verification and the source's own templates read the request as it came.
 */
export class CredentialRedaction {
  private readonly listed: ReadonlySet<string>;

  /** `listed`: further header or query parameter names to redact, any case. */
  constructor(listed: Iterable<string> = []) {
    this.listed = new Set([...listed].map((name) => name.toLowerCase()));
  }

  private redacts(name: string): boolean {
    return this.listed.has(name.toLowerCase()) || looksLikeCredential(name);
  }

  /** Lower-case names, one string each, credentials redacted. */
  headers(headers: Readonly<Record<string, string>>): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      const key = name.toLowerCase();
      if (key === '__proto__') continue;
      result[key] = this.redacts(key) ? REDACTED : value;
    }
    return result;
  }

  /** The query string with each credential parameter's value replaced; the rest kept byte for byte. */
  query(query: string): string {
    if (query === '') return query;
    return query
      .split('&')
      .map((pair) => {
        const equals = pair.indexOf('=');
        const name = equals === -1 ? pair : pair.slice(0, equals);
        return name !== '' && this.redacts(decodeQueryName(name)) ? `${name}=${REDACTED}` : pair;
      })
      .join('&');
  }
}

/** Requests repeat the same few names: each is judged once (a bounded memo, as names come from outside). */
const verdicts = new Map<string, boolean>();
const MAX_REMEMBERED_NAMES = 1_000;

function looksLikeCredential(name: string): boolean {
  let verdict = verdicts.get(name);
  if (verdict === undefined) {
    verdict = judgeName(name);
    if (verdicts.size < MAX_REMEMBERED_NAMES) verdicts.set(name, verdict);
  }
  return verdict;
}

function judgeName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  if (words.some((word) => CREDENTIAL_WORDS.has(word))) return true;
  const compact = words.join('');
  return CREDENTIAL_PARTS.some((part) => compact.includes(part));
}

function decodeQueryName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
