import { bodyHmacVerification, type BodyHmacFormat } from './body-hmac';
import { defineScheme, noOptions, secretOptionsSchema } from './verification-scheme';

const FORMAT: BodyHmacFormat = { header: 'x-shopify-hmac-sha256', encoding: 'base64' };

/** Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`. */
export default defineScheme({
  scheme: 'shopify',
  optionsSchema: secretOptionsSchema(
    'Shopify: X-Shopify-Hmac-Sha256, the base64 HMAC-SHA256 of the raw body.',
    {},
    {
      description: 'The app\'s client secret, usually "{{secrets.NAME}}"; a list accepts any of them, for rotation.',
    },
  ),
  readOptions: noOptions,
  preset: {
    eventType: '{{default event.headers.x-shopify-topic ""}}',
    dedupeKey: '{{default event.headers.x-shopify-webhook-id ""}}',
  },
  handshake: null,
  credentialHeaders: () => [FORMAT.header],
  verify: bodyHmacVerification(() => FORMAT),
});
