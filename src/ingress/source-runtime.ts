import { Injectable } from '@nestjs/common';
import { Settings } from '../config/settings';
import { Template, TemplateEngine } from '../templates/template-engine';
import { SourceDefinition } from '../workflows/workflow.types';
import { CredentialRedaction } from './credential-redaction';
import { schemeNamed } from './verification/scheme-registry';
import { ResolvedVerify } from './verification/verification-scheme';

/** A source ready for requests: secrets read, templates compiled, once per definition. */
export interface SourceRuntime {
  definition: SourceDefinition;
  /** Why the source cannot take requests (a secret's variable is unset), if it cannot. */
  misconfiguration?: string;
  verify: ResolvedVerify;
  eventType: Template;
  dedupeKey?: Template;
  /** What of a request's headers and query string is stored as `[secret]`. */
  redaction: CredentialRedaction;
}

@Injectable()
export class SourceRuntimes {
  private readonly runtimes = new WeakMap<SourceDefinition, SourceRuntime>();

  constructor(
    private readonly templates: TemplateEngine,
    private readonly settings: Settings,
  ) {}

  /** The secrets context of templates: `{{secrets.NAME}}` reads the variable NAME. */
  get secrets(): Readonly<Record<string, string | undefined>> {
    return this.settings.secrets;
  }

  of(definition: SourceDefinition): SourceRuntime {
    let runtime = this.runtimes.get(definition);
    if (!runtime) {
      runtime = this.build(definition);
      this.runtimes.set(definition, runtime);
    }
    return runtime;
  }

  private build(definition: SourceDefinition): SourceRuntime {
    // The validator accepted only known schemes.
    const scheme = schemeNamed(definition.verify.scheme)!;
    const preset = scheme.preset;
    const dedupeKey = definition.dedupeKey ?? preset.dedupeKey;
    const runtime: SourceRuntime = {
      definition,
      verify: { ...definition.verify, secrets: [] },
      eventType: this.templates.compile(definition.eventType ?? preset.eventType),
      dedupeKey: dedupeKey === undefined ? undefined : this.templates.compile(dedupeKey),
      // The headers a source verifies carry its key or signature, whatever their names.
      redaction: new CredentialRedaction([...definition.redact, ...scheme.credentialHeaders(definition.verify)]),
    };
    try {
      runtime.verify.secrets = definition.verify.secrets.map((secret) =>
        String(this.templates.compile(secret).render({ secrets: this.secrets }, { field: `sources.${definition.name}.verify.secret` })),
      );
    } catch (error) {
      runtime.misconfiguration = (error as Error).message;
    }
    return runtime;
  }
}
