import type { TriggerDefinition, WorkflowDefinition } from './workflow.types';

export interface WorkflowGraphNode {
  id: string;
  /** `trigger`, or the step kind (`http`, `slack`, …). */
  kind: string;
  label: string;
}

export interface WorkflowGraph {
  nodes: WorkflowGraphNode[];
  edges: Array<{ from: string; to: string }>;
}

export const TRIGGER_NODE = 'trigger';

/**
 * The graph the console draws: the `trigger` node, one node per step, and an edge per need —
 * from the step above for a step without `needs`, from the trigger for the first step and
 * for `needs: []`.
 */
export function workflowGraph(definition: WorkflowDefinition): WorkflowGraph {
  const nodes: WorkflowGraphNode[] = [{ id: TRIGGER_NODE, kind: 'trigger', label: triggerLabel(definition.on) }];
  const edges: WorkflowGraph['edges'] = [];
  definition.steps.forEach((step, index) => {
    nodes.push({ id: step.id, kind: step.uses, label: step.name ?? step.id });
    const needs = step.needs ?? (index === 0 ? [] : [definition.steps[index - 1].id]);
    if (needs.length === 0) edges.push({ from: TRIGGER_NODE, to: step.id });
    for (const need of needs) edges.push({ from: need, to: step.id });
  });
  return { nodes, edges };
}

function triggerLabel(on: TriggerDefinition): string {
  const parts: string[] = [];
  if (on.webhook !== undefined) parts.push(`${on.webhook}: ${on.event ?? '*'}`);
  if (on.schedule !== undefined) parts.push(`schedule ${on.schedule}${on.timezone ? ` (${on.timezone})` : ''}`);
  return parts.join(' | ');
}
