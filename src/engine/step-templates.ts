import { Injectable } from '@nestjs/common';
import { CompiledValue, Template, TemplateEngine } from '../templates/template-engine';
import { renderModeOf } from '../workflows/step-with-validator';
import { StepDefinition } from '../workflows/workflow.types';

export interface CompiledStep {
  with: CompiledValue;
  condition?: Template;
  /** `for_each`: a lone expression renders to the list it reads. */
  items?: CompiledValue;
}

/**
 * Step templates compiled once per workflow version (definitions are immutable), each field
 * as its step kind renders it: runs and dry runs both compile here.
 */
@Injectable()
export class StepTemplates {
  private readonly compiled = new WeakMap<StepDefinition, CompiledStep>();

  constructor(private readonly templates: TemplateEngine) {}

  of(step: StepDefinition): CompiledStep {
    let compiled = this.compiled.get(step);
    if (!compiled) {
      compiled = {
        with: this.templates.compileValue(step.with, (key) => renderModeOf(step.uses, key)),
        condition: step.if === undefined ? undefined : this.templates.compile(step.if),
        items: step.forEach && this.templates.compileValue(step.forEach.items),
      };
      this.compiled.set(step, compiled);
    }
    return compiled;
  }
}
