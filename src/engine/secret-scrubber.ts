import { REDACTED } from '../templates/template-engine';

const SECRET_REFERENCE = /secrets\.([A-Za-z_][A-Za-z0-9_]*)/g;

/** The names of the secrets a workflow file refers to (`{{secrets.NAME}}`), each once. */
export function secretNamesIn(yaml: string): string[] {
  return [...new Set([...yaml.matchAll(SECRET_REFERENCE)].map((match) => match[1]))];
}

const SHORTEST_SCRUBBED = 4;

/**
 * Replaces the values of the secrets a workflow refers to wherever they appear in text
 * that will be stored, e.g. a receiver that echoes the token it was sent.
 */
export class SecretScrubber {
  /** Each secret as it appears inside a JSON string, longest first. */
  private readonly inJson: string[];

  constructor(yaml: string, environment: Readonly<Record<string, string | undefined>>) {
    this.inJson = secretNamesIn(yaml)
      .map((name) => environment[name])
      .filter((value): value is string => typeof value === 'string' && value.length >= SHORTEST_SCRUBBED)
      .sort((a, b) => b.length - a.length)
      .map((secret) => JSON.stringify(secret).slice(1, -1));
  }

  scrub<T>(value: T): T {
    if (this.inJson.length === 0 || value === undefined || value === null) return value;
    const text = JSON.stringify(value);
    if (!this.inJson.some((secret) => text.includes(secret))) return value;
    let scrubbed = text;
    for (const secret of this.inJson) scrubbed = scrubbed.split(secret).join(REDACTED);
    return JSON.parse(scrubbed) as T;
  }
}
