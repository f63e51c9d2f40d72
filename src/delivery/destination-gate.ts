import { Injectable } from '@nestjs/common';

/** Attempts to one destination that are always let through: twice the connections per origin. */
export const FAIR_SHARE_PER_DESTINATION = 32;
/** Beyond its fair share, a destination whose oldest attempt in flight is older than this is slow. */
export const SLOW_DESTINATION_MS = 1_000;

/** One attempt in flight; give it back with `leave`. */
export interface GatePass {
  readonly destination: string;
  readonly since: number;
}

/**
 * Keeps a slow receiver from taking every run worker of the process. Attempts to one
 * destination (an HTTP origin, the SMTP server) are always let through up to a fair share;
 * beyond it, only while the destination keeps answering: once its oldest attempt in flight
 * is older than a second, further steps for it are refused and wait outside the workers
 * (the engine reschedules them), instead of queueing inside where they would delay the
 * deliveries to everyone else. A fast destination under heavy load is never held back.
 */
@Injectable()
export class DestinationGate {
  private readonly inFlight = new Map<string, Set<GatePass>>();

  constructor(
    readonly fairShare: number = FAIR_SHARE_PER_DESTINATION,
    private readonly slowAfterMs: number = SLOW_DESTINATION_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A pass for one attempt, or undefined when the destination is slow and has its share. */
  tryEnter(destination: string): GatePass | undefined {
    let passes = this.inFlight.get(destination);
    const now = this.clock();
    if (passes && passes.size >= this.fairShare && now - oldest(passes).since > this.slowAfterMs) return undefined;
    if (!passes) this.inFlight.set(destination, (passes = new Set()));
    const pass = { destination, since: now };
    passes.add(pass);
    return pass;
  }

  leave(pass: GatePass): void {
    const passes = this.inFlight.get(pass.destination);
    if (!passes?.delete(pass)) return;
    if (passes.size === 0) this.inFlight.delete(pass.destination);
  }

  inFlightTo(destination: string): number {
    return this.inFlight.get(destination)?.size ?? 0;
  }
}

/** Passes are kept in the order they were given, so the first is the oldest. */
function oldest(passes: Set<GatePass>): GatePass {
  return passes.values().next().value!;
}
