import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { epochMs } from './timed-order-requests';

/** One request the receiver got: the event id, when the bench sent the event and when it arrived here. */
export interface Arrival {
  id: string;
  /** Which of an event's deliveries this is (`copy` in the body, one per workflow), when it has several. */
  copy?: string;
  sentAt: number;
  arrivedAt: number;
  /** When the answer was written (later than the arrival for a receiver that answers slowly). */
  answeredAt?: number;
}

/** What a relay run reads from the receiver, or from several of them together. */
export interface ArrivalLog {
  readonly uniqueArrivals: readonly Arrival[];
  readonly duplicates: number;
  readonly duplicatesWithSameKey: number;
  readonly unparsableBodies: number;
  readonly signatureCheck: SignatureCheck;
  countWithPrefix(prefix: string): number;
  arrivalsWithPrefix(prefix: string): Arrival[];
  reset(): void;
}

export interface ReceiverOptions {
  /** Answers this long after the request arrived (a slow receiver); 0 answers at once. */
  answerDelayMs?: number;
}

export interface SignatureCheck {
  /** Requests whose Standard Webhooks signature was checked with the `standardwebhooks` library. */
  checked: number;
  valid: number;
  invalid: number;
  /** Checked requests without the three webhook-* headers. */
  unsigned: number;
  firstProblem?: string;
}

const CHECK_EVERY = 50;
/** Bounds memory if a relay misbehaves: a run never delivers anywhere near this many. */
const MAX_ARRIVALS = 2_000_000;

/**
 * The target of every delivery: a node:http server on 127.0.0.1 in the bench process (so
 * that `sent_at` and the arrival time come from the same clock) that answers 200 (at once,
 * or after `answerDelayMs`) and records each request's event id, `sent_at` and arrival
 * time. A request is identified by its event id and, for events delivered several times
 * (fan-out), its `copy`. One request in 50 has its Standard Webhooks signature verified,
 * to prove the deliveries are signed.
 */
export class DeliveryReceiver implements ArrivalLog {
  private server?: Server;
  private arrivals: Arrival[] = [];
  /** Event id → the webhook-id (idempotency key) of its first delivery. */
  private seen = new Map<string, string | undefined>();
  private sameKeyDuplicates = 0;
  private perPrefix = new Map<string, number>();
  private duplicateCount = 0;
  private unparsable = 0;
  private received = 0;
  private signatures: SignatureCheck = { checked: 0, valid: 0, invalid: 0, unsigned: 0 };

  constructor(
    private readonly signingSecret: string,
    private readonly options: ReceiverOptions = {},
  ) {}

