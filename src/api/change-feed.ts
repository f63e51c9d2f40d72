import { randomUUID } from 'node:crypto';
import { Injectable, Logger, MessageEvent, OnModuleDestroy } from '@nestjs/common';
import { Client, Notification } from 'pg';
import { Observable, Subject } from 'rxjs';
import { DatabaseConnection } from '../database/database-connection';
import type { ChangeMessageModel } from './api-models';

export const CHANGES_CHANNEL = 'hookflow_changes';
const HEARTBEAT_MS = 15_000;
/** The triggers notify only while a row of `change_feed_listeners` is alive; it is renewed well before it lapses. */
const LISTENER_TTL_SECONDS = 45;
const RECONNECT_MS = [250, 1_000, 5_000];

/** One message of `GET /api/stream`. */
export type ChangeMessage = ChangeMessageModel;

/** An item as the triggers of migration `ChangeFeed1764345600000` send it (short keys keep payloads small). */
interface ChangeItem {
  k: ChangeMessage['type'];
  r?: string;
  w?: string;
  s?: string;
  e?: string;
  p?: string;
  a?: number;
  src?: string;
  t?: string;
}

/**
 * Changes to runs, steps and events, made by any process, as database triggers announce
 * them. One dedicated connection LISTENs while at least one client is subscribed, and
 * reconnects when it drops; nothing is held while nobody listens, and the triggers stay
 * silent then (see migration `ChangeFeed1764345600000`).
 */
@Injectable()
export class ChangeFeed implements OnModuleDestroy {
  private readonly logger = new Logger(ChangeFeed.name);
  private readonly changes = new Subject<ChangeMessage>();
  private readonly closing = new Subject<void>();
  private subscribers = 0;
  private client?: Client;
  private listening?: Promise<void>;
  private reconnectTimer?: NodeJS.Timeout;
  private renewTimer?: NodeJS.Timeout;
  /** The row in `change_feed_listeners` of the current connection: each connection has its own. */
  private listenerId = '';
  private failures = 0;
  private destroyed = false;

  constructor(private readonly connection: DatabaseConnection) {}

  /**
   * The stream of one client: a `listening` comment once changes flow to it, then one
   * message per change, and a comment every 15 s that keeps proxies from closing it.
   */
  stream(): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      if (this.destroyed) return subscriber.complete();
      const changes = this.changes.subscribe((change) => subscriber.next({ data: change }));
      const closing = this.closing.subscribe(() => subscriber.complete());
      const heartbeat = setInterval(() => subscriber.next({ comment: 'heartbeat' }), HEARTBEAT_MS);
      this.subscribers++;
      void this.listen().then(() => {
        if (!subscriber.closed) subscriber.next({ comment: 'listening' });
      });
      return () => {
        clearInterval(heartbeat);
        changes.unsubscribe();
        closing.unsubscribe();
        if (--this.subscribers === 0) void this.stopListening();
      };
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    this.closing.next();
    await this.stopListening();
  }

  /** Resolves once the connection listens (at once when it already does). */
  private listen(): Promise<void> {
    this.listening ??= new Promise<void>((resolve) => this.connect(resolve));
    return this.listening;
  }

  private connect(ready: () => void): void {
    const client = new Client({ connectionString: this.connection.url, application_name: 'hookflow-change-feed' });
    const listenerId = randomUUID();
    this.client = client;
    this.listenerId = listenerId;
    client.on('notification', (notification) => this.publish(notification));
    client.on('error', (error) => this.lost(client, ready, error));
    client.on('end', () => this.lost(client, ready));
    client
      .connect()
      .then(() => client.query(`LISTEN ${CHANGES_CHANNEL}`))
      .then(() => this.announce(client, listenerId))
      .then(() => {
        if (this.client !== client) return;
        this.failures = 0;
        clearInterval(this.renewTimer);
        this.renewTimer = setInterval(() => void this.announce(client, listenerId).catch((error: unknown) => this.lost(client, ready, error)), HEARTBEAT_MS);
        ready();
      })
      .catch((error: unknown) => this.lost(client, ready, error));
  }

  /** Tells the triggers that this process listens, for the next 45 s (and forgets processes long gone). */
  private async announce(client: Client, listenerId: string): Promise<void> {
    await client.query(
      `WITH gone AS (DELETE FROM change_feed_listeners WHERE listening_until < now() - interval '1 hour')
       INSERT INTO change_feed_listeners (id, listening_until) VALUES ($1, now() + make_interval(secs => $2))
       ON CONFLICT (id) DO UPDATE SET listening_until = excluded.listening_until`,
      [listenerId, LISTENER_TTL_SECONDS],
    );
  }

  /** The connection failed or dropped: try again while someone listens. */
  private lost(client: Client, ready: () => void, error?: unknown): void {
    if (this.client !== client) return;
    clearInterval(this.renewTimer);
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.subscribers === 0 || this.destroyed) return;
    const delay = RECONNECT_MS[Math.min(this.failures++, RECONNECT_MS.length - 1)];
    this.logger.warn(`The change feed lost its database connection (${(error as Error | undefined)?.message ?? 'closed'}); reconnecting in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => this.connect(ready), delay);
  }

  private async stopListening(): Promise<void> {
    clearTimeout(this.reconnectTimer);
    clearInterval(this.renewTimer);
    const client = this.client;
    const listenerId = this.listenerId;
    this.client = undefined;
    this.listening = undefined;
    if (!client) return;
    await client.query(`DELETE FROM change_feed_listeners WHERE id = $1`, [listenerId]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }

  private publish(notification: Notification): void {
    if (notification.channel !== CHANGES_CHANNEL || !notification.payload) return;
    let items: ChangeItem[];
    try {
      items = JSON.parse(notification.payload) as ChangeItem[];
    } catch {
      this.logger.warn(`Ignored a change notification that is not JSON`);
      return;
    }
    for (const item of items) this.changes.next(messageOf(item));
  }
}

function messageOf(item: ChangeItem): ChangeMessage {
  const message: ChangeMessage = { type: item.k, run_id: item.r ?? null, workflow: item.w ?? null, status: item.s ?? null };
  if (item.e !== undefined) message.event_id = item.e;
  if (item.p !== undefined) message.step_id = item.p;
  if (item.a !== undefined) message.attempts = item.a;
  if (item.src !== undefined) message.source = item.src;
  if (item.t !== undefined) message.event_type = item.t;
  return message;
}
