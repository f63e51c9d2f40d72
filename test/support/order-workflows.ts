import { json, Receiver } from './receiver';

/** `deliver`: every `order.paid` from the `shop` source is posted to `{{secrets.RECEIVER}}/ok`. */
export const DELIVER_WORKFLOW = `
name: deliver
on: { webhook: shop, event: order.paid }
steps:
  - id: notify
    uses: http
    with: { url: "{{secrets.RECEIVER}}/ok", body: { order: "{{event.body.order}}" } }
`;

/** A receiver (not started yet) that answers `/ok` with 200; add routes before `start()`. */
export function okReceiver(): Receiver {
  return new Receiver().route('/ok', (_, response) => json(response, 200, { ok: true }));
}
