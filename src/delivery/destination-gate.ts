import { Injectable } from '@nestjs/common';

/**
 * Attempts in flight per destination (an HTTP origin, the SMTP server) in this process.
 * Twice the connections the delivery client opens per origin: enough to keep them busy,
 * few enough that a slow or hanging receiver holds a bounded share of the run workers.
 */
export const IN_FLIGHT_PER_DESTINATION = 32;

/**
 * Keeps one slow receiver from taking every run worker of the process: once a destination
 * has its share of attempts in flight, further steps for it wait outside the workers
 * (the engine reschedules them) instead of queueing inside, where they would delay
 * deliveries to everyone else.
 */
@Injectable()
export class DestinationGate {
  private readonly inFlight = new Map<string, number>();

  constructor(readonly limit: number = IN_FLIGHT_PER_DESTINATION) {}

  /** Takes a place for one attempt, or answers false when the destination has none free. */
  tryEnter(destination: string): boolean {
    const count = this.inFlight.get(destination) ?? 0;
    if (count >= this.limit) return false;
    this.inFlight.set(destination, count + 1);
    return true;
  }

  leave(destination: string): void {
    const count = this.inFlight.get(destination) ?? 0;
    if (count <= 1) this.inFlight.delete(destination);
    else this.inFlight.set(destination, count - 1);
  }

  inFlightTo(destination: string): number {
    return this.inFlight.get(destination) ?? 0;
  }
}
