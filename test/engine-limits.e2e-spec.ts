import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WORKFLOW_CHAIN_DEPTH } from '../src/engine/workflow-chain';
import { post } from './support/http';
import { eventually } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

/** Starts itself through a name only a run knows: validation cannot see the loop. */
const ECHO = `
name: echo
on: { webhook: shop, event: echo }
steps:
  - id: again
    uses: workflow
    with: { name: "{{workflow.name}}", event: { hops: "{{default event.body.hops 0}}" } }
`;

describe('engine limits: what a workflow or an event can make the engine do', () => {
  let hookflow: TestApp;

  before(async () => {
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'echo.yaml': ECHO },
    });
  });

  after(async () => {
    await hookflow.close();
  });

  async function send(body: object): Promise<string> {
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify(body));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return answer.body.event_id;
  }

  it(`stops a workflow that starts itself after ${MAX_WORKFLOW_CHAIN_DEPTH} nested runs, failing the last one visibly`, async () => {
    await send({ type: 'echo' });
    const deepest = await eventually(
      async () => (await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE workflow = 'echo' AND status = 'failed'`))[0],
      15_000,
      'the deepest echo run to fail',
    );
    // Give a loop that was not stopped time to show itself.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const runs = await hookflow.query<{ status: string }>(`SELECT status FROM runs WHERE workflow = 'echo'`);
    assert.equal(runs.length, MAX_WORKFLOW_CHAIN_DEPTH + 1, 'the run an event started, and 8 below it');
    assert.equal(runs.filter((run) => run.status === 'succeeded').length, MAX_WORKFLOW_CHAIN_DEPTH);

    const run = (await hookflow.api('GET', `/api/runs/${deepest.id}`)).body;
    assert.equal(run.status, 'failed');
    const chain = Array.from({ length: MAX_WORKFLOW_CHAIN_DEPTH + 2 }, () => 'echo').join(' → ');
    const error = `cannot start workflow echo: workflow steps may start runs at most ${MAX_WORKFLOW_CHAIN_DEPTH} deep (MAX_WORKFLOW_CHAIN_DEPTH) and this run is ${MAX_WORKFLOW_CHAIN_DEPTH} deep: ${chain}`;
    assert.equal(run.steps[0].error, error);
    assert.equal(run.error, `again: ${error}`);
  });
});
