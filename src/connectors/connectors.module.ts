import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { ConnectorRegistry } from './connector.registry';
import { DelayConnector } from './delay.connector';
import { EmailConnector } from './email.connector';
import { HttpConnector } from './http.connector';
import { SetConnector } from './set.connector';
import { DEFAULT_SLACK_API_URL, SLACK_API_URL, SlackConnector } from './slack.connector';
import { WorkflowConnector } from './workflow.connector';

const CONNECTORS = [HttpConnector, SlackConnector, EmailConnector, SetConnector, DelayConnector, WorkflowConnector];

/** One connector per step kind, behind `ConnectorRegistry`. `SLACK_API_URL` can be overridden in tests. */
@Module({
  imports: [DeliveryModule],
  providers: [...CONNECTORS, ConnectorRegistry, { provide: SLACK_API_URL, useValue: DEFAULT_SLACK_API_URL }],
  exports: [...CONNECTORS, ConnectorRegistry],
})
export class ConnectorsModule {}
