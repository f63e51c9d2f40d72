import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WORKFLOW_CHAIN_DEPTH, WORKFLOW_CHAIN_HEADER, WORKFLOW_STEP_SOURCE, WorkflowChain } from './workflow-chain';

const started = (header: string) => ({ source: WORKFLOW_STEP_SOURCE, headers: { [WORKFLOW_CHAIN_HEADER]: header } });

describe(WorkflowChain.name, () => {
  it('starts at depth 0 for a run of an inbound event, whatever its headers say', () => {
    const chain = WorkflowChain.of({ source: 'shop', headers: { [WORKFLOW_CHAIN_HEADER]: 'a,b,c' } }, 'order-paid');
    assert.equal(chain.depth, 0);
    assert.equal(chain.headerFor('notify'), 'order-paid');
  });

  it('adds the calling workflow to the chain it passes on', () => {
    const chain = WorkflowChain.of(started('order-paid,notify'), 'audit');
    assert.equal(chain.depth, 2);
    assert.equal(chain.headerFor('archive'), 'order-paid,notify,audit');
  });

  it(`refuses to start a run deeper than ${MAX_WORKFLOW_CHAIN_DEPTH}, naming the limit and the chain`, () => {
    const above = Array.from({ length: MAX_WORKFLOW_CHAIN_DEPTH - 1 }, () => 'echo').join(',');
    assert.equal(WorkflowChain.of(started(above), 'echo').headerFor('echo').split(',').length, MAX_WORKFLOW_CHAIN_DEPTH);

    const deepest = WorkflowChain.of(started(`${above},echo`), 'echo');
    assert.equal(deepest.depth, MAX_WORKFLOW_CHAIN_DEPTH);
    assert.throws(
      () => deepest.headerFor('next'),
      (error: Error & { code?: string }) =>
        error.code === 'WORKFLOW_CHAIN_TOO_DEEP' &&
        error.message ===
          'cannot start workflow next: workflow steps may start runs at most 8 deep (MAX_WORKFLOW_CHAIN_DEPTH) ' +
            'and this run is 8 deep: echo → echo → echo → echo → echo → echo → echo → echo → echo → next',
    );
  });
});
