import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminTokenHolder } from './admin-token.holder';
import { EventsController } from './events.controller';
import { RunsController } from './runs.controller';

@Module({
  imports: [EngineModule],
  controllers: [RunsController, EventsController],
  providers: [AdminTokenHolder, AdminTokenGuard],
  exports: [AdminTokenHolder],
})
export class ApiModule {}
