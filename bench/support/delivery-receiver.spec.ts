import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { DeliveryReceiver, ReceiverGroup } from './delivery-receiver';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

async function deliver(url: string, id: string, headers: Record<string, string> = {}, copy?: string): Promise<number> {
  const body = JSON.stringify({ id, ...(copy ? { copy } : {}), sent_at: Date.now() });
  const response = await fetch(`${url}/deliver`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  await response.arrayBuffer();
  return response.status;
}

function signed(id: string, body: string, key = secret): Record<string, string> {
  const timestamp = new Date();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(key).sign(id, timestamp, body),
  };
}

describe(DeliveryReceiver.name, () => {
  const receiver = new DeliveryReceiver(secret);
  let url = '';

  before(async () => (url = await receiver.start()));
  after(() => receiver.stop());
  beforeEach(() => receiver.reset());

  it('counts a second delivery of the same event id as a duplicate, not as a new arrival', async () => {
    assert.equal(await deliver(url, 'rate-ab-1'), 200);
    await deliver(url, 'rate-ab-1');
    await deliver(url, 'rate-ab-2');
    assert.equal(receiver.uniqueArrivals.length, 2);
    assert.equal(receiver.duplicates, 1);
    assert.equal(receiver.countWithPrefix('rate-ab-'), 2);
  });

  it('records the sent_at of the body and an arrival time after it', async () => {
    await deliver(url, 'sat-cd-1');
    const [arrival] = receiver.arrivalsWithPrefix('sat-cd-');
    assert.ok(arrival.arrivedAt >= arrival.sentAt - 1, `${arrival.arrivedAt} before ${arrival.sentAt}`);
  });

  it('flags a sampled request whose signature was made with another secret', async () => {
    const body = JSON.stringify({ id: 'x-1', sent_at: 1 });
    const wrongKey = `whsec_${randomBytes(32).toString('base64')}`;
    const response = await fetch(`${url}/deliver`, { method: 'POST', body, headers: signed('msg_1', body, wrongKey) });
    await response.arrayBuffer();
    assert.deepEqual({ ...receiver.signatureCheck, firstProblem: undefined }, { checked: 1, valid: 0, invalid: 1, unsigned: 0, firstProblem: undefined });
  });

  it('accepts a sampled request signed with its secret', async () => {
    const body = JSON.stringify({ id: 'x-2', sent_at: 1 });
    const response = await fetch(`${url}/deliver`, { method: 'POST', body, headers: signed('msg_2', body) });
    await response.arrayBuffer();
    assert.equal(receiver.signatureCheck.valid, 1);
  });
});

describe(`${DeliveryReceiver.name}: fan-out copies, slow answers and groups`, () => {
  const fast = new DeliveryReceiver(secret);
  const slow = new DeliveryReceiver(secret, { answerDelayMs: 200 });
  const group = new ReceiverGroup([fast, slow]);
  const urls = { fast: '', slow: '' };

  before(async () => {
    urls.fast = await fast.start();
    urls.slow = await slow.start();
  });
  after(async () => {
    await fast.stop();
    await slow.stop();
  });
  beforeEach(() => group.reset());

  it('counts each copy of an event once and only a repeated copy as a duplicate', async () => {
    await deliver(urls.fast, 'fan-ab-1', {}, 'w1');
    await deliver(urls.fast, 'fan-ab-1', {}, 'w2');
    await deliver(urls.fast, 'fan-ab-1', {}, 'w2');
    assert.equal(fast.countWithPrefix('fan-ab-'), 2);
    assert.deepEqual(
      fast.uniqueArrivals.map((arrival) => arrival.copy),
      ['w1', 'w2'],
    );
    assert.equal(fast.duplicates, 1);
  });

  it('records the arrival at once and the answer after the delay', async () => {
    const started = Date.now();
    assert.equal(await deliver(urls.slow, 'slow-cd-1'), 200);
    assert.ok(Date.now() - started >= 190, `answered after ${Date.now() - started} ms`);
    const [arrival] = slow.arrivalsWithPrefix('slow-cd-');
    assert.ok(arrival.answeredAt! - arrival.arrivedAt >= 190, `answered ${arrival.answeredAt! - arrival.arrivedAt} ms after arriving`);
  });

  it('reads several receivers as one', async () => {
    await deliver(urls.fast, 'mix-ef-1');
    await deliver(urls.slow, 'mix-ef-2');
    await deliver(urls.slow, 'mix-ef-2');
    assert.equal(group.countWithPrefix('mix-ef-'), 2);
    assert.deepEqual(
      group
        .arrivalsWithPrefix('mix-ef-')
        .map((arrival) => arrival.id)
        .sort(),
      ['mix-ef-1', 'mix-ef-2'],
    );
    assert.equal(group.duplicates, 1);
    group.reset();
    assert.equal(group.uniqueArrivals.length, 0);
  });
});
