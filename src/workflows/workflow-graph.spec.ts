import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { workflowGraph } from './workflow-graph';
import { DEFAULT_RETRY, StepDefinition, StepKind, WorkflowDefinition } from './workflow.types';

function step(id: string, uses: StepKind, extra: Partial<StepDefinition> = {}): StepDefinition {
  return { id, uses, with: {}, continueOnError: false, retry: { ...DEFAULT_RETRY }, position: { line: 1, column: 1 }, ...extra };
}

function workflow(steps: StepDefinition[], on: WorkflowDefinition['on'] = { webhook: 'shop', event: 'order.paid' }): WorkflowDefinition {
  return { name: 'w', file: 'w.yaml', version: 'v', yaml: '', on, steps };
}

describe('workflowGraph', () => {
  it('chains steps without needs in file order from the trigger', () => {
    const graph = workflowGraph(workflow([step('a', 'http', { name: 'Create label' }), step('b', 'slack'), step('c', 'email')]));
    assert.deepEqual(graph.nodes, [
      { id: 'trigger', kind: 'trigger', label: 'shop: order.paid' },
      { id: 'a', kind: 'http', label: 'Create label' },
      { id: 'b', kind: 'slack', label: 'b' },
      { id: 'c', kind: 'email', label: 'c' },
    ]);
    assert.deepEqual(graph.edges, [
      { from: 'trigger', to: 'a' },
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
    ]);
  });

  it('starts a step with `needs: []` right after the trigger', () => {
    const graph = workflowGraph(workflow([step('a', 'set'), step('b', 'set', { needs: [] }), step('c', 'set')]));
    assert.deepEqual(graph.edges, [
      { from: 'trigger', to: 'a' },
      { from: 'trigger', to: 'b' },
      { from: 'b', to: 'c' },
    ]);
  });

  it('draws one edge per need of a DAG', () => {
    const graph = workflowGraph(
      workflow([step('a', 'set'), step('b', 'set', { needs: ['a'] }), step('c', 'set', { needs: ['a'] }), step('d', 'set', { needs: ['b', 'c'] })]),
    );
    assert.deepEqual(graph.edges, [
      { from: 'trigger', to: 'a' },
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
      { from: 'b', to: 'd' },
      { from: 'c', to: 'd' },
    ]);
  });

  it('labels schedule and all-event triggers', () => {
    assert.equal(workflowGraph(workflow([step('a', 'set')], { webhook: 'shop' })).nodes[0].label, 'shop: *');
    const scheduled = workflowGraph(workflow([step('a', 'set')], { schedule: '*/15 * * * *', timezone: 'Europe/Berlin' }));
    assert.equal(scheduled.nodes[0].label, 'schedule */15 * * * * (Europe/Berlin)');
  });

  it('draws on_failure steps as a lane of their own under its head node', () => {
    const definition = { ...workflow([step('a', 'http')]), onFailure: [step('tell', 'slack'), step('page', 'http', { needs: [] }), step('log', 'set')] };
    const graph = workflowGraph(definition);
    assert.deepEqual(graph.nodes.slice(2), [
      { id: '#on_failure', kind: 'on_failure', label: 'when a run fails', group: 'on_failure' },
      { id: 'tell', kind: 'slack', label: 'tell', group: 'on_failure' },
      { id: 'page', kind: 'http', label: 'page', group: 'on_failure' },
      { id: 'log', kind: 'set', label: 'log', group: 'on_failure' },
    ]);
    assert.deepEqual(graph.edges.slice(1), [
      { from: '#on_failure', to: 'tell' },
      { from: '#on_failure', to: 'page' },
      { from: 'page', to: 'log' },
    ]);
  });

  it('draws only the failure lane for the global on-failure.yaml', () => {
    const graph = workflowGraph({ ...workflow([], {}), onFailure: [step('tell', 'slack')] });
    assert.deepEqual(
      graph.nodes.map((node) => node.id),
      ['#on_failure', 'tell'],
    );
  });
});
