import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminTokenHolder } from './admin-token.holder';
import { BulkActions } from './bulk-actions.service';
import { ChangeFeed } from './change-feed.service';
import { EventQueries } from './event-queries.service';
import { EventsController } from './events.controller';
import { RunsController } from './runs.controller';
import { SourceQueries } from './source-queries.service';
import { SourcesController } from './sources.controller';
import { StreamController } from './stream.controller';
import { WorkflowQueries } from './workflow-queries.service';
import { WorkflowsController } from './workflows.controller';

@Module({
  imports: [EngineModule, WorkflowsModule],
  controllers: [RunsController, EventsController, WorkflowsController, SourcesController, StreamController],
  providers: [AdminTokenHolder, AdminTokenGuard, WorkflowQueries, SourceQueries, EventQueries, BulkActions, ChangeFeed],
  exports: [AdminTokenHolder, ChangeFeed],
})
export class ApiModule {}
