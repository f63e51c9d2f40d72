import { requiredHeaders } from './signature-primitives';
import { credentialVerification } from './verification-flows';
import { BODY_TYPE_PRESET, defineScheme, secretOptionsSchema, type VerifyOptionsInput } from './verification-scheme';

export const DEFAULT_API_KEY_HEADER = 'x-api-key';

interface ApiKeyOptions {
  header?: string;
}

/** A shared key in a header; in `Authorization` it may come as `Bearer <key>`. */
export default defineScheme({
  scheme: 'api-key',
  optionsSchema: secretOptionsSchema(
    'A shared key in a header; in Authorization it may come as "Bearer <key>".',
    {
      header: { type: 'string', default: DEFAULT_API_KEY_HEADER, description: 'The header that carries the key.' },
    },
    { description: 'The key, usually "{{secrets.NAME}}"; a list accepts any of them, for rotation.' },
  ),
  readOptions: (input: VerifyOptionsInput): ApiKeyOptions => ({ header: input.string('header')?.toLowerCase() }),
  preset: BODY_TYPE_PRESET,
  handshake: null,
  credentialHeaders: (options) => [(options.header ?? DEFAULT_API_KEY_HEADER).toLowerCase()],
  verify: credentialVerification<ApiKeyOptions>((request, verify) => {
    const header = (verify.header ?? DEFAULT_API_KEY_HEADER).toLowerCase();
    const found = requiredHeaders(request, header);
    if (!found.ok) return found;
    const [value] = found.values;
    return { ok: true, credential: header === 'authorization' ? value.replace(/^Bearer\s+/i, '') : value };
  }, 'invalid api key'),
});
