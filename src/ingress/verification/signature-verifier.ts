import { Injectable } from '@nestjs/common';
import type { VerifyScheme } from '../../workflows/workflow.types';
import { ApiKeyScheme } from './api-key.scheme';
import { BasicScheme } from './basic.scheme';
import { GithubScheme } from './github.scheme';
import { HmacSha256Scheme } from './hmac-sha256.scheme';
import { NoneScheme } from './none.scheme';
import { ShopifyScheme } from './shopify.scheme';
import { SlackScheme } from './slack.scheme';
import { StandardWebhooksScheme } from './standard-webhooks.scheme';
import { StripeScheme } from './stripe.scheme';
import type {
  InboundRequest,
  ResolvedVerify,
  VerificationResult,
  VerificationScheme,
} from './verification-scheme';

/** Verifies an inbound request's raw bytes with the scheme its source declares. */
@Injectable()
export class SignatureVerifier {
  private readonly schemes: Record<VerifyScheme, VerificationScheme> = {
    none: new NoneScheme(),
    'hmac-sha256': new HmacSha256Scheme(),
    'standard-webhooks': new StandardWebhooksScheme(),
    github: new GithubScheme(),
    stripe: new StripeScheme(),
    slack: new SlackScheme(),
    shopify: new ShopifyScheme(),
    'api-key': new ApiKeyScheme(),
    basic: new BasicScheme(),
  };

  verify(
    request: InboundRequest,
    verify: ResolvedVerify,
    now: Date = new Date(),
  ): VerificationResult {
    // hasOwn: a scheme name read from a file must never resolve to an Object.prototype member.
    if (!Object.hasOwn(this.schemes, verify.scheme)) {
      return { ok: false, reason: 'unsupported verification scheme' };
    }
    return this.schemes[verify.scheme].verify(request, verify, now);
  }
}
