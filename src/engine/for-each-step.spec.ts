import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StepExecutionContext } from '../connectors/connector';
import { claimedRun, delivered, engineForTest, refused, workflowFrom } from './engine.fixture';
import { itemKey, parseItemKey } from './for-each-items';
import { StepRunner } from './step-runner';

const SECOND = 1_000;

function eachWorkflow(options: string, withBlock = '{ method: POST, url: "https://receiver.test/items/{{item}}" }') {
  return workflowFrom(`
name: each
on: { webhook: shop }
steps:
  - id: notify
    uses: http
    ${options}
    with: ${withBlock}
    retry: { attempts: 3, backoff: fixed, initial: 10s, max: 10s }
`);
}

describe(`${StepRunner.name}: for_each`, () => {
  it('runs each item with its own idempotency key, item and index, and outputs the list in item order', async () => {
    const engine = engineForTest(
      workflowFrom(`
name: each
on: { webhook: shop }
steps:
  - id: lines
    uses: set
    for_each: [{ sku: a1 }, { sku: b2 }, { sku: c3 }]
    with: { sku: "{{item.sku}}", position: "{{index}}", type: "{{event.type}}" }
`),
    );
    const run = await claimedRun(engine);
    assert.equal(await engine.runner.run(run, engine.workflow.steps[0]), 'succeeded');
    const step = engine.store.step(run.id, 'lines');
    assert.equal(step?.status, 'succeeded');
    assert.deepEqual(step?.output, [
      { sku: 'a1', position: 0, type: 'order.paid' },
      { sku: 'b2', position: 1, type: 'order.paid' },
      { sku: 'c3', position: 2, type: 'order.paid' },
    ]);
    assert.equal(engine.store.step(run.id, itemKey('lines', 1))?.status, 'succeeded');
    assert.equal(engine.store.run(run.id).status, 'succeeded');
  });

  it('sends every item under <run>:<step>:<index>, one after another in order by default', async () => {
    const engine = engineForTest(eachWorkflow('for_each: [x, y, z]'));
    engine.http.answer(delivered(0), delivered(1), delivered(2));
    const run = await claimedRun(engine);
    assert.equal(await engine.runner.run(run, engine.workflow.steps[0]), 'succeeded');
    assert.deepEqual(
      engine.http.attempts.map((attempt) => attempt.idempotencyKey),
      [0, 1, 2].map((index) => `${run.id}:notify:${index}`),
    );
    assert.deepEqual(
      (engine.store.step(run.id, 'notify')?.output as { body: number }[]).map((output) => output.body),
      [0, 1, 2],
    );
  });

  it('retries a failed item later without sending the others again', async () => {
    const engine = engineForTest(eachWorkflow('for_each: [x, y, z]'));
    engine.http.answer(delivered(0), refused(503), delivered(2), delivered(1));
    const run = await claimedRun(engine);
    const step = engine.workflow.steps[0];

    assert.equal(await engine.runner.run(run, step), 'running');
    const waiting = engine.store.step(run.id, 'notify');
    assert.equal(waiting?.status, 'running');
    assert.equal(waiting?.nextAttemptAt?.getTime(), engine.clock.now().getTime() + 10 * SECOND);
    assert.match(waiting?.error ?? '', /1 item\(s\) waiting: HTTP 503/);

    engine.clock.advance(10 * SECOND);
    assert.equal(await engine.runner.run(run, step), 'succeeded');
    assert.deepEqual(
      engine.http.attempts.map((attempt) => [attempt.idempotencyKey.split(':').slice(1).join(':'), attempt.attempt]),
      [
        ['notify:0', 1],
        ['notify:1', 1],
        ['notify:2', 1],
        ['notify:1', 2],
      ],
    );
    assert.deepEqual(
      (engine.store.step(run.id, 'notify')?.output as { body: number }[]).map((output) => output.body),
      [0, 1, 2],
    );
  });

  it('resumes in a later execution from the stored item states', async () => {
    const engine = engineForTest(eachWorkflow('for_each: [x, y, z]'));
    engine.http.answer(delivered(0), refused(503), delivered(2), delivered(1));
    const runId = engine.store.addRun(engine.workflow);
    await engine.executor.execute(runId, 'worker-1');
    assert.equal(engine.store.run(runId).status, 'running');
    engine.clock.advance(10 * SECOND);
    await engine.executor.execute(runId, 'worker-2');
    assert.equal(engine.store.run(runId).status, 'succeeded');
    assert.equal(engine.http.attempts.length, 4);
  });

  it('fails the step once the other items finished when an item fails', async () => {
    const engine = engineForTest(eachWorkflow('for_each: [x, y, z]'));
    engine.http.answer(refused(404), delivered(1), delivered(2));
    const run = await claimedRun(engine);
    assert.equal(await engine.runner.run(run, engine.workflow.steps[0]), 'failed');
    assert.equal(engine.http.attempts.length, 3);
    const step = engine.store.step(run.id, 'notify');
    assert.equal(step?.status, 'failed');
    assert.equal(step?.error, '1 of 3 items failed: item 0: HTTP 404');
    assert.equal(engine.store.run(run.id).error, 'notify: 1 of 3 items failed: item 0: HTTP 404');
  });

  it('with continue_on_error, succeeds with null for the failed item', async () => {
    const engine = engineForTest(eachWorkflow('for_each: [x, y, z]\n    continue_on_error: true'));
    engine.http.answer(delivered(0), refused(404), delivered(2));
    const run = await claimedRun(engine);
    assert.equal(await engine.runner.run(run, engine.workflow.steps[0]), 'succeeded');
    const step = engine.store.step(run.id, 'notify');
    assert.equal(step?.status, 'succeeded');
    assert.deepEqual(
      (step?.output as ({ body: number } | null)[]).map((output) => output && output.body),
      [0, null, 2],
    );
    assert.equal(step?.error, '1 of 3 items failed: item 1: HTTP 404');
  });

  it('fails with the count and the cap when there are more items than max_items, sending nothing', async () => {
    const engine = engineForTest(eachWorkflow('for_each: [x, y, z]\n    max_items: 2'));
    const run = await claimedRun(engine);
    assert.equal(await engine.runner.run(run, engine.workflow.steps[0]), 'failed');
    assert.equal(engine.store.step(run.id, 'notify')?.error, '`for_each` of step notify gave 3 items, more than its max_items of 2: no item was run');
    assert.equal(engine.http.attempts.length, 0);
  });

  it('fails saying what it got when for_each does not give a list, and succeeds with [] on an empty list', async () => {
    const notList = engineForTest(eachWorkflow('for_each: "{{event.type}}"'));
    const run = await claimedRun(notList);
    assert.equal(await notList.runner.run(run, notList.workflow.steps[0]), 'failed');
    assert.equal(notList.store.step(run.id, 'notify')?.error, '`for_each` of step notify must give a list, but gave string "order.paid"');

    const missing = engineForTest(eachWorkflow('for_each: "{{event.body.items}}"'));
    const missingRun = await claimedRun(missing);
    assert.equal(await missing.runner.run(missingRun, missing.workflow.steps[0]), 'failed', 'a missing list is no list');
    const literal = engineForTest(eachWorkflow('for_each: []'));
    const literalRun = await claimedRun(literal);
    assert.equal(await literal.runner.run(literalRun, literal.workflow.steps[0]), 'succeeded');
    assert.deepEqual(literal.store.step(literalRun.id, 'notify')?.output, []);
  });

  it('keeps at most max_parallel items in flight', async () => {
    const engine = engineForTest(eachWorkflow('for_each: [a, b, c, d, e]\n    max_parallel: 2'));
    let inFlight = 0;
    let most = 0;
    const slow = async (context: StepExecutionContext) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 10));
      inFlight--;
      return delivered(context.idempotencyKey);
    };
    engine.http.answer(slow, slow, slow, slow, slow);
    const run = await claimedRun(engine);
    assert.equal(await engine.runner.run(run, engine.workflow.steps[0]), 'succeeded');
    assert.equal(most, 2);
    assert.deepEqual(
      (engine.store.step(run.id, 'notify')?.output as { body: string }[]).map((output) => output.body.split(':')[2]),
      ['0', '1', '2', '3', '4'],
    );
  });
});

