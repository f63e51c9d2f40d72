import { Module } from '@nestjs/common';
import { ConnectorsModule } from '../connectors/connectors.module';
import { DestinationsModule } from '../destinations/destinations.module';
import { DryRun } from '../engine/dry-run';
import { EngineModule } from '../engine/engine.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminTokenHolder } from './admin-token.holder';
import { BulkActions } from './bulk-actions';
import { CatalogController } from './catalog.controller';
import { Catalog } from './catalog';
import { ChangeFeed } from './change-feed';
import { DestinationsController } from './destinations.controller';
import { DryRunController } from './dry-run.controller';
import { EventDryRun } from './event-dry-run';
import { EventQueries } from './event-queries';
import { EventsController } from './events.controller';
import { PauseCommands } from './pause-commands';
import { RunsController } from './runs.controller';
import { SourceQueries } from './source-queries';
import { SourcesController } from './sources.controller';
import { StreamController } from './stream.controller';
import { WorkflowDraftTests } from './workflow-draft-tests';
import { WorkflowDraftTrial } from './workflow-draft-trial';
import { WorkflowQueries } from './workflow-queries';
import { WorkflowVersionQueries } from './workflow-version-queries';
import { WorkflowVersionsController } from './workflow-versions.controller';
import { WorkflowsController } from './workflows.controller';

@Module({
  imports: [EngineModule, WorkflowsModule, ConnectorsModule, DestinationsModule],
  controllers: [
    RunsController,
    EventsController,
    WorkflowsController,
    WorkflowVersionsController,
    SourcesController,
    StreamController,
    DryRunController,
    CatalogController,
    DestinationsController,
  ],
  providers: [
    AdminTokenHolder,
    AdminTokenGuard,
    WorkflowQueries,
    WorkflowVersionQueries,
    SourceQueries,
    EventQueries,
    BulkActions,
    ChangeFeed,
    DryRun,
    EventDryRun,
    WorkflowDraftTrial,
    WorkflowDraftTests,
    Catalog,
    PauseCommands,
  ],
  exports: [AdminTokenHolder, ChangeFeed],
})
export class ApiModule {}
