import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import type { VerifyScheme } from '../../workflows/workflow.types';
import { SignatureVerifier } from './signature-verifier';
import type { ResolvedVerify } from './verification-scheme';
import { inboundRequest, unixSeconds } from './verification-test-kit';

const RUNS = { numRuns: 200 };
const NOW = new Date('2025-06-01T12:00:00Z');
const verifier = new SignatureVerifier();
const stripe = new Stripe('sk_test_not_used');
let githubSign: (secret: string, payload: string) => Promise<string>;

interface SignedRequest {
  headers: Record<string, string>;
  /** The header holding the MAC, and where the MAC's encoded text sits in it. */
  macHeader: string;
  macStart: number;
  /** The header holding the timestamp, and where its digits sit in it (timestamped schemes). */
  timestamp?: { header: string; start: number; end: number };
}

interface ProviderCase {
  name: string;
  verify: Pick<ResolvedVerify, 'scheme'> & Record<string, unknown>;
  encoding: 'hex' | 'base64';
  secret: fc.Arbitrary<string>;
  /** What the provider sends for `body` at `at`, made by its own library where there is one. */
  sign(secret: string, body: string, at: Date): Promise<SignedRequest>;
}

const hmac = (secret: string | Buffer, content: string, encoding: 'hex' | 'base64') => createHmac('sha256', secret).update(content).digest(encoding);
const textSecret = fc.string({ minLength: 1, maxLength: 40 });
const whsecSecret = fc.uint8Array({ minLength: 16, maxLength: 40 }).map((key) => `whsec_${Buffer.from(key).toString('base64')}`);

function macAfter(header: string, value: string, prefix: string): Pick<SignedRequest, 'macHeader' | 'macStart'> & { headers: Record<string, string> } {
  return { headers: { [header]: value }, macHeader: header, macStart: value.indexOf(prefix) + prefix.length };
}

/** A scheme whose MAC is the HMAC-SHA256 of the body alone, as its providers document it. */
function bodyHmac(name: string, verify: ProviderCase['verify'], header: string, encoding: 'hex' | 'base64', prefix = ''): ProviderCase {
  return { name, verify, encoding, secret: textSecret, sign: async (secret, body) => macAfter(header, `${prefix}${hmac(secret, body, encoding)}`, prefix) };
}

const PROVIDERS: ProviderCase[] = [
  bodyHmac('hmac-sha256 (hex, sha256= prefix)', { scheme: 'hmac-sha256', header: 'x-signature' }, 'x-signature', 'hex', 'sha256='),
  bodyHmac('hmac-sha256 (base64)', { scheme: 'hmac-sha256', header: 'x-shop-signature', encoding: 'base64' }, 'x-shop-signature', 'base64'),
  bodyHmac('shopify', { scheme: 'shopify' }, 'x-shopify-hmac-sha256', 'base64'),
  {
    name: 'github (@octokit/webhooks-methods)',
    verify: { scheme: 'github' },
    encoding: 'hex',
    secret: textSecret,
    sign: async (secret, body) => macAfter('x-hub-signature-256', await githubSign(secret, body), 'sha256='),
  },
  {
    name: 'stripe (stripe.webhooks.generateTestHeaderString)',
    verify: { scheme: 'stripe' },
    encoding: 'hex',
    secret: textSecret.map((secret) => `whsec_${secret}`),
    sign: async (secret, body, at) => {
      const value = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: unixSeconds(at) });
      const digits = /^t=(\d+)/.exec(value)!;
      return { ...macAfter('stripe-signature', value, ',v1='), timestamp: { header: 'stripe-signature', start: 2, end: 2 + digits[1].length } };
    },
  },
  {
    name: 'standard-webhooks (standardwebhooks)',
    verify: { scheme: 'standard-webhooks' },
    encoding: 'base64',
    secret: whsecSecret,
    sign: async (secret, body, at) => {
      const id = `msg_${unixSeconds(at).toString(36)}`;
      const timestamp = String(unixSeconds(at));
      const signed = macAfter('webhook-signature', new Webhook(secret).sign(id, at, body), 'v1,');
      return {
        ...signed,
        headers: { ...signed.headers, 'webhook-id': id, 'webhook-timestamp': timestamp },
        timestamp: { header: 'webhook-timestamp', start: 0, end: timestamp.length },
      };
    },
  },
  {
    name: 'slack (documented v0 scheme)',
    verify: { scheme: 'slack' },
    encoding: 'hex',
    secret: textSecret,
    sign: async (secret, body, at) => {
      const timestamp = String(unixSeconds(at));
      const signed = macAfter('x-slack-signature', `v0=${hmac(secret, `v0:${timestamp}:${body}`, 'hex')}`, 'v0=');
      return {
        ...signed,
        headers: { ...signed.headers, 'x-slack-request-timestamp': timestamp },
        timestamp: { header: 'x-slack-request-timestamp', start: 0, end: timestamp.length },
      };
    },
  },
];

