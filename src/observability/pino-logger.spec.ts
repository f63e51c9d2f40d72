import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { PinoLogger } from './pino-logger';

function capture(): { logger: PinoLogger; lines(): Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = new PinoLogger('info', destination);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe(PinoLogger.name, () => {
  it('logs the fields of an object message as JSON fields, with the Nest context', () => {
    const { logger, lines } = capture();
    logger.warn({ msg: 'Step failed', event_id: 'e-1', run_id: 'r-1', workflow: 'deliver', step: 'notify' }, 'Runs');
    const [line] = lines();
    assert.equal(line.msg, 'Step failed');
    assert.equal(line.level, 40);
    assert.equal(line.context, 'Runs');
    assert.deepEqual([line.event_id, line.run_id, line.workflow, line.step], ['e-1', 'r-1', 'deliver', 'notify']);
  });

  it('logs a string as msg and an Error with its stack', () => {
    const { logger, lines } = capture();
    logger.log('Queue schema is up to date', 'QueueService');
    logger.error(new Error('boom'), undefined, 'Errors');
    const [info, error] = lines();
    assert.equal(info.msg, 'Queue schema is up to date');
    assert.equal(error.msg, 'boom');
    assert.match(String((error.err as { stack: string }).stack), /Error: boom/);
  });

  it("keeps Nest's start-up chatter at debug, and Hookflow's own lines at info", () => {
    const { logger, lines } = capture();
    logger.log('Mapped {/healthz, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('3 workflows and 5 sources in force', 'WorkflowRegistry');
    assert.deepEqual(
      lines().map((line) => line.msg),
      ['3 workflows and 5 sources in force'],
    );
  });

  it('never shows credentials, should a line carry headers or a secret field', () => {
    const { logger, lines } = capture();
    logger.warn({ msg: 'odd request', headers: { authorization: 'Bearer abc-123-secret', 'x-api-key': 'key-456', accept: '*/*' }, secret: 's-789' });
    const [line] = lines();
    assert.deepEqual(line.headers, { authorization: '[secret]', 'x-api-key': '[secret]', accept: '*/*' });
    assert.equal(line.secret, '[secret]');
    assert.doesNotMatch(JSON.stringify(line), /abc-123-secret|key-456|s-789/);
  });
});
