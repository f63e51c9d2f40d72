import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { DatabaseConnection } from '../database/database-connection';
import { PauseRecord, PauseStore } from './pause-store';
import { PauseKind } from './pause.entity';

/** The channel migration Pauses1764700100000's trigger notifies on every change of `pauses`. */
export const PAUSES_CHANNEL = 'hookflow_pauses';
/**
 * The set is also reloaded this often, in case a notification was missed while the
 * listening connection was down: the longest a change takes to reach every process.
 */
export const PAUSES_POLL_MS = 5_000;
const RECONNECT_MS = [1_000, 5_000];

/**
 * Which workflows and sources are paused, held in memory by every process so that ingress
 * and the engine ask no database question for it. Loaded before the application serves
 * (module init), reloaded on every notification of a change (usually within milliseconds
 * of the commit, in every process) and every 5 s besides.
 */
@Injectable()
export class PausedSet implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PausedSet.name);
  /** By kind, then by name: a lookup on the ingress path builds no key. */
  private paused = new Map<PauseKind, Map<string, PauseRecord>>();
  private client?: Client;
  private pollTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private reloading?: Promise<void>;
  private reloadAgain = false;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly store: PauseStore,
    private readonly connection: DatabaseConnection,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.listen();
    this.pollTimer = setInterval(
      () => void this.reload().catch((error: Error) => this.logger.warn(`Reloading the paused set failed: ${error.message}`)),
      PAUSES_POLL_MS,
    );
    this.pollTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  isPaused(kind: PauseKind, name: string): boolean {
    return this.paused.get(kind)?.has(name) ?? false;
  }

  get(kind: PauseKind, name: string): PauseRecord | undefined {
    return this.paused.get(kind)?.get(name);
  }

  count(kind: PauseKind): number {
    return this.paused.get(kind)?.size ?? 0;
  }

  /** Reads the set again; concurrent calls share one read, and a call during a read gets a fresh one after it. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          const paused = new Map<PauseKind, Map<string, PauseRecord>>();
          for (const record of await this.store.list()) {
            const ofKind = paused.get(record.kind) ?? new Map<string, PauseRecord>();
            ofKind.set(record.name, record);
            paused.set(record.kind, ofKind);
          }
          this.paused = paused;
        } while (this.reloadAgain);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private listen(): void {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.connection.url, application_name: 'hookflow-pauses' });
    this.client = client;
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      const delay = RECONNECT_MS[Math.min(this.failures++, RECONNECT_MS.length - 1)];
      // Once per outage: the reload every 5 s goes on meanwhile and says when it fails.
      if (this.failures === 1) {
        this.logger.warn(
          `The paused set lost its listening connection (${error?.message ?? 'closed'}); reconnecting, and reloading every ${PAUSES_POLL_MS} ms meanwhile`,
        );
      }
      this.reconnectTimer = setTimeout(() => this.listen(), delay);
    };
    client.on('notification', () => void this.reload().catch((error: Error) => this.logger.warn(`Reloading the paused set failed: ${error.message}`)));
    client.on('error', lost);
    client.on('end', () => lost());
    client
      .connect()
      .then(() => client.query(`LISTEN ${PAUSES_CHANNEL}`))
      // Changes made while this connection was not listening were not announced to it.
      .then(() => this.reload())
      .then(() => {
        this.failures = 0;
      })
      .catch((error: Error) => lost(error));
  }
}
