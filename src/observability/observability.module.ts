import { Global, Module } from '@nestjs/common';
import { WorkflowsModule } from '../workflows/workflows.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { MetricsController } from './metrics.controller';
import { Metrics } from './metrics';
import { QueueGauges } from './queue-gauges';

/** Health, readiness and Prometheus metrics. Global, so that any module can count through `Metrics`. */
@Global()
@Module({
  imports: [WorkflowsModule],
  controllers: [HealthController, MetricsController],
  providers: [HealthService, Metrics, QueueGauges],
  exports: [Metrics],
})
export class ObservabilityModule {}
