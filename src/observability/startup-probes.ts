import { createServer, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';

/**
 * What Hookflow's port answers while it waits for a database that does not answer yet:
 * `/healthz` 200, since the process is alive and keeps trying, so restarting it would not
 * help; `/readyz` 503 with the reason; any other path 503 in the usual error shape, so that
 * senders retry. The app takes the port over once the database answers.
 */
export class StartupProbes {
  private reason = 'not tried yet';

  private constructor(
    private readonly server: Server | HttpsServer,
    private readonly database: string,
  ) {}

  /**
   * Listens on the app's port, over TLS when `tls` is given (as the app will); answers
   * undefined when the port cannot be had (the app will say why).
   */
  static async listen(host: string, port: number, database: string, tls?: { cert: Buffer; key: Buffer }): Promise<StartupProbes | undefined> {
    const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }) : createServer();
    const probes = new StartupProbes(server, database);
    server.on('request', (request, response) => probes.answer(request.method ?? 'GET', request.url ?? '/', response));
    return new Promise((resolve) => {
      server.once('error', () => resolve(undefined));
      server.listen({ host, port }, () => resolve(probes));
    });
  }

  /** Why the last attempt failed; `/readyz` says it. */
  waitingBecause(reason: string): void {
    this.reason = reason;
  }

  /** Frees the port; open keep-alive connections are closed too. */
  close(): Promise<void> {
    return new Promise((done) => {
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
  }

  private answer(method: string, url: string, response: ServerResponse): void {
    const path = url.split('?')[0];
    if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      return send(response, 200, { status: 'ok' });
    }
    if (path === '/readyz') {
      return send(response, 503, { error: { code: 'NOT_READY', message: `Waiting for the database ${this.database}: ${this.reason}` } });
    }
    response.setHeader('retry-after', '5');
    send(response, 503, { error: { code: 'STARTING', message: `Hookflow is starting: waiting for the database ${this.database}` } });
  }
}

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
