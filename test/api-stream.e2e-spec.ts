import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { post } from './support/http';
import { eventually } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';
import { withClient } from './support/test-database';

const SOURCES = `
sources:
  tasks:
    verify: { scheme: none }
`;

const NOTIFY = `name: notify
on: { webhook: tasks, event: task.done }
steps:
  - id: first
    uses: set
    with: { title: "{{event.body.title}}" }
  - id: second
    uses: set
    with: { copied: "{{steps.first.output.title}}" }
`;

/** One frame of an event stream: its comment or its JSON data. */
type Frame = { comment: string } | { data: any };

/** Reads an event stream frame by frame, within a deadline; `close()` ends the request. */
class StreamReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  private constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly abort: AbortController,
  ) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<{ response: Response; stream: StreamReader }> {
    const abort = new AbortController();
    const response = await fetch(url, { headers, signal: abort.signal });
    return { response, stream: new StreamReader(response.body!.getReader(), abort) };
  }

  /** Reads frames until `until` accepts one; answers every frame read. */
  async readUntil(until: (frame: Frame, seen: Frame[]) => boolean, timeoutMs = 10_000): Promise<Frame[]> {
    const seen: Frame[] = [];
    const timer = setTimeout(() => this.abort.abort(), timeoutMs);
    try {
      for (;;) {
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          const frame = parseFrame(block);
          if (!frame) continue;
          seen.push(frame);
          if (until(frame, seen)) return seen;
        }
        const { value, done } = await this.reader.read();
        if (done) throw new Error(`the stream ended after ${JSON.stringify(seen)}`);
        this.buffer += this.decoder.decode(value, { stream: true });
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}; frames so far: ${JSON.stringify(seen)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.abort.abort();
  }
}

function parseFrame(block: string): Frame | undefined {
  const lines = block.split('\n').filter((line) => line !== '');
  const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6));
  if (data.length > 0) return { data: JSON.parse(data.join('\n')) };
  const comment = lines.find((line) => line.startsWith(':'));
  return comment === undefined ? undefined : { comment: comment.slice(1).trim() };
}

const isListening = (frame: Frame) => 'comment' in frame && frame.comment === 'listening';

describe('change stream', () => {
  let hookflow: TestApp;

  before(async () => {
    hookflow = await startTestApp({ files: { 'sources.yaml': SOURCES, 'notify.yaml': NOTIFY } });
  });

  after(async () => {
    await hookflow.close();
  });

  const feedConnections = async () =>
    Number(
      (
        await hookflow.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'hookflow-change-feed' AND datname = current_database()`,
        )
      )[0].n,
    );

  it('holds no database connection while nobody listens', async () => {
    assert.equal(await feedConnections(), 0);
  });

  it('streams the event, the run it creates and every step change of it, as they happen', async () => {
    const { response, stream } = await StreamReader.open(`${hookflow.baseUrl}/api/stream?access_token=${hookflow.adminToken}`);
    try {
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
      await stream.readUntil(isListening);

      const answer = await post(`${hookflow.baseUrl}/hooks/tasks`, JSON.stringify({ type: 'task.done', title: 'Live' }));
      assert.equal(answer.status, 202);
      const eventId: string = answer.body.event_id;
      const frames = await stream.readUntil(
        (frame) => 'data' in frame && frame.data.type === 'run.updated' && ['succeeded', 'failed'].includes(frame.data.status),
      );
      const messages = frames.filter((frame): frame is { data: any } => 'data' in frame).map((frame) => frame.data);

      const received = messages.find((message) => message.type === 'event.received');
      assert.deepEqual(received, {
        type: 'event.received',
        run_id: null,
        workflow: null,
        status: null,
        event_id: eventId,
        source: 'tasks',
        event_type: 'task.done',
      });
      const created = messages.find((message) => message.type === 'run.created');
      // The process that accepted it runs it at once: the run is created running.
      assert.deepEqual(created, { type: 'run.created', run_id: created.run_id, workflow: 'notify', status: 'running', event_id: eventId });
      const ofRun = messages.filter((message) => message.run_id === created.run_id);
      assert.deepEqual(
        ofRun.filter((message) => message.type === 'run.updated').map((message) => message.status),
        ['succeeded'],
      );
      const steps = ofRun.filter((message) => message.type === 'step.updated');
      assert.ok(steps.every((message) => message.workflow === 'notify'));
      assert.deepEqual(
        steps.filter((message) => message.status === 'succeeded').map((message) => message.step_id),
        ['first', 'second'],
      );
      assert.ok(steps.every((message) => Number.isInteger(message.attempts)));
    } finally {
      stream.close();
    }
  });

  it('fans out over one database connection, sees writes of other processes, and lets the connection go when all leave', async () => {
    const first = await StreamReader.open(`${hookflow.baseUrl}/api/stream`, { authorization: `Bearer ${hookflow.adminToken}` });
    const second = await StreamReader.open(`${hookflow.baseUrl}/api/stream?access_token=${hookflow.adminToken}`);
    try {
      await first.stream.readUntil(isListening);
      await second.stream.readUntil(isListening);
      assert.equal(await feedConnections(), 1);

      // Written on another connection, as another Hookflow process would.
      const eventId = randomUUID();
      await hookflow.query(
        `INSERT INTO events (id, source, type, received_at, headers, body, body_format) VALUES ($1, 'elsewhere', 'made.outside', now(), '{}', '\\x7b7d', 'json')`,
        [eventId],
      );
      for (const { stream } of [first, second]) {
        const frames = await stream.readUntil((frame) => 'data' in frame && frame.data.event_id === eventId);
        assert.equal((frames[frames.length - 1] as { data: any }).data.type, 'event.received');
      }
    } finally {
      first.stream.close();
      second.stream.close();
    }
    await eventually(async () => (await feedConnections()) === 0, 5_000, 'the feed connection to close');
  });

  it('sends no notification at all while no stream listens, so that writes do not pay for it', async () => {
    const live = await hookflow.query(`SELECT id FROM change_feed_listeners WHERE listening_until > now()`);
    assert.deepEqual(live, []);
    const heard = await withClient(hookflow.databaseUrl, async (client) => {
      const payloads: string[] = [];
      client.on('notification', (notification) => payloads.push(notification.payload ?? ''));
      await client.query('LISTEN hookflow_changes');
      const answer = await post(`${hookflow.baseUrl}/hooks/tasks`, JSON.stringify({ type: 'task.done', title: 'Quiet' }));
      assert.equal(answer.status, 202);
      await eventually(async () => {
        const [run] = await hookflow.query<{ status: string }>(`SELECT status FROM runs WHERE event_id = $1`, [answer.body.event_id]);
        return run?.status === 'succeeded';
      });
      await client.query('SELECT 1');
      return payloads;
    });
    assert.deepEqual(heard, []);
  });
});
