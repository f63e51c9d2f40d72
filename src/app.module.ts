import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ErrorFilter } from './common/error.filter';
import { ConfigModule } from './config/config.module';
import { Settings } from './config/settings';
import { DatabaseConnection } from './database/database-connection';
import { DatabaseModule } from './database/database.module';
import { IngressModule } from './ingress/ingress.module';
import { ObservabilityModule } from './observability/observability.module';
import { QueueModule } from './queue/queue.module';
import { TemplatesModule } from './templates/templates.module';
import { WorkflowsModule } from './workflows/workflows.module';

@Module({})
export class AppModule {
  static forRoot(settings: Settings, connection: DatabaseConnection): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(settings),
        DatabaseModule.forRoot(connection),
        TemplatesModule,
        QueueModule,
        WorkflowsModule,
        IngressModule,
        ObservabilityModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ErrorFilter }],
    };
  }
}
