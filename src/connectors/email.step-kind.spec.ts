import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Settings } from '../config/settings';
import { EmailConnector } from './email.step-kind';
import { stepContext } from './step-context.fixture';

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1: recipients at `reject.example` get 550, at `busy.example` 451. */
async function startSmtpServer(): Promise<{ url: string; mails: ReceivedMail[]; close: () => Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@busy.example')) return callback(Object.assign(new Error('4.2.1 Try again later'), { responseCode: 451 }));
      if (!address.address.endsWith('@reject.example')) return callback();
      callback(Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push({ from, to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function connectorFor(smtpUrl: string | undefined): EmailConnector {
  return new EmailConnector({ HOOKFLOW_SMTP_URL: smtpUrl } as Settings);
}

const message = {
  to: 'customer@example.com',
  subject: 'Your order 1001 is on its way',
  text: 'Tracking number: TRACK-42',
};

describe(EmailConnector.name, () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let connector: EmailConnector;

  before(async () => {
    smtp = await startSmtpServer();
    connector = connectorFor(smtp.url);
  });

  after(async () => {
    connector.onModuleDestroy();
    await smtp.close();
  });

  it('delivers the message with its recipients, subject, body and a Message-ID from the idempotency key', async () => {
    const outcome = await connector.execute({ ...message, cc: ['boss@example.com'] }, message, stepContext({ idempotencyKey: 'run-1.email' }));

    assert.equal(outcome.kind, 'succeeded');
    assert.deepEqual(outcome.output, {
      message_id: '<run-1.email@hookflow>',
      accepted: ['customer@example.com', 'boss@example.com'],
      rejected: [],
    });
    const mail = smtp.mails.at(-1)!;
    assert.equal(mail.from, 'hookflow@localhost');
    assert.deepEqual(mail.to, ['customer@example.com', 'boss@example.com']);
    assert.match(mail.raw, /^To: customer@example\.com$/m);
    assert.match(mail.raw, /^Subject: Your order 1001 is on its way$/m);
    assert.match(mail.raw, /^Message-ID: <run-1\.email@hookflow>$/m);
    assert.match(mail.raw, /Tracking number: TRACK-42/);
  });

  it('gives every attempt of a step the same Message-ID', async () => {
    const context = stepContext({ idempotencyKey: 'run-2:email' });
    const first = await connector.execute(message, message, context);
    const second = await connector.execute(message, message, { ...context, attempt: 2 });

    assert.equal(first.kind, 'succeeded');
    assert.equal(second.kind, 'succeeded');
    assert.deepEqual(first.output, second.output);
    assert.equal((first.output as { message_id: string }).message_id, '<run-2.email@hookflow>');
  });

  it('records the attempt from the redacted input, with the server but not its credentials', async () => {
    const withCredentials = connectorFor(smtp.url.replace('smtp://', 'smtp://mailer:hunter2@'));
    try {
      const input = { ...message, text: 'code s3cr3t-value' };
      const outcome = await withCredentials.execute(input, { ...message, text: 'code [secret]' }, stepContext());

      assert.equal(outcome.kind, 'succeeded');
      const attempt = outcome.attempt!;
      assert.equal(attempt.request.method, 'SMTP');
      assert.equal(attempt.request.url, smtp.url);
      assert.equal(attempt.request.headers.to, 'customer@example.com');
      assert.equal(attempt.request.headers.subject, message.subject);
      assert.equal(attempt.request.body, 'code [secret]');
      assert.equal(attempt.status, 250);
      assert.doesNotMatch(JSON.stringify(attempt), /hunter2|s3cr3t-value/);
    } finally {
      withCredentials.onModuleDestroy();
    }
  });

  it('fails without retrying when the server rejects the recipient with 550', async () => {
    const input = { ...message, to: 'nobody@reject.example' };
    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.retryable, false);
    assert.match(outcome.error, /^SMTP 550/);
    assert.equal(outcome.attempt?.status, 550);
  });

  it('fails with a retry when the server answers a temporary 4xx', async () => {
    const input = { ...message, to: 'someone@busy.example' };
    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.retryable, true);
    assert.match(outcome.error, /^SMTP 451/);
  });

  it('reports a recipient the server refused while others were accepted', async () => {
    const input = { ...message, to: ['customer@example.com', 'nobody@reject.example'] };
    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'succeeded');
    assert.deepEqual((outcome.output as { rejected: string[] }).rejected, ['nobody@reject.example']);
  });

  it('fails with a retry when the SMTP server is down', async () => {
    const down = connectorFor(`smtp://127.0.0.1:${await closedPort()}`);
    try {
      const outcome = await down.execute(message, message, stepContext());

      assert.equal(outcome.kind, 'failed');
      assert.equal(outcome.retryable, true);
      assert.match(outcome.error, /^smtp: /);
      assert.ok(outcome.attempt);
    } finally {
      down.onModuleDestroy();
    }
  });

  it('fails without retrying when HOOKFLOW_SMTP_URL is not set', async () => {
    const outcome = await connectorFor(undefined).execute(message, message, stepContext());

    assert.deepEqual(outcome, { kind: 'failed', error: 'HOOKFLOW_SMTP_URL is not set', retryable: false });
  });

  it('fails without retrying when a rendered address is not a string', async () => {
    const input = { ...message, to: { address: 'x@example.com' } };
    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.retryable, false);
    assert.match(outcome.error, /`with\.to` must be a string or a list of strings, got a map/);
  });

  it('refuses a rendered address that holds several, sending nothing, and says a list sends to several', async () => {
    const sent = smtp.mails.length;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { to: 'customer@example.com, attacker@evil.example' },
        /^`with\.to` must be one e-mail address, got 2 in "customer@example\.com, attacker@evil\.example" \(a YAML list sends to several\)$/,
      ],
      [{ to: ['customer@example.com', 'a@x.example; b@evil.example'] }, /^`with\.to` must be one e-mail address, got 2 in/],
      [{ cc: 'list: a@evil.example, b@evil.example;' }, /^`with\.cc` must be one e-mail address, got 2 in/],
      [{ bcc: 'a@evil.example b@evil.example' }, /^`with\.bcc` must be an e-mail address such as/],
      [{ reply_to: '"x" <a@evil.example>, <b@evil.example>' }, /^`with\.reply_to` must be one e-mail address, got 2 in/],
      [{ from: 'shop@example.com, a@evil.example' }, /^`with\.from` must be one e-mail address, got 2 in/],
      [{ to: 'Bob <evil@evil.example> <customer@example.com>' }, /^`with\.to` must be an e-mail address such as/],
      [{ to: 'Customer' }, /^`with\.to` must be an e-mail address such as ann@example\.com or Ann Lee <ann@example\.com>, got "Customer"$/],
      [{ to: 'customer@example.com\r\nBcc: a@evil.example' }, /^`with\.to` must be/],
    ];
    for (const [fields, error] of cases) {
      const input = { ...message, ...fields };
      const outcome = await connector.execute(input, input, stepContext());
      assert.equal(outcome.kind, 'failed', JSON.stringify(fields));
      assert.equal(outcome.retryable, false);
      assert.match(outcome.error, error);
    }
    assert.equal(smtp.mails.length, sent, 'nothing was sent');
  });

  it('sends to each address of a list, reading quoted and display names as one address', async () => {
    const input = {
      ...message,
      from: 'Shop <shop@example.com>',
      to: ['"Doe, Jane" <jane@example.com>', ' Ann Lee <ann@example.com> ', ''],
      cc: 'boss@example.com',
      reply_to: '"Support; Desk" <help@example.com>',
    };
    const outcome = await connector.execute(input, input, stepContext());

    assert.equal(outcome.kind, 'succeeded', JSON.stringify(outcome));
    const mail = smtp.mails.at(-1)!;
    assert.equal(mail.from, 'shop@example.com');
    assert.deepEqual(mail.to, ['jane@example.com', 'ann@example.com', 'boss@example.com']);
    assert.match(mail.raw, /^To: "Doe, Jane" <jane@example\.com>, Ann Lee <ann@example\.com>$/m);
    assert.match(mail.raw, /^Reply-To: "Support; Desk" <help@example\.com>$/m);
    assert.equal(outcome.attempt!.request.headers.to, '"Doe, Jane" <jane@example.com>, Ann Lee <ann@example.com>');
  });

  it('stops waiting when the step is aborted and allows another attempt', async () => {
    const controller = new AbortController();
    controller.abort(new Error('step timed out after 15s'));
    const outcome = await connector.execute(message, message, stepContext({ signal: controller.signal }));

    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.retryable, true);
    assert.match(outcome.error, /step timed out after 15s/);
  });

  it('plans the message from the redacted input only', () => {
    const plan = connector.plan({ ...message, to: ['[secret]', 'ops@example.com'], text: 'code [secret]' }, stepContext());

    assert.equal(plan.kind, 'email');
    assert.equal(plan.summary, 'SMTP to [secret], ops@example.com');
    assert.deepEqual((plan.detail as { headers: Record<string, string> }).headers.subject, message.subject);
    assert.match(JSON.stringify(plan.detail), /code \[secret\]/);
  });
});
