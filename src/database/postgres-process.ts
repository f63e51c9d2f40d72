import { ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PostgresBinaries } from './postgres-binaries';
import { PostgresUser } from './postgres-user';

const LINES_KEPT = 50;
const READY_POLL_MS = 50;

/** How a child ended: it exited, or it could not be started at all (`EACCES`, `ENOENT`). */
type Ending = { code: number | null; signal: NodeJS.Signals | null } | { spawnError: NodeJS.ErrnoException };

/** A child of ours with its recent output kept for error messages; it never throws an unhandled `error` event. */
class Child {
  readonly process: ChildProcess;
  readonly ended: Promise<Ending>;
  private readonly lines: string[] = [];
  private ending?: Ending;

  constructor(binary: string, args: string[], runAs: PostgresUser | undefined) {
    this.process = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    });
    for (const stream of [this.process.stdout!, this.process.stderr!]) stream.on('data', (chunk: Buffer) => this.keep(chunk.toString('utf8')));
    this.ended = new Promise<Ending>((resolve) => {
      this.process.once('error', (spawnError) => resolve({ spawnError }));
      this.process.once('close', (code, signal) => resolve({ code, signal }));
    }).then((ending) => (this.ending = ending));
  }

  get hasEnded(): boolean {
    return this.ending !== undefined;
  }

  /** Why it ended, in one line: it could not be run (`syscall` 'spawn'), or its last error line and exit status. */
  failure(name: string): NodeJS.ErrnoException {
    const ending = this.ending;
    if (ending && 'spawnError' in ending) {
      const { code, path, message } = ending.spawnError;
      return Object.assign(new Error(`could not run ${path ?? name} (${code ?? message})`), { code, syscall: 'spawn' });
    }
    const errorLine = [...this.lines].reverse().find((line) => /\b(FATAL|PANIC|ERROR|error):/.test(line)) ?? this.lines.at(-1) ?? 'no output';
    const status = ending ? (ending.signal ? `signal ${ending.signal}` : `exit code ${ending.code}`) : 'still running';
    return new Error(`${name} failed (${status}): ${errorLine.trim()}`);
  }

  private keep(text: string): void {
    this.lines.push(...text.split('\n').filter((line) => line.trim() !== ''));
    if (this.lines.length > LINES_KEPT) this.lines.splice(0, this.lines.length - LINES_KEPT);
  }
}

/** Creates a cluster in `clusterDir` whose superuser `postgres` has the password in `passwordFile`. */
export async function initdb(binaries: PostgresBinaries, clusterDir: string, passwordFile: string, runAs?: PostgresUser): Promise<void> {
  const child = new Child(
    binaries.initdb,
    [
      `--pgdata=${clusterDir}`,
      '--auth=scram-sha-256',
      '--username=postgres',
      `--pwfile=${passwordFile}`,
      // UTF-8 whatever the environment's locale (a container often has none, which means SQL_ASCII).
      '--encoding=UTF8',
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
    ],
    runAs,
  );
  const ending = await child.ended;
  if ('spawnError' in ending || ending.code !== 0) throw child.failure('initdb');
}

/** A running postmaster on 127.0.0.1 (no Unix socket), started from `clusterDir`. */
export class PostgresProcess {
  private constructor(private readonly child: Child) {}

  /** Starts PostgreSQL and resolves once it accepts connections; rejects with why it stopped. */
  static async start(binaries: PostgresBinaries, clusterDir: string, port: number, runAs?: PostgresUser): Promise<PostgresProcess> {
    const child = new Child(
      binaries.postgres,
      ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
      runAs,
    );
    while (!child.hasEnded) {
      if (await saysReady(clusterDir, child.process.pid)) return new PostgresProcess(child);
      await Promise.race([child.ended, new Promise((done) => setTimeout(done, READY_POLL_MS))]);
    }
    throw child.failure('postgres');
  }

  get pid(): number | undefined {
    return this.child.process.pid;
  }

  /** Fast shutdown: PostgreSQL ends its sessions, writes a checkpoint and removes its lock file. */
  async stop(): Promise<void> {
    if (!this.child.hasEnded) this.child.process.kill('SIGINT');
    await this.child.ended;
  }

  /** For an exiting Node process, which cannot wait: ask for a fast shutdown. */
  signalStop(): void {
    if (!this.child.hasEnded) this.child.process.kill('SIGINT');
  }
}

/** `postmaster.pid` names the postmaster and, on its eighth line, its state, as `pg_ctl` reads it. */
async function saysReady(clusterDir: string, pid: number | undefined): Promise<boolean> {
  const lines = (await readFile(join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  return pid !== undefined && Number(lines[0]) === pid && lines[7]?.trim() === 'ready';
}
