import { bodyHmacVerification } from './body-hmac';
import { BODY_TYPE_PRESET, defineScheme, secretOptionsSchema, type VerifyOptionsInput } from './verification-scheme';

export const DEFAULT_SIGNATURE_HEADER = 'x-signature';
const ENCODINGS = ['hex', 'base64'] as const;

interface HmacSha256Options {
  header?: string;
  encoding?: (typeof ENCODINGS)[number];
}

/** Generic HMAC-SHA256 of the raw body, hex or base64, optionally prefixed `sha256=`. */
export default defineScheme({
  scheme: 'hmac-sha256',
  optionsSchema: secretOptionsSchema('HMAC-SHA256 of the raw body in a header, hex or base64, optionally prefixed sha256=.', {
    header: { type: 'string', default: DEFAULT_SIGNATURE_HEADER, description: 'The header that carries the signature.' },
    encoding: { type: 'string', enum: ENCODINGS, default: 'hex', description: 'How the signature is encoded.' },
  }),
  readOptions: (input: VerifyOptionsInput): HmacSha256Options => ({
    header: input.string('header')?.toLowerCase(),
    encoding: input.oneOf('encoding', ENCODINGS),
  }),
  preset: BODY_TYPE_PRESET,
  handshake: null,
  credentialHeaders: (options) => [(options.header ?? DEFAULT_SIGNATURE_HEADER).toLowerCase()],
  verify: bodyHmacVerification<HmacSha256Options>((verify) => ({
    header: (verify.header ?? DEFAULT_SIGNATURE_HEADER).toLowerCase(),
    encoding: verify.encoding === 'base64' ? 'base64' : 'hex',
    prefix: { pattern: /^sha256=/i, required: false },
  })),
});
