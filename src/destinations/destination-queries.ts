import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { DestinationHealth } from './destination-health';
import { DestinationPolicy } from './destination-policy';
import { DestinationState } from './destination.entity';

/** An origin (`https://api.example.com:8443`) or `smtp`: what a destination id may be. */
export const DESTINATION_ID = /^(?:https?:\/\/[A-Za-z0-9.\-[\]:]{1,260}|smtp)$/;
const LIST_LIMIT = 500;
const WAITING_SHOWN = 100;
const FINISHED = `('succeeded', 'failed', 'cancelled')`;

interface DestinationRow {
  id: string;
  state: DestinationState | null;
  held_manually: boolean | null;
  consecutive_failures: number | null;
  opened_at: Date | null;
  probe_at: Date | null;
  disabled_at: Date | null;
  last_error: string | null;
  last_failure_at: Date | null;
  waiting_steps: number;
  hours: { hour: string; successes: number; failures: number; duration_ms_total: number; duration_ms_max: number }[];
}

/** Destinations as the API shows them: state, policy, the last day's outcomes, the steps waiting. */
@Injectable()
export class DestinationQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly health: DestinationHealth,
  ) {}

  /** Destinations with a shared state or attempts in the last 24 h: unwell ones first. */
  async list() {
    const rows = await this.dataSource.query<DestinationRow[]>(
      `${SELECT_DESTINATIONS("SELECT id FROM destinations UNION SELECT DISTINCT destination FROM destination_minutes WHERE minute >= now() - interval '24 hours'")}
       ORDER BY array_position(ARRAY['disabled', 'open', 'half_open'], d.state) NULLS LAST, ids.id LIMIT ${LIST_LIMIT}`,
    );
    return { items: rows.map((row) => this.present(row)), next_cursor: null };
  }

  /** One destination with the steps waiting for it, longest waiting first. */
  async get(id: string) {
    const [row] = await this.dataSource.query<DestinationRow[]>(`${SELECT_DESTINATIONS('SELECT $1::text AS id')}`, [id]);
    const waiting = await this.dataSource.query<{ run_id: string; step_id: string; workflow: string; since: Date; slot: Date | null }[]>(
      `SELECT w.run_id, w.step_id, r.workflow, w.since, w.slot
         FROM destination_waits w JOIN runs r ON r.id = w.run_id
        WHERE w.destination = $1 AND r.status NOT IN ${FINISHED}
        ORDER BY w.since LIMIT ${WAITING_SHOWN}`,
      [id],
    );
    if (row.state === null && row.hours.length === 0 && waiting.length === 0) {
      throw new DomainError('UNKNOWN_DESTINATION', `no destination ${id} has been attempted in the last 24 hours`);
    }
    return { ...this.present(row), waiting };
  }

  private present(row: DestinationRow) {
    const policy = this.health.policyOf(row.id);
    const successes = sum(row.hours, 'successes');
    const failures = sum(row.hours, 'failures');
    const attempts = successes + failures;
    return {
      id: row.id,
      state: row.state ?? 'closed',
      held_manually: row.held_manually ?? false,
      consecutive_failures: row.consecutive_failures ?? 0,
      opened_at: row.opened_at,
      next_probe_at: row.state === 'open' && !row.held_manually ? row.probe_at : null,
      disabled_at: row.disabled_at,
      last_error: row.last_error,
      last_failure_at: row.last_failure_at,
      waiting_steps: row.waiting_steps,
      policy: policyModel(policy),
      attempts_24h: attempts,
      success_rate_24h: attempts === 0 ? null : successes / attempts,
      average_ms_24h: attempts === 0 ? null : Math.round(sum(row.hours, 'duration_ms_total') / attempts),
      hours: row.hours.map((hour) => ({
        hour: new Date(hour.hour),
        successes: hour.successes,
        failures: hour.failures,
        average_ms: hour.successes + hour.failures === 0 ? null : Math.round(Number(hour.duration_ms_total) / (hour.successes + hour.failures)),
        max_ms: hour.duration_ms_max,
      })),
    };
  }
}

const SELECT_DESTINATIONS = (ids: string) => `
  SELECT ids.id, d.state, d.held_manually, d.consecutive_failures, d.opened_at, d.probe_at, d.disabled_at, d.last_error, d.last_failure_at,
         (SELECT count(*)::int FROM destination_waits w JOIN runs r ON r.id = w.run_id
           WHERE w.destination = ids.id AND r.status NOT IN ${FINISHED}) AS waiting_steps,
         (SELECT coalesce(json_agg(h ORDER BY h.hour), '[]') FROM (
            SELECT date_trunc('hour', minute) AS hour, sum(successes)::int AS successes, sum(failures)::int AS failures,
                   sum(duration_ms_total)::bigint AS duration_ms_total, max(duration_ms_max) AS duration_ms_max
              FROM destination_minutes WHERE destination = ids.id AND minute >= now() - interval '24 hours'
             GROUP BY 1) h) AS hours
    FROM (${ids}) ids LEFT JOIN destinations d ON d.id = ids.id`;

function sum<K extends 'successes' | 'failures' | 'duration_ms_total'>(hours: DestinationRow['hours'], key: K): number {
  return hours.reduce((total, hour) => total + Number(hour[key]), 0);
}

function policyModel(policy: DestinationPolicy) {
  const breaker = policy.breaker;
  return {
    breaker: breaker && {
      failures: breaker.consecutiveFailures,
      failure_rate: breaker.failureRate,
      min_attempts: breaker.minimumAttempts,
      window_ms: breaker.windowMs,
      cool_down_ms: breaker.coolDownMs,
      disable_after_ms: breaker.disableAfterMs,
    },
    rate_limit: policy.rateLimit?.text ?? null,
  };
}
