import { decodeBase64, malformedHeader, requiredHeaders } from './signature-primitives';
import { credentialVerification } from './verification-flows';
import { BODY_TYPE_PRESET, defineScheme, noOptions, secretOptionsSchema } from './verification-scheme';

const HEADER = 'authorization';
const COLON = 0x3a;

/** HTTP Basic authentication; each secret is the string `user:password`. */
export default defineScheme({
  scheme: 'basic',
  optionsSchema: secretOptionsSchema(
    'HTTP Basic authentication in the Authorization header.',
    {},
    {
      description: 'The credentials as "user:password", usually "{{secrets.NAME}}"; a list accepts any of them, for rotation.',
    },
  ),
  readOptions: noOptions,
  preset: BODY_TYPE_PRESET,
  handshake: null,
  credentialHeaders: () => [HEADER],
  verify: credentialVerification((request) => {
    const found = requiredHeaders(request, HEADER);
    if (!found.ok) return found;
    const match = /^Basic\s+(\S+)$/i.exec(found.values[0]);
    const credentials = match ? decodeBase64(match[1]) : undefined;
    if (credentials === undefined || !credentials.includes(COLON)) return malformedHeader(HEADER);
    return { ok: true, credential: credentials };
  }, 'invalid credentials'),
});
