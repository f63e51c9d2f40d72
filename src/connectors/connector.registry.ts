import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { Connector } from './connector';

/** Provider token of every discovered kind's connector, by kind (see `ConnectorsModule`). */
export const STEP_CONNECTORS = Symbol('STEP_CONNECTORS');

/** The connector for each step kind. */
@Injectable()
export class ConnectorRegistry {
  constructor(@Inject(STEP_CONNECTORS) private readonly byKind: ReadonlyMap<string, Connector>) {}

  /** Loaded workflows only name known kinds, so an unknown one is a programming error. */
  get(kind: string): Connector {
    const connector = this.byKind.get(kind);
    if (!connector) throw new DomainError('UNKNOWN_STEP_KIND', `no connector for step kind "${kind}"`);
    return connector;
  }
}
