import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import type { ArgumentsHost } from '@nestjs/common';
import { DomainError } from './domain-error';
import { ErrorCode, ERROR_STATUS } from './error-status';
import { ErrorFilter } from './error.filter';

interface Answer {
  status?: number;
  headers: Record<string, string>;
  body?: unknown;
}

function answerTo(exception: unknown): Answer {
  const answer: Answer = { headers: {} };
  const reply = {
    header(name: string, value: string) {
      answer.headers[name] = value;
      return reply;
    },
    status(status: number) {
      answer.status = status;
      return reply;
    },
    send(body: unknown) {
      answer.body = body;
      return reply;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
  new ErrorFilter().catch(exception, host);
  return answer;
}

describe(ErrorFilter.name, () => {
  it('answers every domain error code with its own HTTP error status and the code in the body', () => {
    const codes = Object.keys(ERROR_STATUS) as ErrorCode[];
    assert.ok(codes.length > 0);
    for (const code of codes) {
      const answer = answerTo(new DomainError(code, `a ${code}`));
      assert.equal(answer.status, ERROR_STATUS[code], code);
      assert.ok(answer.status >= 400 && answer.status <= 599 && STATUS_CODES[answer.status], `${code} maps to ${answer.status}, not an HTTP error status`);
      assert.deepEqual(answer.body, { error: { code, message: `a ${code}` } });
    }
  });

  it('answers client mistakes with 4xx', () => {
    for (const code of [
      'VALIDATION_FAILED',
      'INVALID_DRY_RUN_EVENT',
      'TEMPLATE_SYNTAX',
      'TEMPLATE_MISSING_PATH',
      'INVALID_STEP_INPUT',
      'OUTBOUND_BLOCKED',
    ] as const) {
      const status = answerTo(new DomainError(code, 'no')).status!;
      assert.ok(status >= 400 && status < 500, `${code} answers ${status}`);
    }
  });

  it('tells a busy sender when to retry', () => {
    const answer = answerTo(new DomainError('INGRESS_BUSY', 'busy', { retryAfterSeconds: 1 }));
    assert.equal(answer.status, 503);
    assert.equal(answer.headers['retry-after'], '1');
  });

  it('adds the fields of details.answer to the error body and no other detail', () => {
    const problems = [{ message: 'unknown key `stpes`', line: 3, column: 1 }];
    const answer = answerTo(new DomainError('INVALID_WORKFLOW', 'invalid', { answer: { problems }, internalPath: '/srv/workflows/a.yaml' }));
    assert.equal(answer.status, 422);
    assert.deepEqual(answer.body, { error: { code: 'INVALID_WORKFLOW', message: 'invalid', problems } });
  });

  it('answers an unexpected error 500 without its internals', () => {
    const answer = answerTo(new Error('connection string postgres://user:password@db'));
    assert.equal(answer.status, 500);
    assert.deepEqual(answer.body, { error: { code: 'INTERNAL', message: 'Something went wrong on our side' } });
  });
});
