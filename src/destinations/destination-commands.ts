import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { DestinationHealth } from './destination-health';
import { DestinationQueries } from './destination-queries';

/** What an operator does to a destination: hold it open, close it, enable it again. */
@Injectable()
export class DestinationCommands {
  constructor(
    private readonly health: DestinationHealth,
    private readonly queries: DestinationQueries,
  ) {}

  async open(id: string) {
    await this.health.holdOpen(id);
    return this.queries.get(id);
  }

  async close(id: string) {
    if (!(await this.health.close(id, ['open', 'half_open'], 'closed by hand'))) {
      throw new DomainError('DESTINATION_STATE_CONFLICT', `${id} is not open; only an open or half-open circuit can be closed (a disabled one is enabled)`);
    }
    return this.queries.get(id);
  }

  async enable(id: string) {
    if (!(await this.health.close(id, ['disabled'], 'enabled by hand'))) {
      throw new DomainError('DESTINATION_STATE_CONFLICT', `${id} is not disabled`);
    }
    return this.queries.get(id);
  }
}
