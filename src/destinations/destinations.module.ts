import { Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { WorkflowsModule } from '../workflows/workflows.module';
import { DestinationCommands } from './destination-commands';
import { DestinationHealth } from './destination-health';
import { DestinationQueries } from './destination-queries';

/** Makes the processes that execute steps follow the destinations' shared state (mounted by WorkersModule). */
@Injectable()
export class DestinationWatch implements OnApplicationBootstrap {
  constructor(private readonly health: DestinationHealth) {}

  onApplicationBootstrap(): void {
    this.health.startWatching();
  }
}

/** Destinations: their circuit breakers, rate limits and recent outcomes, shared by all processes. */
@Module({
  imports: [WorkflowsModule],
  providers: [DestinationHealth, DestinationQueries, DestinationCommands],
  exports: [DestinationHealth, DestinationQueries, DestinationCommands],
})
export class DestinationsModule {}
