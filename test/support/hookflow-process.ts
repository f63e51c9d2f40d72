import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'src', 'main.js');
export const REPOSITORY_WORKFLOWS = join(__dirname, '..', '..', '..', 'workflows');

export interface HookflowProcess {
  child: ChildProcess;
  baseUrl: string;
  output(): string;
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<number | string>;
}

/** Runs `node dist/src/main.js` as `npm start` does, in `cwd`, with only the given environment. */
export async function spawnHookflow(cwd: string, env: Record<string, string>): Promise<HookflowProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, baseUrl: `http://127.0.0.1:${port}`, output: () => output, exited };
}

/**
 * Polls `/readyz` until it answers 200; fails with the process output otherwise. `readyz`
 * answers its status some other way, e.g. over HTTPS.
 */
export async function waitUntilReady(
  hookflow: HookflowProcess,
  timeoutMs = 30_000,
  readyz: () => Promise<number> = () => fetch(`${hookflow.baseUrl}/readyz`).then((response) => response.status),
): Promise<number> {
  const started = Date.now();
  let exitedEarly = false;
  void hookflow.exited.then(() => (exitedEarly = true));
  while (Date.now() - started < timeoutMs && !exitedEarly) {
    try {
      if ((await readyz()) === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`Hookflow was not ready within ${timeoutMs} ms:\n${hookflow.output()}`);
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
