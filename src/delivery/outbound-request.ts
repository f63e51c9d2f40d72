/** One outbound HTTP attempt as a connector hands it to `HttpDeliveryClient.send`. */
export interface OutboundRequest {
  /** Upper case. */
  method: string;
  url: string;
  /** As the step gave them; the client adds User-Agent (unless given), Idempotency-Key and the signing headers. */
  headers: Record<string, string>;
  /** Already serialized (JSON text, form text or plain text). */
  body?: string;
  /** The whole attempt: connect, headers and body. Default 30 s. */
  timeoutMs?: number;
  /** Step timeout or cancellation from the engine. */
  signal?: AbortSignal;
  /** Sent as Idempotency-Key; also the Standard Webhooks webhook-id when signing. Same for every attempt. */
  idempotencyKey: string;
  /** When non-empty: Standard Webhooks signing, one v1 signature per secret. */
  signingSecrets?: string[];
}

/** The same request as stored and shown: secrets already replaced by `[secret]`. */
export interface RedactedRequest {
  url: string;
  headers: Record<string, string>;
  body?: string;
}
