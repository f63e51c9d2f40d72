import { Module } from '@nestjs/common';
import { ConnectorsModule } from '../connectors/connectors.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { DestinationsModule } from '../destinations/destinations.module';
import { EventsModule } from '../events/events.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { ManualRuns } from './manual-runs';
import { RunCommands } from './run-commands';
import { RunExecutor } from './run-executor';
import { RunQueries } from './run-queries';
import { RunReporter } from './run-reporter';
import { RunStore } from './run-store';
import { StepRunner } from './step-runner';
import { FailureHandlers } from './failure-handlers';
import { StepTemplates } from './step-templates';
import { WorkflowStarter } from './workflow-starter';
import { ChildRuns } from './child-runs';
import { RunOutputs } from './run-output';
import { WorkflowVersions } from './workflow-versions';

/**
 * Runs and steps: executing, querying and commanding them. Mounted in every role (runs are
 * created by ingress, read and retried by the API); the queue workers and the scheduler that
 * drive execution are WorkersModule, mounted only where the role runs workers.
 */
@Module({
  imports: [WorkflowsModule, EventsModule, ConnectorsModule, DeliveryModule, DestinationsModule],
  providers: [
    RunStore,
    RunExecutor,
    RunReporter,
    StepRunner,
    StepTemplates,
    WorkflowStarter,
    WorkflowVersions,
    RunCommands,
    RunQueries,
    ManualRuns,
    FailureHandlers,
    ChildRuns,
    RunOutputs,
  ],
  exports: [RunCommands, ManualRuns, RunQueries, RunExecutor, RunStore, WorkflowVersions],
})
export class EngineModule {}
