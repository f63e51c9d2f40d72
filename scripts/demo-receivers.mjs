#!/usr/bin/env node
// Local stand-ins for the services the example workflows talk to (see .env.example), so the
// examples can run end to end on one machine: `npm run demo:receivers` in one terminal,
// `npm start` in another. Everything binds to 127.0.0.1; Ctrl-C stops it all.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { SMTPServer } from 'smtp-server';

const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_MAIL_HEADER_BYTES = 64 * 1024;

let ticketCount = 0;

const receivers = [
  {
    name: 'shipping',
    port: 4001,
    routes: {
      'POST /labels': (request) => {
        const tracking = `TRK-${randomBytes(4).toString('hex').toUpperCase()}`;
        const signed = request.headers['webhook-signature'] ? 'signed' : 'NOT signed';
        return {
          status: 201,
          json: { tracking_number: tracking, label_url: `http://${HOST}:4001/labels/${tracking}.pdf` },
          log: `idempotency-key=${request.headers['idempotency-key'] ?? '(none)'} ${signed} -> ${tracking}`,
        };
      },
    },
  },
  {
    name: 'slack',
    port: 4002,
    routes: {
      'POST /slack': slackMessage,
      'POST /security': slackMessage,
    },
  },
  {
    name: 'tickets',
    port: 4003,
    routes: {
      'POST /issues': (request, body) => {
        const id = `TCK-${++ticketCount}`;
        const title = typeof body?.title === 'string' ? body.title : '(no title)';
        return { status: 201, json: { id, url: `http://${HOST}:4003/issues/${id}` }, log: `${id} ${JSON.stringify(title)}` };
      },
    },
  },
  {
    name: 'shop',
    port: 4004,
    routes: {
      // The shop's own API, for workflows/reconcile-orders.yaml: the orders paid recently. A-1001 is
      // the order of examples/events/order-paid.json; the others stand for webhooks that never came.
      'GET /orders': () => ({ status: 200, json: { orders: PAID_ORDERS }, log: `${PAID_ORDERS.length} paid orders` }),
    },
  },
];

const PAID_ORDERS = [
  {
    id: 'A-1001',
    total: 59.9,
    email: 'ada@example.com',
    shipping_address: { name: 'Ada Lovelace', street: "12 St James's Square", city: 'London', zip: 'SW1Y 4JH' },
  },
  {
    id: 'A-1002',
    total: 24.5,
    email: 'charles@example.com',
    shipping_address: { name: 'Charles Babbage', street: '1 Dorset Street', city: 'London', zip: 'W1U 4EG' },
  },
  {
    id: 'A-1003',
    total: 112,
    email: 'mary@example.com',
    shipping_address: { name: 'Mary Somerville', street: '12 Hanover Square', city: 'London', zip: 'W1S 1JJ' },
  },
];

function slackMessage(_request, body) {
  const text = typeof body?.text === 'string' ? body.text : Array.isArray(body?.blocks) ? `(${body.blocks.length} blocks)` : '(no text)';
  return { status: 200, text: 'ok', log: JSON.stringify(text) };
}

function log(service, message) {
  const time = new Date().toISOString().slice(11, 19);
  console.log(`${time}  ${service.padEnd(8)}  ${message}`);
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function startHttp(receiver) {
  const server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const route = receiver.routes[`${request.method} ${path}`];
    let answer;
    try {
      const body = parseJson(await readBody(request));
      answer = route ? route(request, body) : { status: 404, json: { error: 'not found' }, log: '(no such route)' };
    } catch (error) {
      answer = { status: 413, json: { error: error.message }, log: error.message };
    }
    if (answer.json !== undefined) response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
    else response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.text);
    log(receiver.name, `${request.method} ${path} ${answer.status}  ${answer.log}`);
  });
  await listening(server, receiver.port, receiver.name, (done) => server.listen(receiver.port, HOST, done));
  return () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      // Hookflow keeps connections alive; do not wait for them to time out.
      server.closeAllConnections();
    });
}

async function startSmtp(port) {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, callback) {
      let head = '';
      stream.on('data', (chunk) => {
        if (head.length < MAX_MAIL_HEADER_BYTES) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((recipient) => recipient.address).join(', ');
        log('smtp', `mail to ${to}  subject ${JSON.stringify(subjectOf(head))}`);
        callback();
      });
    },
  });
  await listening(server, port, 'smtp', (done) => server.listen(port, HOST, done));
  server.on('error', (error) => log('smtp', `error: ${error.message}`));
  return () => new Promise((resolve) => server.close(() => resolve()));
}

/** The Subject header, unfolded, with RFC 2047 encoded words (as nodemailer writes non-ASCII) decoded. */
function subjectOf(message) {
  const headers = message.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = headers.split(/\r?\n/).find((header) => /^subject:/i.test(header));
  if (!line) return '';
  return line
    .slice('subject:'.length)
    .trim()
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_word, _charset, encoding, text) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

/** Resolves once `server` listens; exits with one clear line when it cannot (a port in use, say). */
function listening(server, port, name, start) {
  return new Promise((resolve) => {
    const onError = (error) => {
      const reason = error.code === 'EADDRINUSE' ? 'the port is in use (are the receivers already running?)' : error.message;
      console.error(`cannot start ${name} on ${HOST}:${port}: ${reason}`);
      process.exit(1);
    };
    server.once('error', onError);
    start(() => {
      server.off('error', onError);
      resolve();
    });
  });
}

const stops = [...(await Promise.all(receivers.map(startHttp))), await startSmtp(2525)];

console.log(`Hookflow demo receivers (nothing leaves this machine):
  shipping  http://${HOST}:4001   POST /labels   -> 201 { tracking_number, label_url }
  slack     http://${HOST}:4002   POST /slack, POST /security -> 200 ok
  tickets   http://${HOST}:4003   POST /issues   -> 201 { id, url }
  shop      http://${HOST}:4004   GET /orders    -> 200 { orders: [3 paid orders] }
  smtp      smtp://${HOST}:2525   accepts every message
In .env: HOOKFLOW_OUTBOUND_ALLOW=127.0.0.1 and HOOKFLOW_SMTP_URL=smtp://${HOST}:2525 (see .env.example).
One line per request below. Ctrl-C stops them all.
`);

let stopping = false;
async function shutdown() {
  if (stopping) process.exit(1); // a second Ctrl-C does not wait
  stopping = true;
  console.log('\nstopping the demo receivers…');
  await Promise.all(stops.map((stop) => stop()));
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
