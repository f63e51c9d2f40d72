import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonNestedDeeperThan, MAX_JSON_DEPTH, readBody } from './inbound-body';

describe('readBody', () => {
  it('hands JSON nested deeper than the limit to workflows as text, saying why', () => {
    const deep = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
    assert.deepEqual(readBody(Buffer.from(deep), 'application/json'), {
      format: 'text',
      value: deep,
      problem: `body is JSON nested deeper than ${MAX_JSON_DEPTH} levels: handed to workflows as text`,
    });
    const limit = `${'{"a":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}`;
    assert.equal(readBody(Buffer.from(limit), null).format, 'json');
  });

  it('counts only brackets outside strings', () => {
    const text = JSON.stringify({ text: '['.repeat(2000), quoted: '\\"[[[[' });
    assert.equal(jsonNestedDeeperThan(text, 3), false);
    assert.equal(jsonNestedDeeperThan(`[[[${JSON.stringify('\\')}, [${'0,'.repeat(10)}0]]]]`, 3), true);
  });

  it('notes malformed JSON without quoting the body', () => {
    const body = readBody(Buffer.from('card 4242 4242 4242 4242'), 'application/json');
    assert.equal(body.format, 'text');
    assert.match(body.problem ?? '', /^body is not valid JSON/);
    assert.ok(!body.problem?.includes('4242'), body.problem);
  });
});
