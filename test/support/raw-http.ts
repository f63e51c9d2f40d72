import { connect, Socket } from 'node:net';

export interface RawAnswer {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: any;
  /** Milliseconds from connecting until the server closed the connection (or the wait ended). */
  elapsedMs: number;
  closedByServer: boolean;
}

/** `http://127.0.0.1:1234` → its port. */
export function portOf(baseUrl: string): number {
  return Number(new URL(baseUrl).port);
}

/**
 * Sends bytes as they are over a fresh TCP connection — requests that HTTP clients refuse
 * to build (thousands of headers, invalid bytes) — and reads the answer until the server
 * closes the connection, a complete answer arrived, or `timeoutMs` passed.
 */
export function rawRequest(baseUrl: string, request: string | Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(portOf(baseUrl), '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseAnswer(Buffer.concat(chunks)), elapsedMs: Date.now() - started, closedByServer });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (isComplete(Buffer.concat(chunks))) finish(false);
    });
    socket.on('close', () => finish(true));
    // The server may answer and close while a large request is still being written.
    socket.on('error', () => undefined);
    socket.write(request);
  });
}

/**
 * A slow-loris client: sends a request line, then one byte of a never-ending header every
 * `intervalMs` — or, with `trickle: 'body'`, complete headers and then one byte of a large
 * body every `intervalMs`. `closed` resolves with the milliseconds the server let it live,
 * and the answer it got before closing (if any).
 */
export interface SlowClient {
  socket: Socket;
  closed: Promise<{ afterMs: number; answer: string }>;
  stop(): void;
}

export function slowLoris(baseUrl: string, intervalMs: number, trickle: 'headers' | 'body' = 'headers', path = '/hooks/open'): SlowClient {
  const started = Date.now();
  const socket = connect(portOf(baseUrl), '127.0.0.1');
  const received: Buffer[] = [];
  let timer: NodeJS.Timeout | undefined;
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.once('connect', () => {
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n`;
    socket.write(trickle === 'headers' ? `${head}X-Slow: ` : `${head}Content-Length: 1000000\r\n\r\n{"a":"`);
    timer = setInterval(() => {
      if (!socket.destroyed) socket.write('a');
    }, intervalMs);
  });
  const closed = new Promise<{ afterMs: number; answer: string }>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve({ afterMs: Date.now() - started, answer: Buffer.concat(received).toString('latin1') });
    }),
  );
  return {
    socket,
    closed,
    stop() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

function parseAnswer(bytes: Buffer): Pick<RawAnswer, 'status' | 'headers' | 'body' | 'json'> {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return { status: 0, headers: {}, body: '', json: undefined };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = bytes.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1')).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body, json };
}

/** A whole answer with a Content-Length has arrived (keep-alive servers do not close). */
function isComplete(bytes: Buffer): boolean {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end));
  return length !== null && bytes.length - (end + 4) >= Number(length[1]);
}
