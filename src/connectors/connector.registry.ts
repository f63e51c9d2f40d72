import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { StepKind } from '../workflows/workflow.types';
import { Connector } from './connector';
import { DelayConnector } from './delay.connector';
import { EmailConnector } from './email.connector';
import { HttpConnector } from './http.connector';
import { SetConnector } from './set.connector';
import { SlackConnector } from './slack.connector';
import { WorkflowConnector } from './workflow.connector';

/** The connector for each step kind. */
@Injectable()
export class ConnectorRegistry {
  private readonly byKind: ReadonlyMap<StepKind, Connector>;

  constructor(
    http: HttpConnector,
    slack: SlackConnector,
    email: EmailConnector,
    set: SetConnector,
    delay: DelayConnector,
    workflow: WorkflowConnector,
  ) {
    this.byKind = new Map<StepKind, Connector>([http, slack, email, set, delay, workflow].map((connector) => [connector.kind, connector]));
  }

  /** Loaded workflows only name known kinds, so an unknown one is a programming error. */
  get(kind: StepKind): Connector {
    const connector = this.byKind.get(kind);
    if (!connector) throw new DomainError('UNKNOWN_STEP_KIND', `no connector for step kind "${String(kind)}"`);
    return connector;
  }
}
