import { Module } from '@nestjs/common';
import { TableStatisticsService } from '../database/table-statistics.service';
import { DestinationsModule, DestinationWatch } from '../destinations/destinations.module';
import { EventsModule } from '../events/events.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { DirectRuns } from './direct-runs';
import { EngineModule } from './engine.module';
import { SchedulerService } from './scheduler.service';
import { WorkerService } from './worker.service';

/**
 * The queue workers that execute runs, and the scheduler that starts scheduled ones.
 * Mounted only in processes whose role runs workers (`all`, `worker`).
 */
@Module({
  imports: [EngineModule, EventsModule, WorkflowsModule, DestinationsModule],
  providers: [WorkerService, DirectRuns, SchedulerService, TableStatisticsService, DestinationWatch],
  exports: [WorkerService, SchedulerService],
})
export class WorkersModule {}
