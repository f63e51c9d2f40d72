import type { VerifyScheme } from '../../workflows/workflow.types';

/** How far a signed timestamp may lie from the receiving clock, in either direction. */
export const TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;

export interface SchemePreset {
  /** Handlebars template for the event type; '' means the event has no type. */
  eventType: string;
  /** Handlebars template for the dedupe key; unset or rendering '' means no dedupe. */
  dedupeKey?: string;
}

const BODY_TYPE: SchemePreset = { eventType: '{{default event.body.type ""}}' };

/**
 * What a source's `event_type` and `dedupe_key` default to for each scheme. Lookups that may be
 * absent sit inside `default`, so a missing header or field renders '' instead of failing.
 */
export const SCHEME_PRESETS: Record<VerifyScheme, SchemePreset> = {
  none: BODY_TYPE,
  'hmac-sha256': BODY_TYPE,
  'api-key': BODY_TYPE,
  basic: BODY_TYPE,
  github: {
    eventType: '{{default event.headers.x-github-event ""}}',
    dedupeKey: '{{default event.headers.x-github-delivery ""}}',
  },
  stripe: {
    eventType: '{{default event.body.type ""}}',
    dedupeKey: '{{default event.body.id ""}}',
  },
  'standard-webhooks': {
    eventType: '{{default event.body.type ""}}',
    dedupeKey: '{{default event.headers.webhook-id ""}}',
  },
  slack: {
    eventType: '{{default event.body.event.type (default event.body.type "")}}',
    dedupeKey: '{{default event.body.event_id ""}}',
  },
  shopify: {
    eventType: '{{default event.headers.x-shopify-topic ""}}',
    dedupeKey: '{{default event.headers.x-shopify-webhook-id ""}}',
  },
};
