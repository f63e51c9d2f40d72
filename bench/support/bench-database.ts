import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server';

export interface BenchDatabase {
  name: string;
  url: string;
}

export interface DatabaseServerInfo {
  kind: 'embedded' | 'external';
  version: string;
  fsync: string;
  synchronousCommit: string;
  walSyncMethod: string;
  fullPageWrites: string;
  sharedBuffers: string;
  maxConnections: string;
}

/**
 * The one PostgreSQL server of a bench run: embedded in a fresh temporary folder (removed
 * at the end) unless DATABASE_URL names one. Each measured server gets its own database.
 */
export class BenchDatabaseServer {
  private embedded?: EmbeddedPostgresServer;
  private dataDir?: string;
  private adminUrl = '';
  private readonly created = new Set<string>();

  async start(externalUrl: string | undefined): Promise<void> {
    if (externalUrl) {
      this.adminUrl = externalUrl;
    } else {
      this.dataDir = await mkdtemp(join(tmpdir(), 'hookflow-bench-'));
      // As root, PostgreSQL runs as `postgres`, which must pass through the data folder.
      await chmod(this.dataDir, 0o711);
      this.embedded = new EmbeddedPostgresServer(this.dataDir);
      await this.embedded.start();
      this.adminUrl = this.embedded.superuserUrl;
    }
    await this.query('SELECT 1');
  }

  async createDatabase(label: string): Promise<BenchDatabase> {
    const name = `bench_${label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .slice(0, 30)}_${randomBytes(3).toString('hex')}`;
    await this.query(`CREATE DATABASE ${name}`);
    this.created.add(name);
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    return { name, url: url.toString() };
  }

  async dropDatabase(name: string): Promise<void> {
    await this.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    this.created.delete(name);
  }

  /** The embedded server's postmaster (its backends are its children); undefined when external. */
  get serverPid(): number | undefined {
    if (!this.embedded || !this.dataDir) return undefined;
    try {
      const pid = Number(readFileSync(join(this.dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Flushes dirty pages now, so that a checkpoint does not land inside the next measured run. */
  async checkpoint(): Promise<void> {
    await this.query('CHECKPOINT');
  }

  async info(): Promise<DatabaseServerInfo> {
    const setting = async (name: string) => (await this.query(`SHOW ${name}`))[0][name] as string;
    return {
      kind: this.embedded ? 'embedded' : 'external',
      version: await setting('server_version'),
      fsync: await setting('fsync'),
      synchronousCommit: await setting('synchronous_commit'),
      walSyncMethod: await setting('wal_sync_method'),
      fullPageWrites: await setting('full_page_writes'),
      sharedBuffers: await setting('shared_buffers'),
      maxConnections: await setting('max_connections'),
    };
  }

  /** Drops the databases this run created and stops the embedded server. */
  async stop(): Promise<void> {
    for (const name of [...this.created]) await this.dropDatabase(name).catch(() => undefined);
    if (this.embedded) await this.embedded.stop();
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
    this.embedded = undefined;
    this.dataDir = undefined;
  }

  private async query(sql: string): Promise<Record<string, unknown>[]> {
    const client = new Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      return (await client.query<Record<string, unknown>>(sql)).rows;
    } finally {
      await client.end();
    }
  }
}
