import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { ProcessMemory, readProcessMemory } from './process-memory';

const OUTPUT_KEPT = 16 * 1024;
const STOP_GRACE_MS = 15_000;

export interface ServerLaunch {
  label: string;
  /** Absolute path of the JavaScript file run with `node`. */
  entry: string;
  args?: string[];
  cwd?: string;
  nodeFlags?: string[];
  env: Record<string, string>;
  /** A GET route that answers 200 once the server accepts traffic. */
  readyPath: string;
  readyTimeoutMs?: number;
}

/**
 * A measured server as a child process on 127.0.0.1: `node` itself, spawned without a
 * shell, so that its pid is the server's (for signals, CPU and memory). It is stopped by
 * that pid: SIGTERM, then SIGKILL if it has not exited after a grace period.
 */
export class ServerProcess {
  private static readonly live = new Set<ServerProcess>();
  private output = '';
  private readonly exited: Promise<void>;
  private exitCode: number | string | null = null;
  private memoryBeforeStop: ProcessMemory | undefined;

  private constructor(
    readonly label: string,
    readonly baseUrl: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-OUTPUT_KEPT));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    ServerProcess.live.add(this);
    this.exited = once(child, 'exit').then(([code, signal]) => {
      this.exitCode = (code ?? signal) as number | string;
      ServerProcess.live.delete(this);
    });
  }

  /** Stops every server still running (used when the bench itself is interrupted). */
  static async stopAll(): Promise<void> {
    await Promise.all([...ServerProcess.live].map((server) => server.stop()));
  }

  static async start(launch: ServerLaunch): Promise<ServerProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [...(launch.nodeFlags ?? []), launch.entry, ...(launch.args ?? [])], {
      cwd: launch.cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        ...launch.env,
        HOST: '127.0.0.1',
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(launch.label, `http://127.0.0.1:${port}`, child);
    try {
      await server.waitUntilReady(launch.readyPath, launch.readyTimeoutMs ?? 60_000);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** Starts several servers at once; if one fails to start, stops the others and throws its error. */
  static async startTogether(launches: ServerLaunch[]): Promise<ServerProcess[]> {
    const started = await Promise.allSettled(launches.map((launch) => ServerProcess.start(launch)));
    const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (!failed) return started.map((outcome) => (outcome as PromiseFulfilledResult<ServerProcess>).value);
    await Promise.all(started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.stop()] : [])));
    throw failed.reason;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  recentOutput(): string {
    return this.output;
  }

  get running(): boolean {
    return this.exitCode === null;
  }

  /** Peak and last resident memory, read from /proc just before `stop()` signalled the process. */
  get memoryAtStop(): ProcessMemory | undefined {
    return this.memoryBeforeStop;
  }

  async stop(): Promise<void> {
    if (!this.running || this.child.pid === undefined) return;
    this.memoryBeforeStop = readProcessMemory(this.child.pid);
    this.signal('SIGTERM');
    if (await this.exitsWithin(STOP_GRACE_MS)) return;
    this.signal('SIGKILL');
    await this.exitsWithin(STOP_GRACE_MS);
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      process.kill(this.child.pid!, signal);
    } catch {
      // already gone
    }
  }

  private async exitsWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((done) => (timer = setTimeout(() => done(false), ms)));
    const result = await Promise.race([this.exited.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  private async waitUntilReady(path: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.running) {
      try {
        const response = await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    const why = this.running ? `was not ready within ${timeoutMs} ms` : `exited (${this.exitCode})`;
    throw new Error(`${this.label} ${why}:\n${this.output.slice(-4000)}`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
