import { schemeNamed } from '../ingress/verification/scheme-registry';
import { SourceDefinition } from '../workflows/workflow.types';

/**
 * The template that types the events of `source`: its own `event_type`, or its scheme's
 * preset (`body.type` for a source that is not declared).
 */
export function eventTypeTemplateOf(source: SourceDefinition | undefined): string {
  return source?.eventType ?? schemeNamed(source?.verify.scheme ?? 'none')!.preset.eventType;
}
