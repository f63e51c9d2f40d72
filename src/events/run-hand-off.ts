import { Injectable } from '@nestjs/common';
import type { InboundEvent } from './inbound-event';
import type { PendingRun } from './pending-run';

/** A run stored already claimed by this process, handed to its engine once the statement committed. */
export interface HandedOverRun {
  run: PendingRun;
  event: InboundEvent;
  /** `performance.now()` before the statement that stored the run and its claim was sent. */
  claimedAt: number;
}

/**
 * What takes runs straight from ingress: the engine of a process that runs workers too. It
 * answers for its own capacity; a run it has no room for goes through the queue.
 */
export interface RunTaker {
  /** Who the run's claim is stored for (the engine's lease owner). */
  readonly owner: string;
  readonly leaseSeconds: number;
  /** Holds room for one run; false when the engine is full or stopping. */
  reserve(): boolean;
  /** Gives back room held for a run that was not stored after all (a duplicate, a failed write). */
  unreserve(): void;
  /** Executes a stored run whose room was reserved. */
  take(handedOver: HandedOverRun): void;
}

/**
 * The shortcut from ingress to the engine in one process. Without it each accepted run is a
 * queue job that a worker fetches and then claims: two more statements and a notification
 * between the answer and the first step. With it, a run without a concurrency key is stored
 * already claimed by this process (status `running`, a lease) and starts as soon as its
 * statement has committed. The lease covers a crash: a lapsed lease with no job behind it
 * is put back on the queue by the workers' heartbeat (`RunStore.requeueLapsedRuns`).
 */
@Injectable()
export class RunHandOff {
  private taker?: RunTaker;

  attach(taker: RunTaker): void {
    this.taker = taker;
  }

  detach(taker: RunTaker): void {
    if (this.taker === taker) this.taker = undefined;
  }

  /** The taker that holds room for `run`, or undefined when it has to go through the queue. */
  reserveFor(run: PendingRun): RunTaker | undefined {
    // A run with a concurrency key may have to wait for an earlier one; the queue's claim decides.
    if (run.concurrencyKey !== null) return undefined;
    const taker = this.taker;
    return taker?.reserve() ? taker : undefined;
  }
}
