import { bodyHmacVerification, type BodyHmacFormat } from './body-hmac';
import { defineScheme, noOptions, secretOptionsSchema } from './verification-scheme';

const FORMAT: BodyHmacFormat = { header: 'x-hub-signature-256', encoding: 'hex', prefix: { pattern: /^sha256=/, required: true } };

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`. */
export default defineScheme({
  scheme: 'github',
  optionsSchema: secretOptionsSchema(
    'GitHub: X-Hub-Signature-256, sha256= and the hex HMAC-SHA256 of the raw body.',
    {},
    {
      description: 'The webhook secret set in GitHub, usually "{{secrets.NAME}}"; a list accepts any of them, for rotation.',
    },
  ),
  readOptions: noOptions,
  preset: {
    eventType: '{{default event.headers.x-github-event ""}}',
    dedupeKey: '{{default event.headers.x-github-delivery ""}}',
  },
  handshake: null,
  credentialHeaders: () => [FORMAT.header],
  verify: bodyHmacVerification(() => FORMAT),
});
