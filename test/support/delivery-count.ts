import { LoadAnswer } from './steady-load';

/** A request the receiver answered 2xx: the event it carried and its Idempotency-Key. */
export interface Delivery {
  seq: number;
  key: string;
}

export interface DeliveryCount {
  sent: number;
  /** Answered 2xx by Hookflow: each of these must be delivered. */
  accepted: number;
  refused: number;
  /** Accepted events the receiver got at least once. */
  delivered: number;
  lost: number;
  /** Deliveries beyond the first of an event. */
  duplicates: number;
  /** Distinct Idempotency-Keys among the deliveries (one per event: one run, one step). */
  keys: number;
  /** Events delivered although their request got no 2xx (answer lost to the fault): allowed. */
  unacknowledged: number;
  lostSeqs: number[];
  /** Events delivered under more than one key, or keys shared by several events: never allowed. */
  keyConflicts: number;
}

/** Compares what Hookflow accepted with what the receiver got, event by event. */
export function countDeliveries(answers: LoadAnswer[], deliveries: Delivery[]): DeliveryCount {
  const accepted = new Set(
    answers.filter((answer) => typeof answer.status === 'number' && answer.status >= 200 && answer.status < 300).map((answer) => answer.seq),
  );
  const keysOfSeq = new Map<number, Set<string>>();
  const seqsOfKey = new Map<string, Set<number>>();
  for (const { seq, key } of deliveries) {
    if (!keysOfSeq.has(seq)) keysOfSeq.set(seq, new Set());
    keysOfSeq.get(seq)!.add(key);
    if (!seqsOfKey.has(key)) seqsOfKey.set(key, new Set());
    seqsOfKey.get(key)!.add(seq);
  }
  const lostSeqs = [...accepted].filter((seq) => !keysOfSeq.has(seq)).sort((a, b) => a - b);
  const conflicts = [...keysOfSeq.values()].filter((keys) => keys.size > 1).length + [...seqsOfKey.values()].filter((seqs) => seqs.size > 1).length;
  return {
    sent: answers.length,
    accepted: accepted.size,
    refused: answers.length - accepted.size,
    delivered: accepted.size - lostSeqs.length,
    lost: lostSeqs.length,
    duplicates: deliveries.length - keysOfSeq.size,
    keys: seqsOfKey.size,
    unacknowledged: [...keysOfSeq.keys()].filter((seq) => !accepted.has(seq)).length,
    lostSeqs,
    keyConflicts: conflicts,
  };
}

/** One line: `name: sent=… accepted=… delivered=… lost=… duplicates=… keys=… …extra`. */
export function describeCount(name: string, count: DeliveryCount, extra: Record<string, string | number> = {}): string {
  const { lostSeqs: _lostSeqs, ...numbers } = count;
  return `${name}: ${Object.entries({ ...numbers, ...extra })
    .map(([field, value]) => `${field}=${value}`)
    .join(' ')}`;
}
