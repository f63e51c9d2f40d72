import { parse } from 'yaml';
import { workflowGraph } from '../../../../workflows/workflow-graph';
import type { WorkflowDefinition } from '../../../../workflows/workflow.types';
import type { Graph } from '../api/types';

/**
 * The graph of the text as it is being typed, drawn by the server's own rule (`workflowGraph`)
 * from whatever parses — a draft with problems still shows its steps. Steps without an id, a
 * repeated id and needs naming no step are left out; undefined while the YAML does not parse.
 */
export function graphOfDraft(yaml: string): Graph | undefined {
  let data: unknown;
  try {
    data = parse(yaml);
  } catch {
    return undefined;
  }
  if (!isRecord(data)) return undefined;
  const seen = new Set<string>();
  const stepsOf = (list: unknown) => {
    const lane = new Set<string>();
    const steps = (Array.isArray(list) ? list : []).filter(isRecord).filter((step): step is Record<string, unknown> & { id: string } => {
      if (typeof step.id !== 'string' || step.id === '' || step.id === 'trigger' || seen.has(step.id)) return false;
      seen.add(step.id);
      lane.add(step.id);
      return true;
    });
    // `needs` name steps of the same list only (`on_failure` steps need `on_failure` steps).
    return steps.map((step) => ({
      id: step.id,
      uses: text(step.uses) ?? '',
      name: text(step.name),
      needs: Array.isArray(step.needs)
        ? step.needs.filter((need): need is string => typeof need === 'string' && lane.has(need) && need !== step.id)
        : undefined,
    }));
  };
  const on = isRecord(data.on) ? data.on : {};
  const definition = {
    on: { webhook: text(on.webhook), event: text(on.event), schedule: text(on.schedule), timezone: text(on.timezone) },
    steps: stepsOf(data.steps),
    onFailure: stepsOf(data.on_failure),
  };
  return workflowGraph(definition as unknown as WorkflowDefinition);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
