import { ApiProperty } from '@nestjs/swagger';

/* The answers of `/api/destinations`, for the OpenAPI document; `DestinationQueries` builds them. */

const nullableDate = { type: String, format: 'date-time', nullable: true } as const;

export class BreakerPolicyModel {
  @ApiProperty({ description: 'Consecutive failed attempts that open the circuit' }) failures: number;
  @ApiProperty({ description: 'Share of failed attempts (0–1) over the window that opens it…' }) failure_rate: number;
  @ApiProperty({ description: '…once the window holds at least this many attempts' }) min_attempts: number;
  @ApiProperty() window_ms: number;
  @ApiProperty({ description: 'Open this long before one probe attempt goes through' }) cool_down_ms: number;
  @ApiProperty({ description: 'Open this long: disabled, and its waiting steps fail' }) disable_after_ms: number;
}

export class DestinationPolicyModel {
  @ApiProperty({ type: BreakerPolicyModel, nullable: true, description: 'null: `breaker: off`' }) breaker: BreakerPolicyModel | null;
  @ApiProperty({ type: String, nullable: true, example: '10/s' }) rate_limit: string | null;
}

export class DestinationHourModel {
  @ApiProperty({ type: String, format: 'date-time' }) hour: string;
  @ApiProperty() successes: number;
  @ApiProperty({ description: 'Attempts without an answer, or answered 5xx or 408' }) failures: number;
  @ApiProperty({ type: Number, nullable: true }) average_ms: number | null;
  @ApiProperty() max_ms: number;
}

export class DestinationModel {
  @ApiProperty({ example: 'https://api.example.com', description: 'An HTTP origin, or `smtp`' }) id: string;
  @ApiProperty({ enum: ['closed', 'open', 'half_open', 'disabled'] }) state: 'closed' | 'open' | 'half_open' | 'disabled';
  @ApiProperty({ description: 'Opened through the API: open until closed the same way' }) held_manually: boolean;
  @ApiProperty() consecutive_failures: number;
  @ApiProperty(nullableDate) opened_at: string | null;
  @ApiProperty(nullableDate) next_probe_at: string | null;
  @ApiProperty(nullableDate) disabled_at: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The last failure (secrets removed)' }) last_error: string | null;
  @ApiProperty(nullableDate) last_failure_at: string | null;
  @ApiProperty({ description: 'Steps waiting for the circuit to close or for their rate limit slot' }) waiting_steps: number;
  @ApiProperty({ type: DestinationPolicyModel }) policy: DestinationPolicyModel;
  @ApiProperty() attempts_24h: number;
  @ApiProperty({ type: Number, nullable: true }) success_rate_24h: number | null;
  @ApiProperty({ type: Number, nullable: true }) average_ms_24h: number | null;
  @ApiProperty({ type: [DestinationHourModel], description: 'Hours of the last 24 with attempts, oldest first' }) hours: DestinationHourModel[];
}

export class WaitingStepModel {
  @ApiProperty({ format: 'uuid' }) run_id: string;
  @ApiProperty() step_id: string;
  @ApiProperty() workflow: string;
  @ApiProperty({ type: String, format: 'date-time' }) since: string;
  @ApiProperty({ ...nullableDate, description: 'The rate limit slot reserved for it' }) slot: string | null;
}

export class DestinationDetailModel extends DestinationModel {
  @ApiProperty({ type: [WaitingStepModel], description: 'Up to 100, longest waiting first' }) waiting: WaitingStepModel[];
}

export class DestinationListModel {
  @ApiProperty({ type: [DestinationModel] }) items: DestinationModel[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}
