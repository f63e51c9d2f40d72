/** Shorter values are not scrubbed: replacing every "1" or "on" in a response would wreck it for nothing. */
export const SHORTEST_SCRUBBED = 4;

/** Encoded fragments shorter than this are too likely to occur by chance to be replaced. */
const SHORTEST_ENCODED_FRAGMENT = 8;

/**
 * The ways a receiver or a log line may write a secret back: as it is, in other case,
 * JSON-escaped, URL-encoded, as hex, and in base64 or base64url — also as part of a longer
 * encoded text (an echoed `Authorization: Basic …` header), which is why each base64 form is
 * taken at all three byte alignments, keeping only the characters that encode the secret alone.
 */
export function secretForms(secret: string): string[] {
  if (secret.length < SHORTEST_SCRUBBED) return [];
  const forms = new Set([secret, secret.toLowerCase(), secret.toUpperCase(), JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  const bytes = Buffer.from(secret, 'utf8');
  const hex = bytes.toString('hex');
  const encoded = [hex, hex.toUpperCase()];
  for (const alphabet of ['base64', 'base64url'] as const) {
    for (let offset = 0; offset < 3; offset++) encoded.push(alignedBase64(bytes, offset, alphabet));
  }
  for (const form of encoded) if (form.length >= SHORTEST_ENCODED_FRAGMENT) forms.add(form);
  return [...forms];
}

/**
 * The base64 characters that encode only `bytes` when `offset` other bytes come before them:
 * the first group (shared with those bytes) and the last partial group are left out.
 */
function alignedBase64(bytes: Buffer, offset: number, alphabet: 'base64' | 'base64url'): string {
  const text = Buffer.concat([Buffer.alloc(offset), bytes]).toString(alphabet);
  const whole = Math.floor((offset + bytes.length) / 3) * 4;
  return text.slice(offset === 0 ? 0 : 4, whole);
}