describe(`${StepRunner.name}: the if of a for_each step`, () => {
  it('skips the whole step when it reads neither item nor index, and each item when it does', async () => {
    const whole = engineForTest(eachWorkflow('for_each: [x, y]\n    if: "{{event.body.ship}}"'));
    const run = await claimedRun(whole);
    assert.equal(await whole.runner.run(run, whole.workflow.steps[0]), 'succeeded');
    assert.equal(whole.store.step(run.id, 'notify')?.status, 'skipped');
    assert.equal(whole.http.attempts.length, 0);

    const perItem = engineForTest(eachWorkflow('for_each: [{ ship: true }, { ship: false }]\n    if: "{{item.ship}}"'));
    perItem.http.answer(delivered(0));
    const itemRun = await claimedRun(perItem);
    assert.equal(await perItem.runner.run(itemRun, perItem.workflow.steps[0]), 'succeeded');
    assert.deepEqual(
      (perItem.store.step(itemRun.id, 'notify')?.output as unknown[]).map((output) => output !== null),
      [true, false],
    );
    assert.equal(perItem.store.step(itemRun.id, itemKey('notify', 1))?.status, 'skipped');
  });
});

describe('item keys', () => {
  it('name a step and an index, and are never a step id', () => {
    assert.equal(itemKey('notify', 12), 'notify[12]');
    assert.deepEqual(parseItemKey('notify[12]'), { stepId: 'notify', index: 12 });
    assert.equal(parseItemKey('notify'), undefined);
  });
});
