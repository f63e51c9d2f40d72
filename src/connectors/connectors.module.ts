import { Module, Provider } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { Connector } from './connector';
import { ConnectorRegistry, STEP_CONNECTORS } from './connector.registry';
import { stepKinds } from './step-kind-catalog';

const CONNECTORS = stepKinds().map((declaration) => declaration.connector);

/**
 * Nest has no multi-providers: each discovered kind's connector is a provider of its own
 * (so its dependencies are injected), and one factory gathers them under `STEP_CONNECTORS`.
 */
const STEP_CONNECTORS_PROVIDER: Provider = {
  provide: STEP_CONNECTORS,
  useFactory: (...connectors: Connector[]) => new Map(stepKinds().map((declaration, index) => [declaration.kind, connectors[index]])),
  inject: CONNECTORS,
};

/** One connector per discovered step kind, behind `ConnectorRegistry`. */
@Module({
  imports: [DeliveryModule],
  providers: [...CONNECTORS, STEP_CONNECTORS_PROVIDER, ConnectorRegistry],
  exports: [...CONNECTORS, ConnectorRegistry],
})
export class ConnectorsModule {}
