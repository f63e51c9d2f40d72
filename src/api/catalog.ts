import { Injectable } from '@nestjs/common';
import { stepKinds } from '../connectors/step-kind-catalog';
import { TEMPLATE_HELPERS } from '../templates/template-helpers';
import { schemeCatalog } from '../ingress/verification/scheme-registry';
import type { CatalogAnswer } from './catalog.models';

/** What a workflow can be built from — step kinds, verification schemes, template helpers — from their own declarations. */
@Injectable()
export class Catalog {
  private readonly answer: CatalogAnswer = {
    step_kinds: stepKinds().map((declaration) => ({
      kind: declaration.kind,
      title: declaration.title,
      icon: declaration.icon,
      description: declaration.description,
      with_schema: { ...declaration.withSchema },
      output_schema: { ...declaration.outputSchema },
      has_effects: declaration.hasEffects,
    })),
    schemes: schemeCatalog().map((entry) => ({ ...entry, options_schema: { ...entry.options_schema } })),
    helpers: [...TEMPLATE_HELPERS].map(([name, helper]) => ({ name, signature: helper.signature, description: helper.description })),
  };

  /** The same for the life of the process: every part is declared in code. */
  get(): CatalogAnswer {
    return this.answer;
  }
}
