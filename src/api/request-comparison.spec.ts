import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ComparedStep, RequestComparison } from './request-comparison';

const sent = (id: string, request: unknown, kind = 'http'): ComparedStep => ({ id, kind, state: 'sent', request });
const skipped = (id: string, note = 'its `if` is false'): ComparedStep => ({ id, kind: 'http', state: 'skipped', request: null, note });

const labelRequest = (body: object, headers: Record<string, string> = {}) => ({
  method: 'POST',
  url: '[secret]/labels',
  headers: { 'content-type': 'application/json', 'idempotency-key': 'run-1:label', 'user-agent': 'Hookflow/0.1', ...headers },
  body: JSON.stringify(body),
});

describe(RequestComparison.name, () => {
  const comparison = new RequestComparison();

  it('finds nothing changed when the edit would send what the run sent, header case and JSON spacing aside', () => {
    const before = sent('label', labelRequest({ order_id: 'A-1', total: 3 }, { 'x-event': 'e-1' }));
    const after = sent('label', {
      ...labelRequest({}, { 'X-Event': 'e-1' }),
      headers: { 'Content-Type': 'application/json', 'idempotency-key': 'run-1:label', 'user-agent': 'Hookflow/0.1', 'X-Event': 'e-1' },
      body: '{ "order_id": "A-1", "total": 3 }',
    });
    const [step] = comparison.compare([before], [after]);
    assert.equal(step.status, 'same');
    assert.deepEqual(step.changes, []);
  });

  it('names exactly the JSON body field that changed, with both values', () => {
    const [step] = comparison.compare(
      [sent('label', labelRequest({ order_id: 'A-1', items: [{ sku: 'x' }] }))],
      [sent('label', labelRequest({ order_id: 'order A-1', items: [{ sku: 'x' }] }))],
    );
    assert.equal(step.status, 'changed');
    assert.deepEqual(step.changes, [{ path: 'body.order_id', before: 'A-1', after: 'order A-1' }]);
  });

  it('gives paths into lists and odd keys, and leaves out the side a field is missing from', () => {
    const changes = comparison.changes(
      labelRequest({ items: [{ sku: 'x' }], 'a.b': 1 }, { 'x-old': '1' }),
      labelRequest({ items: [{ sku: 'y' }, { sku: 'z' }], 'a.b': 2 }, { 'x-new': '2' }),
    );
    assert.deepEqual(changes, [
      { path: 'headers.x-old', before: '1' },
      { path: 'body.items[0].sku', before: 'x', after: 'y' },
      { path: 'body["a.b"]', before: 1, after: 2 },
      { path: 'headers.x-new', after: '2' },
      { path: 'body.items[1].sku', after: 'z' },
    ]);
  });

  it('compares per-send signature headers by presence only, and secrets as [secret] like any text', () => {
    const signed = (signature: string, timestamp: string) =>
      labelRequest({ token: '[secret]' }, { 'webhook-id': 'run-1:label', 'webhook-signature': signature, 'webhook-timestamp': timestamp });
    const [same] = comparison.compare([sent('label', signed('v1,abc=', '1700000000'))], [sent('label', signed('(added when sent)', '(added when sent)'))]);
    assert.equal(same.status, 'same');

    const [unsigned] = comparison.compare([sent('label', signed('v1,abc=', '1700000000'))], [sent('label', labelRequest({ token: '[secret]' }))]);
    assert.equal(unsigned.status, 'changed');
    assert.deepEqual(
      unsigned.changes.map((change) => change.path),
      ['headers.webhook-id', 'headers.webhook-signature', 'headers.webhook-timestamp'],
    );
  });

  it('compares a body that is not JSON as text', () => {
    const form = (body: string) => ({ method: 'POST', url: 'https://x.test/', headers: {}, body });
    assert.deepEqual(comparison.changes(form('a=1&b=2'), form('a=1&b=3')), [{ path: 'body', before: 'a=1&b=2', after: 'a=1&b=3' }]);
    assert.deepEqual(comparison.changes({ ...form(''), body: undefined }, { ...form(''), body: null }), []);
  });

  it('compares the detail of kinds without a request field by field', () => {
    const [step] = comparison.compare([sent('remember', { to: 'a@b.c', n: 1 }, 'set')], [sent('remember', { to: 'a@b.c', n: 2 }, 'set')]);
    assert.equal(step.status, 'changed');
    assert.deepEqual(step.changes, [{ path: 'n', before: 1, after: 2 }]);
  });

  it('reports a step only in the edit as added and one only in the run as removed, in place', () => {
    const result = comparison.compare(
      [sent('a', { x: 1 }, 'set'), sent('b', { x: 2 }, 'set'), sent('c', { x: 3 }, 'set')],
      [sent('a', { x: 1 }, 'set'), sent('new', { x: 9 }, 'set'), sent('c', { x: 3 }, 'set')],
    );
    assert.deepEqual(
      result.map((step) => [step.id, step.status]),
      [
        ['a', 'same'],
        ['b', 'removed'],
        ['new', 'added'],
        ['c', 'same'],
      ],
    );
    const removed = result[1];
    assert.deepEqual([removed.before, removed.after], [{ x: 2 }, null]);
    const added = result[2];
    assert.deepEqual([added.before, added.after], [null, { x: 9 }]);
  });

  it('calls a step that ran but that the edit skips changed, and says why; one that sends nothing on either side the same', () => {
    const [step] = comparison.compare([sent('label', labelRequest({}))], [skipped('label')]);
    assert.equal(step.status, 'changed');
    assert.deepEqual(step.changes, []);
    assert.equal(step.after, null);
    assert.equal(step.note, 'the run sent it; the edit skipped it (its `if` is false)');

    const [both] = comparison.compare([skipped('label')], [skipped('label')]);
    assert.equal(both.status, 'same');
    const [neither] = comparison.compare([skipped('label')], [{ id: 'label', kind: 'http', state: 'not-sent', request: null, note: 'would fail' }]);
    assert.equal(neither.status, 'same', 'nothing sent on either side');
    assert.equal(neither.note, 'run: its `if` is false; edit: would fail');
  });

  it('calls a step whose kind changed changed, even when its fields match', () => {
    const [step] = comparison.compare([sent('tell', labelRequest({}), 'http')], [sent('tell', labelRequest({}), 'slack')]);
    assert.equal(step.status, 'changed');
    assert.match(step.note!, /kind changed from http to slack/);
  });
});
