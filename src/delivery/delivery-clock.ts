/** Injection token for the wall clock the delivery client stamps signatures and reads Retry-After dates with. */
export const DELIVERY_CLOCK = Symbol('DELIVERY_CLOCK');

export type DeliveryClock = () => Date;

export const systemClock: DeliveryClock = () => new Date();
