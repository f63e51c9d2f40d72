import { DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { ApiModule } from './api/api.module';
import { DomainError } from './common/domain-error';
import { ConsoleModule } from './console/console.module';
import { EngineModule } from './engine/engine.module';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
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
        EngineModule,
        ApiModule,
        ConsoleModule,
        ObservabilityModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ErrorFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
            exceptionFactory: (errors) =>
              new DomainError('VALIDATION_FAILED', errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ')),
          }),
        },
      ],
    };
  }
}
