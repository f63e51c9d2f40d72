import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Handlebars from 'handlebars';
import { VERIFY_SCHEMES, type VerifyScheme } from '../../workflows/workflow.types';
import { SCHEME_PRESETS } from './scheme-presets';

// A stand-in for the engine's `default` helper: the value, or the fallback when it is missing.
const handlebars = Handlebars.create();
handlebars.registerHelper('default', (value: unknown, fallback: unknown) => value ?? fallback);

interface EventContext {
  headers?: Record<string, string>;
  body?: unknown;
}

function renderPreset(scheme: VerifyScheme, event: EventContext) {
  const render = (template: string | undefined) =>
    template === undefined
      ? undefined
      : handlebars.compile(template, { noEscape: true })({ event });
  const preset = SCHEME_PRESETS[scheme];
  return { eventType: render(preset.eventType), dedupeKey: render(preset.dedupeKey) };
}

describe('SCHEME_PRESETS', () => {
  it('reads type and delivery id from GitHub headers', () => {
    const event = { headers: { 'x-github-event': 'push', 'x-github-delivery': 'd-1' }, body: {} };
    assert.deepEqual(renderPreset('github', event), { eventType: 'push', dedupeKey: 'd-1' });
  });

  it('reads type and id from a Stripe event body', () => {
    const event = { headers: {}, body: { id: 'evt_1', type: 'charge.succeeded' } };
    assert.deepEqual(renderPreset('stripe', event), {
      eventType: 'charge.succeeded',
      dedupeKey: 'evt_1',
    });
  });

  it('reads the body type and the webhook-id header for Standard Webhooks', () => {
    const event = { headers: { 'webhook-id': 'msg_1' }, body: { type: 'invoice.paid' } };
    assert.deepEqual(renderPreset('standard-webhooks', event), {
      eventType: 'invoice.paid',
      dedupeKey: 'msg_1',
    });
  });

  it('prefers the inner Slack event type and falls back to the envelope type', () => {
    const body = { type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention' } };
    assert.deepEqual(renderPreset('slack', { headers: {}, body }), {
      eventType: 'app_mention',
      dedupeKey: 'Ev1',
    });
    const handshake = { headers: {}, body: { type: 'url_verification', challenge: 'c' } };
    assert.deepEqual(renderPreset('slack', handshake), {
      eventType: 'url_verification',
      dedupeKey: '',
    });
  });

  it('reads topic and webhook id from Shopify headers', () => {
    const headers = { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'w-1' };
    assert.deepEqual(renderPreset('shopify', { headers, body: {} }), {
      eventType: 'orders/create',
      dedupeKey: 'w-1',
    });
  });

  it('uses the body type and no dedupe key for the generic schemes', () => {
    for (const scheme of ['none', 'hmac-sha256', 'api-key', 'basic'] as const) {
      const event = { headers: {}, body: { type: 'order.paid', id: 'o-1' } };
      const expected = { eventType: 'order.paid', dedupeKey: undefined };
      assert.deepEqual(renderPreset(scheme, event), expected, scheme);
    }
  });

  it('renders an empty string, not an error, when the looked-up values are absent', () => {
    for (const scheme of VERIFY_SCHEMES) {
      const rendered = renderPreset(scheme, { headers: {}, body: 'not json' });
      assert.equal(rendered.eventType, '', scheme);
      assert.ok(rendered.dedupeKey === undefined || rendered.dedupeKey === '', scheme);
    }
  });
});
