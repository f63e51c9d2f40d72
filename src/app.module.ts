import { DynamicModule, Module, Type, ValidationPipe } from '@nestjs/common';
import { ApiModule } from './api/api.module';
import { ClockModule } from './common/clock.module';
import { DomainError } from './common/domain-error';
import { ConsoleModule } from './console/console.module';
import { EngineModule } from './engine/engine.module';
import { WorkersModule } from './engine/workers.module';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ErrorFilter } from './common/error.filter';
import { ConfigModule } from './config/config.module';
import { Duty, ProcessRoles } from './config/process-roles';
import { Settings } from './config/settings';
import { DatabaseConnection } from './database/database-connection';
import { DatabaseModule } from './database/database.module';
import { IngressHttpModule } from './ingress/ingress-http.module';
import { IngressModule } from './ingress/ingress.module';
import { ObservabilityModule } from './observability/observability.module';
import { PausesModule } from './pauses/pauses.module';
import { QueueModule } from './queue/queue.module';
import { RetentionModule } from './retention/retention.module';
import { TemplatesModule } from './templates/templates.module';
import { WorkflowsModule } from './workflows/workflows.module';

/**
 * What each duty mounts (HOOKFLOW_ROLE). The rest is mounted in every role: workflow loading
 * (ingress matches triggers, the API draws graphs, workers run steps), the engine's stores
 * (ingress records the workflow versions its runs start on), health and metrics. A route of
 * a duty the process does not have is not registered, so it answers 404 like any unknown path.
 */
export const MODULES_BY_DUTY: Readonly<Record<Duty, readonly Type[]>> = {
  ingress: [IngressHttpModule],
  worker: [WorkersModule, RetentionModule],
  api: [ApiModule, ConsoleModule],
};

@Module({})
export class AppModule {
  static forRoot(settings: Settings, connection: DatabaseConnection): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(settings),
        ClockModule,
        DatabaseModule.forRoot(connection),
        PausesModule,
        TemplatesModule,
        QueueModule,
        WorkflowsModule,
        IngressModule,
        EngineModule,
        ObservabilityModule,
        ...ProcessRoles.of(settings)
          .list()
          .flatMap((duty) => MODULES_BY_DUTY[duty]),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ErrorFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
            exceptionFactory: (errors) => new DomainError('VALIDATION_FAILED', errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ')),
          }),
        },
      ],
    };
  }
}
