import type { StepDefinition, TriggerDefinition, WorkflowDefinition } from './workflow.types';

export interface WorkflowGraphNode {
  id: string;
  /** `trigger`, or the step kind (`http`, `slack`, …). */
  kind: string;
  label: string;
  /** `on_failure` for the failure lane: its head node and the `on_failure:` steps. */
  group?: 'on_failure';
}

export interface WorkflowGraph {
  nodes: WorkflowGraphNode[];
  edges: Array<{ from: string; to: string }>;
}

export const TRIGGER_NODE = 'trigger';
/** Head of the failure lane; no step id can take it (ids have no `#`). */
export const FAILURE_TRIGGER_NODE = '#on_failure';

/**
 * The graph the console draws: the `trigger` node, one node per step, and an edge per need —
 * from the step above for a step without `needs`, from the trigger for the first step and
 * for `needs: []`. `on_failure:` steps form a lane of their own (`group: 'on_failure'`) under
 * the node `#on_failure`, by the same rule. The global `on-failure.yaml` has that lane only.
 */
export function workflowGraph(definition: WorkflowDefinition): WorkflowGraph {
  const graph: WorkflowGraph = { nodes: [], edges: [] };
  const onFailure = definition.onFailure ?? [];
  if (definition.steps.length > 0 || onFailure.length === 0) {
    graph.nodes.push({ id: TRIGGER_NODE, kind: 'trigger', label: triggerLabel(definition.on) });
    addLane(graph, TRIGGER_NODE, definition.steps);
  }
  if (onFailure.length > 0) {
    graph.nodes.push({ id: FAILURE_TRIGGER_NODE, kind: 'on_failure', label: 'when a run fails', group: 'on_failure' });
    addLane(graph, FAILURE_TRIGGER_NODE, onFailure, 'on_failure');
  }
  return graph;
}

function addLane(graph: WorkflowGraph, head: string, steps: StepDefinition[], group?: 'on_failure'): void {
  steps.forEach((step, index) => {
    graph.nodes.push({ id: step.id, kind: step.uses, label: step.name ?? step.id, ...(group && { group }) });
    const needs = step.needs ?? (index === 0 ? [] : [steps[index - 1].id]);
    if (needs.length === 0) graph.edges.push({ from: head, to: step.id });
    for (const need of needs) graph.edges.push({ from: need, to: step.id });
  });
}

function triggerLabel(on: TriggerDefinition): string {
  const parts: string[] = [];
  if (on.webhook !== undefined) parts.push(`${on.webhook}: ${on.event ?? '*'}`);
  if (on.schedule !== undefined) parts.push(`schedule ${on.schedule}${on.timezone ? ` (${on.timezone})` : ''}`);
  return parts.join(' | ');
}
