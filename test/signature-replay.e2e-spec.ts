import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const GITHUB_SECRET = 'github-secret-for-replay-tests';
const SHOPIFY_SECRET = 'shopify-secret-for-replay-tests';

// What docs/sources.md says about schemes without a timestamp, and its mitigations.
const SOURCES = `
sources:
  github:
    verify: { scheme: github, secret: "{{secrets.GITHUB_SECRET}}" }
  shopify:
    verify: { scheme: shopify, secret: "{{secrets.SHOPIFY_SECRET}}" }
  shopify-by-body:
    verify: { scheme: shopify, secret: "{{secrets.SHOPIFY_SECRET}}" }
    dedupe_key: "{{event.body.id}}:{{event.body.updated_at}}"
`;

const RECENT_ORDERS_ONLY = `
name: recent-orders-only
on:
  webhook: shopify-by-body
  if: '{{gt (date event.body.updated_at "ms") (sub (date event.received_at "ms") 600000)}}'
steps:
  - id: note
    uses: set
    with: { order: "{{event.body.id}}" }
`;

describe('replaying a delivery signed without a timestamp', () => {
  let hookflow: TestApp;

  before(async () => {
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'recent-orders-only.yaml': RECENT_ORDERS_ONLY },
      env: { HOOKFLOW_ROLE: 'ingress', GITHUB_SECRET, SHOPIFY_SECRET },
    });
  });
  after(() => hookflow.close());

  function sendGithub(body: string, signature: string, headers: Record<string, string>) {
    return post(`${hookflow.baseUrl}/hooks/github`, body, { 'x-hub-signature-256': signature, ...headers });
  }

  function sendShopify(source: string, body: string, deliveryId: string, topic = 'orders/updated') {
    const signature = createHmac('sha256', SHOPIFY_SECRET).update(body).digest('base64');
    return post(`${hookflow.baseUrl}/hooks/${source}`, body, {
      'x-shopify-hmac-sha256': signature,
      'x-shopify-topic': topic,
      'x-shopify-webhook-id': deliveryId,
    });
  }

  it('accepts a captured GitHub delivery again under a new X-GitHub-Delivery and another event type', async () => {
    const body = JSON.stringify({ action: 'opened', number: 7 });
    const signature = `sha256=${createHmac('sha256', GITHUB_SECRET).update(body).digest('hex')}`;
    const original = await sendGithub(body, signature, { 'x-github-event': 'pull_request', 'x-github-delivery': 'gh-original' });
    const replayed = await sendGithub(body, signature, { 'x-github-event': 'issues', 'x-github-delivery': 'gh-replayed' });
    assert.equal(original.status, 202);
    assert.equal(replayed.status, 202, 'the preset dedupe key (the unsigned delivery id) does not catch it');
    const [event] = await hookflow.query(`SELECT type FROM events WHERE id = $1`, [replayed.body.event_id]);
    assert.deepEqual(event, { type: 'issues' });
  });

  it('accepts a captured Shopify delivery again under a new X-Shopify-Webhook-Id', async () => {
    const body = JSON.stringify({ id: 450789469, updated_at: new Date().toISOString() });
    assert.equal((await sendShopify('shopify', body, 'shop-original')).status, 202);
    assert.equal((await sendShopify('shopify', body, 'shop-replayed')).status, 202);
  });

  it('answers the replay as a duplicate when the dedupe key comes from the signed body', async () => {
    const body = JSON.stringify({ id: 450789470, updated_at: new Date().toISOString() });
    const original = await sendShopify('shopify-by-body', body, 'by-body-original');
    const replayed = await sendShopify('shopify-by-body', body, 'by-body-replayed');
    assert.equal(original.status, 202);
    assert.equal(replayed.status, 200);
    assert.deepEqual(replayed.body, { event_id: original.body.event_id, runs: 0, duplicate: true });
  });

  it("starts no run for a delivery whose payload time is older than the trigger's if allows", async () => {
    const fresh = await sendShopify('shopify-by-body', JSON.stringify({ id: 1, updated_at: new Date().toISOString() }), 'fresh');
    const stale = await sendShopify('shopify-by-body', JSON.stringify({ id: 2, updated_at: new Date(Date.now() - 3_600_000).toISOString() }), 'stale');
    assert.equal(fresh.body.runs, 1);
    assert.equal(stale.status, 202);
    assert.equal(stale.body.runs, 0);
  });
});
