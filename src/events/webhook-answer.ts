/**
 * The HTTP answer a `respond:` rendered for an event (source or trigger), exactly as sent:
 * stored with the event, so that a repeated delivery gets the same answer.
 */
export interface WebhookAnswer {
  status: number;
  /** Lower-case names; always with `content-type` when there is a body. */
  headers: Record<string, string>;
  /** The body as sent; '' for none. */
  body: string;
}
