import { secretForms } from '../delivery/secret-forms';
import { REDACTED } from '../templates/template-engine';

const SECRET_REFERENCE = /secrets\.([A-Za-z_][A-Za-z0-9_]*)/g;

/** The names of the secrets a workflow file refers to (`{{secrets.NAME}}`), each once. */
export function secretNamesIn(yaml: string): string[] {
  return [...new Set([...yaml.matchAll(SECRET_REFERENCE)].map((match) => match[1]))];
}

/**
 * Replaces the values of the secrets a workflow refers to, in each form `secretForms` knows,
 * wherever they appear in what will be stored or logged: a last line of defence behind
 * rendering stored inputs and outputs with redacted secrets, for what comes from outside
 * (an error message quoting a value, a receiver's answer).
 */
export class WorkflowSecretScrubber {
  /** Each form of each secret as it appears inside a JSON string, longest first. */
  private readonly inJson: string[];

  constructor(yaml: string, secrets: Readonly<Record<string, string | undefined>>) {
    const forms = new Set<string>();
    for (const name of secretNamesIn(yaml)) {
      const value = secrets[name];
      if (typeof value === 'string') for (const form of secretForms(value)) forms.add(JSON.stringify(form).slice(1, -1));
    }
    this.inJson = [...forms].sort((a, b) => b.length - a.length);
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
