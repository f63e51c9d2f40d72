import { DomainError } from '../common/domain-error';

/** The SSRF guard refused an address: nothing was sent to it. */
export class OutboundBlockedError extends DomainError {
  constructor(host: string, address: string) {
    super('OUTBOUND_BLOCKED', `outbound address ${address} is not allowed (HOOKFLOW_OUTBOUND_ALLOW)`, { host, address });
  }
}
