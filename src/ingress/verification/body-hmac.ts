import { decodeBase64, decodeHex, malformedHeader, requiredHeaders } from './signature-primitives';
import { hmacVerification, type SignatureClaim } from './verification-flows';
import type { Checked, InboundRequest, ResolvedVerify } from './verification-scheme';

/** Where and how a provider sends the HMAC-SHA256 of the raw body. */
export interface BodyHmacFormat {
  /** Lower-case name of the header carrying the signature. */
  header: string;
  encoding: 'hex' | 'base64';
  /** Text before the encoded MAC, matched at the start; `required`: a value without it is malformed. */
  prefix?: { pattern: RegExp; required: boolean };
}

const DECODERS = { hex: decodeHex, base64: decodeBase64 };

function readBodyHmac(format: BodyHmacFormat, request: InboundRequest): Checked<SignatureClaim> {
  const found = requiredHeaders(request, format.header);
  if (!found.ok) return found;
  const [value] = found.values;
  const prefix = format.prefix && format.prefix.pattern.exec(value);
  if (format.prefix?.required && !prefix) return malformedHeader(format.header);
  const signature = DECODERS[format.encoding](prefix ? value.slice(prefix[0].length) : value);
  if (signature === undefined) return malformedHeader(format.header);
  return { ok: true, signatures: [signature], signedBeforeBody: '' };
}

/**
 * Verification by an HMAC-SHA256 of the raw body alone (GitHub, Shopify, the generic
 * `hmac-sha256`), in the format a source's options give.
 */
export function bodyHmacVerification<Options extends object>(formatOf: (verify: ResolvedVerify & Options) => BodyHmacFormat) {
  return hmacVerification<Options>((request, verify) => readBodyHmac(formatOf(verify), request));
}
