import { DomainError } from '../common/domain-error';

/** Too many events wait to be stored already: nothing was stored, and the sender should retry shortly. */
export class IngressBusyError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super('INGRESS_BUSY', `Too many events are waiting to be stored; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}
