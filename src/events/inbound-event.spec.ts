import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventContextOf, InboundEvent, sampleEvent, storedEvent, StoredEventRow, syntheticEvent } from './inbound-event';

const RECEIVED_AT = new Date('2026-12-03T09:30:00Z');

function stored(overrides: Partial<StoredEventRow> = {}): StoredEventRow {
  return {
    id: '0193a7e0-0000-7000-8000-000000000001',
    source: 'shop',
    type: 'order.paid',
    receivedAt: RECEIVED_AT,
    headers: { 'content-type': 'application/json', authorization: '[secret]' },
    query: 'tag=a&tag=b&page=2',
    contentType: 'application/json',
    body: Buffer.from('{"order":{"id":7}}'),
    ...overrides,
  };
}

describe('eventContextOf', () => {
  it('gives templates the event with its arrival time as ISO text, the query parsed and the body as read', () => {
    assert.deepEqual(eventContextOf(storedEvent(stored())), {
      id: '0193a7e0-0000-7000-8000-000000000001',
      source: 'shop',
      type: 'order.paid',
      received_at: '2026-12-03T09:30:00.000Z',
      headers: { 'content-type': 'application/json', authorization: '[secret]' },
      query: { tag: ['a', 'b'], page: '2' },
      body: { order: { id: 7 } },
    });
  });

  it('hands on the body ingress read, without reading the bytes again', () => {
    const value = { order: { id: 7 } };
    const event: InboundEvent = { ...storedEvent(stored()), body: { format: 'json', value } };
    assert.equal(eventContextOf(event).body, value);
  });
});

describe('storedEvent', () => {
  it('reads stored bytes that claimed to be JSON but are not as text, as ingress did', () => {
    const event = storedEvent(stored({ body: Buffer.from('{"order": 7') }));
    assert.equal(event.body.format, 'text');
    assert.equal(event.body.value, '{"order": 7');
    assert.match(event.body.problem ?? '', /^body is not valid JSON/);
  });

  it('reads a form, and an arrival time the driver gave as text', () => {
    const event = storedEvent(
      stored({ contentType: 'application/x-www-form-urlencoded', body: Buffer.from('a=1&a=2&b=3'), receivedAt: '2026-12-03T09:30:00Z' }),
    );
    assert.deepEqual(event.body, { format: 'form', value: { a: ['1', '2'], b: '3' } });
    assert.deepEqual(event.receivedAt, RECEIVED_AT);
  });
});

describe('syntheticEvent', () => {
  it('stores its body as JSON and gives templates that JSON read back', () => {
    const event = syntheticEvent({ source: 'workflow', type: 'workflow.parent', headers: { 'x-chain': 'parent' }, body: { id: 7, gone: undefined } });
    assert.equal(event.rawBody.toString(), '{"id":7}');
    assert.deepEqual(event.body, { format: 'json', value: { id: 7 } });
    assert.equal(event.contentType, 'application/json');
    assert.equal(event.query, '');
    assert.deepEqual(event.headers, { 'x-chain': 'parent' });
    assert.match(event.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('gives an event without a body an empty object, stored and read alike', () => {
    const event = syntheticEvent({ source: 'schedule', type: 'schedule', body: undefined, receivedAt: RECEIVED_AT });
    assert.equal(event.rawBody.toString(), '{}');
    assert.deepEqual(eventContextOf(event).body, {});
    assert.deepEqual(event.headers, {});
    assert.equal(event.receivedAt, RECEIVED_AT);
  });
});

describe('sampleEvent', () => {
  const identity = { id: 'dry-run', source: 'shop', type: '', receivedAt: RECEIVED_AT };

  it('reads a string body as bytes with its content type: JSON that does not parse stays text', () => {
    const json = sampleEvent({ headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' }, identity);
    assert.deepEqual(json.body, { format: 'json', value: { a: 1 } });
    const broken = sampleEvent({ headers: { 'Content-Type': 'application/json' }, body: '{"a":' }, identity);
    assert.equal(broken.body.format, 'text');
    assert.equal(broken.body.value, '{"a":');
  });

  it('takes a body given as data as it is', () => {
    const event = sampleEvent({ body: { order: { total: 5 } } }, identity);
    assert.deepEqual(event.body, { format: 'json', value: { order: { total: 5 } } });
    assert.equal(event.rawBody.toString(), '{"order":{"total":5}}');
    assert.deepEqual(sampleEvent({ body: undefined }, identity).body, { format: 'json', value: null });
  });

  it('lower-cases header names, joins repeated values and accepts the query as text or as an object', () => {
    const event = sampleEvent({ headers: { 'X-Tag': ['a', 'b'], 'X-None': null }, query: { tag: ['a', 'b'], n: 1 }, body: {} }, identity);
    assert.deepEqual(event.headers, { 'x-tag': 'a, b' });
    assert.deepEqual(eventContextOf(event).query, { tag: ['a', 'b'], n: '1' });
    assert.equal(sampleEvent({ query: '?n=1', body: {} }, identity).query, 'n=1');
  });
});
