import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateEngine } from '../templates/template-engine';
import { TriggerDefinition, WorkflowDefinition } from '../workflows/workflow.types';
import { sampleEvent } from './inbound-event';
import { TriggerMatcher } from './trigger-matcher';

function workflow(name: string, on: Omit<TriggerDefinition, 'webhook'>, concurrencyKey?: string): WorkflowDefinition {
  return {
    name,
    file: `${name}.yaml`,
    version: 'v1',
    yaml: '',
    on: { webhook: 'shop', ...on },
    ...(concurrencyKey ? { concurrency: { key: concurrencyKey } } : {}),
    steps: [],
  };
}

const event = (type: string, body: unknown) => sampleEvent({ body }, { id: 'e1', source: 'shop', type, receivedAt: new Date(0) });
const matcher = () => new TriggerMatcher(new TemplateEngine());

describe(TriggerMatcher.name, () => {
  it('starts the workflows whose type glob and on.if accept the event, with their concurrency key', () => {
    const workflows = [
      workflow('paid', { event: 'order.p*', if: '{{gt event.body.total 0}}' }, '{{event.body.customer}}'),
      workflow('refunded', { event: 'order.refunded' }),
      workflow('free', { if: '{{eq event.body.total 0}}' }),
      workflow('any', {}),
    ];
    const { runs, notes } = matcher().match(event('order.paid', { total: 5, customer: 'c-1' }), workflows, {});
    assert.deepEqual(
      runs.map((run) => [run.workflow, run.concurrencyKey]),
      [
        ['paid', 'c-1'],
        ['any', null],
      ],
    );
    assert.deepEqual(notes, []);
  });

  it('counts an on.if that cannot be evaluated as no match, noting why with the workflow named', () => {
    const { runs, notes } = matcher().match(event('order.paid', {}), [workflow('paid', { if: '{{gt event.body.order.total 0}}' })], {});
    assert.deepEqual(runs, []);
    assert.equal(notes.length, 1);
    assert.equal(notes[0].workflow, 'paid');
    assert.match(notes[0].reason, /^on\.if could not be evaluated: workflow paid, field on\.if: event\.body\.order\.total does not exist/);
  });

  it('judges every part of a trigger, also on.if when the type does not match, for dry runs to show', () => {
    const paid = workflow('paid', { event: 'order.paid', if: '{{gt event.body.total 0}}' });
    assert.deepEqual(matcher().judge(event('order.refunded', { total: 0 }), paid, {}), { typeMatches: false, condition: false });
    assert.deepEqual(matcher().judge(event('order.paid', { total: 5 }), paid, {}), { typeMatches: true, condition: true });
    assert.deepEqual(matcher().judge(event('order.paid', {}), workflow('any', {}), {}), { typeMatches: true });
    const { condition } = matcher().judge(event('order.paid', {}), paid, {});
    assert.ok(condition instanceof Error);
    assert.equal(condition.message, 'event.body.total does not exist');
  });

  it('reads secrets in on.if from what it is given', () => {
    const guarded = workflow('guarded', { if: '{{eq event.body.key secrets.KEY}}' });
    assert.equal(matcher().match(event('t', { key: 'k' }), [guarded], { KEY: 'k' }).runs.length, 1);
    assert.equal(matcher().match(event('t', { key: 'k' }), [guarded], { KEY: 'other' }).runs.length, 0);
  });
});
