import type { IngestOutcome } from '../observability/metrics';
import { IngressBusyError } from '../events/ingress-busy.error';
import { PayloadTooLargeError, SignatureRejectedError, SourceNotConfiguredError, SourcePausedError, UnknownSourceError } from './ingress.errors';

/** The outcome an inbound request that failed with `error` is counted under. */
export function ingestOutcomeOf(error: unknown): IngestOutcome {
  if (error instanceof SignatureRejectedError) return 'rejected_signature';
  if (error instanceof UnknownSourceError) return 'not_found';
  if (error instanceof PayloadTooLargeError) return 'too_large';
  if (error instanceof SourceNotConfiguredError) return 'not_configured';
  if (error instanceof SourcePausedError) return 'paused';
  if (error instanceof IngressBusyError) return 'busy';
  return 'error';
}
