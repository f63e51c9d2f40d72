import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type autocannon from 'autocannon';
import { BENCH_SOURCE, EVENT_ID_HEADER, SIGNATURE_HEADER } from './signed-order-requests';

/** Milliseconds since the Unix epoch with sub-millisecond resolution (monotonic within the process). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface TimedRequest {
  id: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Picks the receiver (a base URL) that the event with this sequence number (1, 2, …) asks to be delivered to. */
export type TargetChooser = (sequence: number) => string;

/**
 * Distinct `order.paid` webhooks for source `bench` (HMAC-SHA256 hex, unique `x-event-id`)
 * whose body carries `id` and `sent_at`: the time the request was built, just before it is
 * written to the socket. Ids start with a prefix chosen per phase, so the receiver can tell
 * the phases of a run apart. With a `target` chooser the body also names the receiver
 * (`"target": "http://127.0.0.1:<port>"`) for workflows that route on it.
 */
export class TimedOrderRequests {
  private readonly prefix: string;
  private sequence = 0;

  constructor(
    private readonly secret: string,
    phase: string,
    private readonly target?: TargetChooser,
  ) {
    this.prefix = `${phase}-${randomBytes(3).toString('hex')}-`;
  }

  get idPrefix(): string {
    return this.prefix;
  }

  get issued(): number {
    return this.sequence;
  }

  next(): TimedRequest {
    const sequence = ++this.sequence;
    const id = `${this.prefix}${sequence}`;
    const target = this.target ? `"target":${JSON.stringify(this.target(sequence))},` : '';
    const body = Buffer.from(
      `{"type":"order.paid","id":"${id}",${target}"sent_at":${epochMs().toFixed(3)},` +
        `"order":{"id":"ord_${id}","total":42,"currency":"EUR","customer":{"email":"buyer@example.com"}}}`,
    );
    const signature = createHmac('sha256', this.secret).update(body).digest('hex');
    return {
      id,
      headers: { 'content-type': 'application/json', [EVENT_ID_HEADER]: id, [SIGNATURE_HEADER]: signature },
      body,
    };
  }

  /** The autocannon request list: one fresh, freshly timestamped webhook per request. */
  forAutocannon(source = BENCH_SOURCE): autocannon.Request[] {
    const path = `/hooks/${source}`;
    return [
      {
        method: 'POST',
        path,
        setupRequest: () => {
          const { headers, body } = this.next();
          return { method: 'POST', path, headers, body };
        },
      },
    ];
  }
}
