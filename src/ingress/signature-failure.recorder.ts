import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

interface SignatureFailure {
  source: string;
  reason: string;
  receivedAt: Date;
  remoteAddress: string | null;
}

const FLUSH_INTERVAL_MS = 250;
const MAX_PENDING = 10_000;

/**
 * Records refused requests for the console without slowing the refusal: failures are
 * written in batches, and a flood beyond `MAX_PENDING` is counted, not queued.
 */
@Injectable()
export class SignatureFailureRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger(SignatureFailureRecorder.name);
  private pending: SignatureFailure[] = [];
  private dropped = 0;
  private timer?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  record(failure: SignatureFailure): void {
    if (this.pending.length >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.push(failure);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (this.dropped > 0) {
      this.logger.warn(`${this.dropped} signature failures were not recorded (too many at once)`);
      this.dropped = 0;
    }
    if (batch.length === 0) return;
    try {
      await this.dataSource.query(
        `INSERT INTO signature_failures (source, reason, received_at, remote_address)
         SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[])`,
        [batch.map((f) => f.source), batch.map((f) => f.reason), batch.map((f) => f.receivedAt.toISOString()), batch.map((f) => f.remoteAddress)],
      );
    } catch (error) {
      this.logger.error(`Could not record ${batch.length} signature failures: ${(error as Error).message}`);
    }
  }
}