const bodyArb = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), fc.json({ maxDepth: 3 }));
/** Seconds from now that the 5-minute tolerance accepts, and ones it does not. */
const insideWindow = fc.integer({ min: -299, max: 299 });
const outsideWindow = fc.oneof(fc.integer({ min: 301, max: 10 * 365 * 86_400 }), fc.integer({ min: -10 * 365 * 86_400, max: -301 }));
/** One character to put in place of another: any code point, HTTP-invalid ones included. */
const replacement = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });

function at(offsetSeconds: number): Date {
  return new Date(NOW.getTime() + offsetSeconds * 1000);
}

function check(provider: ProviderCase, secrets: string[], body: Buffer | string, headers: Record<string, string>) {
  return verifier.verify(inboundRequest(body, headers), { ...provider.verify, secrets }, NOW);
}

function replaceAt(text: string, index: number, by: string): string {
  return text.slice(0, index) + by + text.slice(index + 1);
}

/**
 * Whether a changed encoding still carries the same MAC: hex in another letter case, base64
 * differing in unused bits or padding (a trailing space is dropped with the header's whitespace).
 */
function sameMac(original: string, changed: string, encoding: 'hex' | 'base64'): boolean {
  const text = changed.trim();
  const alphabet = encoding === 'hex' ? /^[0-9a-fA-F]+$/ : /^[A-Za-z0-9+/]+={0,2}$/;
  return alphabet.test(text) && Buffer.from(text, encoding).equals(Buffer.from(original, encoding));
}

