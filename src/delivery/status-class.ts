import type { DeliveryStatusClass } from '../observability/metrics';
import type { AttemptRecord } from './attempt-record';

/**
 * `timeout` when the attempt ran out of time (even if a status had arrived: its body never
 * did), else `2xx`…`5xx` from the answer's status, else `error` (no answer at all).
 */
export function statusClassOf(record: Pick<AttemptRecord, 'status' | 'timedOut'>): DeliveryStatusClass {
  if (record.timedOut) return 'timeout';
  const status = record.status;
  if (status !== undefined && status >= 100 && status <= 599) return `${Math.floor(status / 100)}xx` as DeliveryStatusClass;
  return 'error';
}