  async start(): Promise<string> {
    const server = createServer((request, response) => this.handle(request, response));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forgets everything recorded so far (between relays and runs). */
  reset(): void {
    this.arrivals = [];
    this.seen = new Map();
    this.sameKeyDuplicates = 0;
    this.perPrefix = new Map();
    this.duplicateCount = 0;
    this.unparsable = 0;
    this.received = 0;
    this.signatures = { checked: 0, valid: 0, invalid: 0, unsigned: 0 };
  }

  /** First arrivals only, in arrival order. */
  get uniqueArrivals(): readonly Arrival[] {
    return this.arrivals;
  }

  get duplicates(): number {
    return this.duplicateCount;
  }

  /** Duplicates that carried the same webhook-id as the first delivery: a receiver honouring it sees the event once. */
  get duplicatesWithSameKey(): number {
    return this.sameKeyDuplicates;
  }

  get unparsableBodies(): number {
    return this.unparsable;
  }

  get signatureCheck(): SignatureCheck {
    return { ...this.signatures };
  }

  /** Unique ids received with this prefix (one phase of a run: ids are `<prefix><sequence>`). */
  countWithPrefix(prefix: string): number {
    return this.perPrefix.get(prefix) ?? 0;
  }

  /** First arrivals of the ids with this prefix. */
  arrivalsWithPrefix(prefix: string): Arrival[] {
    return this.arrivals.filter((arrival) => arrival.id.startsWith(prefix));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const arrivedAt = epochMs();
      const delay = this.options.answerDelayMs ?? 0;
      if (delay === 0) response.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' }).end('{}');
      const arrival = this.record(Buffer.concat(chunks).toString('utf8'), request.headers, arrivedAt);
      if (arrival && delay === 0) arrival.answeredAt = arrivedAt;
      if (delay > 0) setTimeout(() => this.answerLate(response, arrival), delay);
    });
  }

  private answerLate(response: ServerResponse, arrival: Arrival | undefined): void {
    if (response.destroyed) return;
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' }).end('{}');
    if (arrival) arrival.answeredAt = epochMs();
  }

  private record(body: string, headers: IncomingMessage['headers'], arrivedAt: number): Arrival | undefined {
    if (++this.received % CHECK_EVERY === 1) this.checkSignature(body, headers);
    let parsed: { id?: unknown; copy?: unknown; sent_at?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      this.unparsable++;
      return undefined;
    }
    const id = String(parsed.id);
    const copy = parsed.copy === undefined ? undefined : String(parsed.copy);
    const identity = copy === undefined ? id : `${id}#${copy}`;
    const key = typeof headers['webhook-id'] === 'string' ? headers['webhook-id'] : undefined;
    if (this.seen.has(identity)) {
      this.duplicateCount++;
      if (key !== undefined && this.seen.get(identity) === key) this.sameKeyDuplicates++;
      return undefined;
    }
    if (this.arrivals.length >= MAX_ARRIVALS) return undefined;
    this.seen.set(identity, key);
    const prefix = id.slice(0, id.lastIndexOf('-') + 1);
    this.perPrefix.set(prefix, (this.perPrefix.get(prefix) ?? 0) + 1);
    const arrival: Arrival = { id, ...(copy === undefined ? {} : { copy }), sentAt: Number(parsed.sent_at), arrivedAt };
    this.arrivals.push(arrival);
    return arrival;
  }

  private checkSignature(body: string, headers: IncomingMessage['headers']): void {
    this.signatures.checked++;
    const names = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;
    if (names.some((name) => typeof headers[name] !== 'string')) {
      this.signatures.unsigned++;
      this.signatures.firstProblem ??= 'missing webhook-* headers';
      return;
    }
    try {
      new Webhook(this.signingSecret).verify(body, Object.fromEntries(names.map((name) => [name, headers[name] as string])));
      this.signatures.valid++;
    } catch (error) {
      this.signatures.invalid++;
      this.signatures.firstProblem ??= (error as Error).message;
    }
  }
}

/**
 * Several receivers read as one (deliveries spread over many destinations): counts and
 * checks are summed, arrivals concatenated (so not in arrival order across receivers).
 */
export class ReceiverGroup implements ArrivalLog {
  constructor(readonly receivers: readonly DeliveryReceiver[]) {}

  get uniqueArrivals(): readonly Arrival[] {
    return this.receivers.flatMap((receiver) => receiver.uniqueArrivals);
  }

  get duplicates(): number {
    return this.sum((receiver) => receiver.duplicates);
  }

  get duplicatesWithSameKey(): number {
    return this.sum((receiver) => receiver.duplicatesWithSameKey);
  }

  get unparsableBodies(): number {
    return this.sum((receiver) => receiver.unparsableBodies);
  }

  get signatureCheck(): SignatureCheck {
    const checks = this.receivers.map((receiver) => receiver.signatureCheck);
    const total = (pick: (check: SignatureCheck) => number) => checks.reduce((sum, check) => sum + pick(check), 0);
    const firstProblem = checks.find((check) => check.firstProblem)?.firstProblem;
    return {
      checked: total((check) => check.checked),
      valid: total((check) => check.valid),
      invalid: total((check) => check.invalid),
      unsigned: total((check) => check.unsigned),
      ...(firstProblem ? { firstProblem } : {}),
    };
  }

  countWithPrefix(prefix: string): number {
    return this.sum((receiver) => receiver.countWithPrefix(prefix));
  }

  arrivalsWithPrefix(prefix: string): Arrival[] {
    return this.receivers.flatMap((receiver) => receiver.arrivalsWithPrefix(prefix));
  }

  reset(): void {
    for (const receiver of this.receivers) receiver.reset();
  }

  private sum(pick: (receiver: DeliveryReceiver) => number): number {
    return this.receivers.reduce((total, receiver) => total + pick(receiver), 0);
  }
}
