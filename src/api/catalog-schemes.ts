import { DEFAULT_API_KEY_HEADER } from '../ingress/verification/api-key.scheme';
import { DEFAULT_SIGNATURE_HEADER } from '../ingress/verification/hmac-sha256.scheme';
import { SCHEME_PRESETS } from '../ingress/verification/scheme-presets';
import type { JsonSchema } from '../connectors/step-kind';
import { VERIFY_SCHEMES, VerifyScheme } from '../workflows/workflow.types';
import type { SchemeModel } from './catalog.models';

const SECRET: JsonSchema = {
  type: ['string', 'array'],
  items: { type: 'string' },
  description: 'The shared secret; a list accepts any of them, so a secret can be rotated.',
  examples: ['{{secrets.WEBHOOK_SECRET}}'],
};

/**
 * The verification schemes as the catalog shows them. It reads what verification declares
 * today — the presets, and the options the source validator accepts — and is the one place
 * to point at the scheme registry once schemes declare themselves.
 */
export function verificationSchemes(): SchemeModel[] {
  return VERIFY_SCHEMES.map((scheme) => {
    const preset = SCHEME_PRESETS[scheme];
    return { scheme, options_schema: { ...optionsSchemaOf(scheme) }, preset: { event_type: preset.eventType, dedupe_key: preset.dedupeKey ?? null } };
  });
}

/** Mirrors `SourcesValidator`: `secret` for every scheme but `none`, `header` and `encoding` where they apply. */
function optionsSchemaOf(scheme: VerifyScheme): JsonSchema {
  if (scheme === 'none') return { type: 'object', additionalProperties: false, properties: {} };
  const properties: Record<string, JsonSchema> = { secret: SECRET };
  if (scheme === 'hmac-sha256' || scheme === 'api-key') {
    const header = scheme === 'api-key' ? DEFAULT_API_KEY_HEADER : DEFAULT_SIGNATURE_HEADER;
    properties.header = { type: 'string', default: header, description: scheme === 'api-key' ? 'The header that carries the key.' : 'The header that carries the signature.' };
  }
  if (scheme === 'hmac-sha256') properties.encoding = { type: 'string', enum: ['hex', 'base64'], default: 'hex', description: 'How the digest is written.' };
  return { type: 'object', additionalProperties: false, required: ['secret'], properties };
}
