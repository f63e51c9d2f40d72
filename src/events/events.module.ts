import { Module } from '@nestjs/common';
import { EventWriter } from './event-writer';
import { RunHandOff } from './run-hand-off';
import { TriggerMatcher } from './trigger-matcher';

/**
 * The inbound event: how it is read, which workflows it starts, and how it is stored with
 * their runs. Ingress builds events from requests; the engine builds synthetic ones (schedules,
 * `workflow` steps) and reads stored ones back.
 */
@Module({
  providers: [EventWriter, RunHandOff, TriggerMatcher],
  exports: [EventWriter, RunHandOff, TriggerMatcher],
})
export class EventsModule {}
