import { Module } from '@nestjs/common';
import { ConnectorsModule } from '../connectors/connectors.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { IngressModule } from '../ingress/ingress.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { RunCommands } from './run-commands.service';
import { RunExecutor } from './run-executor';
import { RunQueries } from './run-queries.service';
import { RunStore } from './run-store';
import { SchedulerService } from './scheduler.service';
import { StepRunner } from './step-runner';
import { StepTemplates } from './step-templates';
import { WorkerService } from './worker.service';
import { WorkflowStarter } from './workflow-starter';
import { WorkflowVersions } from './workflow-versions.service';

@Module({
  imports: [WorkflowsModule, IngressModule, ConnectorsModule, DeliveryModule],
  providers: [RunStore, RunExecutor, StepRunner, StepTemplates, WorkflowStarter, WorkflowVersions, WorkerService, RunCommands, RunQueries, SchedulerService],
  exports: [RunCommands, RunQueries, WorkerService],
})
export class EngineModule {}
