import { OK } from './signature-primitives';
import { BODY_TYPE_PRESET, defineScheme, noOptions } from './verification-scheme';

/** Accepts every request: for sources that are protected some other way (or not at all). */
export default defineScheme({
  scheme: 'none',
  optionsSchema: {
    type: 'object',
    description: 'No verification: every request is accepted. For sources protected some other way.',
    properties: {},
    required: [],
    additionalProperties: false,
  },
  readOptions: noOptions,
  preset: BODY_TYPE_PRESET,
  handshake: null,
  credentialHeaders: () => [],
  verify: () => OK,
});
