import { createHmac, randomBytes } from 'node:crypto';
import type autocannon from 'autocannon';

export const BENCH_SOURCE = 'bench';
export const SIGNATURE_HEADER = 'x-signature';
export const EVENT_ID_HEADER = 'x-event-id';

/**
 * An endless supply of distinct `order.paid` webhooks (about 200 bytes each), signed with
 * HMAC-SHA256 (hex) of the exact body bytes and carrying a unique `x-event-id`, so that no
 * request of the whole bench run is a duplicate of another.
 */
export class SignedOrderRequests {
  readonly secret = randomBytes(24).toString('hex');
  private readonly prefix = randomBytes(4).toString('hex');
  private sequence = 0;

  get issued(): number {
    return this.sequence;
  }

  /** The autocannon request list for `POST /hooks/<source>`, one fresh webhook per request. */
  forAutocannon(source = BENCH_SOURCE): autocannon.Request[] {
    const path = `/hooks/${source}`;
    return [{ method: 'POST', path, setupRequest: () => ({ method: 'POST', path, ...this.next() }) }];
  }

  next(): { headers: Record<string, string>; body: Buffer } {
    const id = `${this.prefix}-${++this.sequence}`;
    const body = Buffer.from(
      `{"type":"order.paid","id":"evt_${id}","created":${Date.now()},"order":{"id":"ord_${id}",` +
        `"total":42,"currency":"EUR","customer":{"email":"buyer@example.com"},` +
        `"items":[{"sku":"SKU-1","quantity":1,"price":42}]}}`,
    );
    const signature = createHmac('sha256', this.secret).update(body).digest('hex');
    return {
      headers: {
        'content-type': 'application/json',
        [EVENT_ID_HEADER]: id,
        [SIGNATURE_HEADER]: signature,
      },
      body,
    };
  }
}