describe(`${SignatureVerifier.name} properties`, () => {
  before(async () => {
    // GitHub's library is ESM-only, so it is loaded with a dynamic import.
    ({ sign: githubSign } = await import('@octokit/webhooks-methods'));
  });

  for (const provider of PROVIDERS) {
    describe(provider.name, () => {
      it('accepts every body its provider signs within the time window, with any position in a rotation list', async () => {
        await fc.assert(
          fc.asyncProperty(
            provider.secret,
            fc.array(provider.secret, { maxLength: 2 }),
            bodyArb,
            insideWindow,
            fc.nat(),
            async (secret, others, body, offset, slot) => {
              const signed = await provider.sign(secret, body, at(offset));
              const secrets = [...others];
              secrets.splice(slot % (others.length + 1), 0, secret);
              assert.deepEqual(check(provider, secrets, Buffer.from(body), signed.headers), { ok: true });
            },
          ),
          RUNS,
        );
      });

      it('refuses a body with any one byte changed', async () => {
        await fc.assert(
          fc.asyncProperty(provider.secret, bodyArb, fc.nat(), fc.integer({ min: 1, max: 255 }), async (secret, body, position, flip) => {
            const signed = await provider.sign(secret, body, NOW);
            const bytes = Buffer.from(body);
            bytes[position % bytes.length] ^= flip;
            assert.deepEqual(check(provider, [secret], bytes, signed.headers), { ok: false, reason: 'signature mismatch' });
          }),
          RUNS,
        );
      });

      it('refuses a signature with any one byte of its MAC changed', async () => {
        await fc.assert(
          fc.asyncProperty(provider.secret, bodyArb, fc.nat(), fc.integer({ min: 1, max: 255 }), async (secret, body, position, flip) => {
            const signed = await provider.sign(secret, body, NOW);
            const header = signed.headers[signed.macHeader];
            const encodedEnd = provider.encoding === 'hex' ? signed.macStart + 64 : signed.macStart + 44;
            const mac = Buffer.from(header.slice(signed.macStart, encodedEnd), provider.encoding);
            mac[position % mac.length] ^= flip;
            const forged = header.slice(0, signed.macStart) + mac.toString(provider.encoding) + header.slice(encodedEnd);
            assert.deepEqual(check(provider, [secret], body, { ...signed.headers, [signed.macHeader]: forged }), { ok: false, reason: 'signature mismatch' });
          }),
          RUNS,
        );
      });

      it('refuses a signature header with any one character of its MAC replaced, unless it spells the same MAC', async () => {
        await fc.assert(
          fc.asyncProperty(provider.secret, bodyArb, fc.nat(), replacement, async (secret, body, position, by) => {
            const signed = await provider.sign(secret, body, NOW);
            const header = signed.headers[signed.macHeader];
            const index = signed.macStart + (position % (header.length - signed.macStart));
            fc.pre(header[index] !== by);
            const changed = replaceAt(header, index, by);
            const result = check(provider, [secret], body, { ...signed.headers, [signed.macHeader]: changed });
            const encodedEnd = provider.encoding === 'hex' ? signed.macStart + 64 : signed.macStart + 44;
            if (!sameMac(header.slice(signed.macStart, encodedEnd), changed.slice(signed.macStart, encodedEnd + by.length - 1), provider.encoding)) {
              assert.equal(result.ok, false, `accepted ${JSON.stringify(changed)}`);
            }
          }),
          RUNS,
        );
      });

      if (provider.verify.scheme === 'stripe' || provider.verify.scheme === 'standard-webhooks' || provider.verify.scheme === 'slack') {
        it('refuses a request its provider signed outside the 5-minute window', async () => {
          await fc.assert(
            fc.asyncProperty(provider.secret, bodyArb, outsideWindow, async (secret, body, offset) => {
              const signed = await provider.sign(secret, body, at(offset));
              assert.deepEqual(check(provider, [secret], body, signed.headers), { ok: false, reason: 'timestamp outside the 5-minute tolerance' });
            }),
            RUNS,
          );
        });

        it('refuses a timestamp with any one character replaced', async () => {
          await fc.assert(
            fc.asyncProperty(provider.secret, bodyArb, insideWindow, fc.nat(), replacement, async (secret, body, offset, position, by) => {
              const signed = await provider.sign(secret, body, at(offset));
              const { header, start, end } = signed.timestamp!;
              const index = start + (position % (end - start));
              fc.pre(signed.headers[header][index] !== by);
              const changed = replaceAt(signed.headers[header], index, by);
              assert.equal(check(provider, [secret], body, { ...signed.headers, [header]: changed }).ok, false, `accepted ${JSON.stringify(changed)}`);
            }),
            RUNS,
          );
        });
      }
    });
  }

  describe('any scheme', () => {
    const SECRETS: Record<Exclude<VerifyScheme, 'none'>, string> = {
      'hmac-sha256': 'hmac-secret-0123456789',
      'standard-webhooks': 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      github: 'github-secret-0123456789',
      stripe: 'whsec_stripe_secret_0123456789',
      slack: 'slack-secret-0123456789',
      shopify: 'shopify-secret-0123456789',
      'api-key': 'api-key-0123456789abcdef',
      basic: 'hookflow:correct horse battery staple',
    };
    const HEADER_NAMES = [
      'x-signature',
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'x-hub-signature-256',
      'stripe-signature',
      'x-slack-signature',
      'x-slack-request-timestamp',
      'x-shopify-hmac-sha256',
      'x-api-key',
      'authorization',
      'content-type',
    ];
    /** Header values from noise to near misses of each scheme's format. */
    const headerValue = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 20 }).map((noise) => `sha256=${noise}`),
      fc.string({ unit: 'binary', maxLength: 20 }).map((noise) => `v1,${noise} v1,${Buffer.from(noise).toString('base64')}`),
      fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 70 })).map(([t, v1]) => `t=${t},v1=${v1},v1=,=,,t=`),
      fc.string({ maxLength: 30 }).map((noise) => `Basic ${Buffer.from(noise).toString('base64')}`),
      fc.string({ maxLength: 30 }).map((noise) => `Bearer ${noise}`),
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
      fc.uint8Array({ maxLength: 35 }).map((bytes) => Buffer.from(bytes).toString('hex')),
      fc.base64String({ maxLength: 60 }),
    );

    it('answers garbage signature headers with a clean refusal, never an exception, never revealing a secret', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...Object.keys(SECRETS)),
          fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerValue),
          fc.uint8Array({ maxLength: 300 }),
          fc.constantFrom<ResolvedVerify['encoding']>('hex', 'base64', undefined),
          (scheme, headers, body, encoding) => {
            const secret = SECRETS[scheme];
            const result = verifier.verify(inboundRequest(Buffer.from(body), { ...headers }), { scheme, secrets: [secret], encoding }, NOW);
            assert.equal(result.ok, false);
            assert.ok(!result.ok && typeof result.reason === 'string' && result.reason.length > 0);
            assert.ok(!result.ok && !result.reason.includes(secret));
          },
        ),
        RUNS,
      );
    });

    it('accepts the configured api key and credentials, and refuses them with any one character changed', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('api-key', 'basic', 'api-key-bearer'),
          fc.stringMatching(/^[!-~]{8,40}$/),
          fc.nat(),
          replacement,
          (kind, secret, position, by) => {
            const index = position % secret.length;
            fc.pre(secret[index] !== by);
            const changed = replaceAt(secret, index, by);
            const basic = (value: string) => `Basic ${Buffer.from(`user:${value}`).toString('base64')}`;
            const verify: ResolvedVerify =
              kind === 'basic'
                ? { scheme: 'basic', secrets: [`user:${secret}`] }
                : { scheme: 'api-key', secrets: [secret], header: kind === 'api-key' ? 'x-api-key' : 'authorization' };
            const headersFor = (value: string): Record<string, string> =>
              kind === 'basic' ? { authorization: basic(value) } : kind === 'api-key' ? { 'x-api-key': value } : { authorization: `Bearer ${value}` };
            assert.deepEqual(verifier.verify(inboundRequest('{}', headersFor(secret)), verify, NOW), { ok: true });
            assert.equal(verifier.verify(inboundRequest('{}', headersFor(changed)), verify, NOW).ok, false, `accepted ${JSON.stringify(changed)}`);
          },
        ),
        RUNS,
      );
    });
  });
});
