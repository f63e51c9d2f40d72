import { checkTimestamp, decodeHex, malformedHeader, requiredHeaders } from './signature-primitives';
import { hmacVerification } from './verification-flows';
import { defineScheme, noOptions, secretOptionsSchema, type Handshake } from './verification-scheme';

const SIGNATURE_HEADER = 'x-slack-signature';
const TIMESTAMP_HEADER = 'x-slack-request-timestamp';

/** Slack checks a new events URL by posting `url_verification` and expecting the challenge back. */
const answerUrlVerification: Handshake = (body) => {
  if (typeof body !== 'object' || body === null) return undefined;
  const { type, challenge } = body as { type?: unknown; challenge?: unknown };
  return type === 'url_verification' && challenge !== undefined ? { challenge } : undefined;
};

/** Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">`. */
export default defineScheme({
  scheme: 'slack',
  optionsSchema: secretOptionsSchema(
    'Slack: X-Slack-Signature, v0= and the hex HMAC-SHA256 of "v0:<X-Slack-Request-Timestamp>:<raw body>"; answers url_verification.',
    {},
    { description: 'The app\'s signing secret, usually "{{secrets.NAME}}"; a list accepts any of them, for rotation.' },
  ),
  readOptions: noOptions,
  preset: {
    eventType: '{{default event.body.event.type (default event.body.type "")}}',
    dedupeKey: '{{default event.body.event_id ""}}',
  },
  handshake: answerUrlVerification,
  credentialHeaders: () => [SIGNATURE_HEADER],
  verify: hmacVerification((request, _verify, now) => {
    const found = requiredHeaders(request, SIGNATURE_HEADER, TIMESTAMP_HEADER);
    if (!found.ok) return found;
    const [value, timestamp] = found.values;
    const match = /^v0=(.*)$/.exec(value);
    const signature = match ? decodeHex(match[1]) : undefined;
    if (signature === undefined) return malformedHeader(SIGNATURE_HEADER);
    const fresh = checkTimestamp(timestamp, TIMESTAMP_HEADER, now);
    if (!fresh.ok) return fresh;
    return { ok: true, signatures: [signature], signedBeforeBody: `v0:${timestamp}:` };
  }),
});
