import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonbText, storableText } from './storable-text';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** What PostgreSQL can keep of a string: U+0000 and lone surrogates become U+FFFD. */
function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [map(key), mapStrings(item, map)]));
  }
  return value;
}

/** Strings rich in what jsonb refuses, and in backslashes that look like escapes. */
const trickyString = fc
  .array(
    fc.oneof(fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('\u0000', '\ud800', '\udc00', '\ud83d\ude00', '\\', '\\u0000', '\\ud800', 'u0000')),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

describe('storable text', () => {
  it('writes JSON that keeps every value, with U+0000 and lone surrogates as U+FFFD', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: trickyString, maxDepth: 3 }), (value) => {
        const text = jsonbText(value);
        assert.doesNotMatch(text.replace(/\\\\/g, ''), /\\u0000|\\ud[89a-f]/);
        const normalised = JSON.parse(JSON.stringify(value));
        assert.deepStrictEqual(JSON.parse(text), mapStrings(normalised, storable));
      }),
      { numRuns: 200 },
    );
  });

  it('leaves the text `\\u0000` (a backslash and five letters) as it is', () => {
    assert.equal(JSON.parse(jsonbText({ path: 'C:\\u0000' })).path, 'C:\\u0000');
    assert.equal(jsonbText({ a: 'x\u0000y' }), '{"a":"x\\ufffdy"}');
  });

  it('replaces U+0000 in text for text columns', () => {
    assert.equal(storableText('a\u0000b'), 'a\uFFFDb');
    assert.equal(storableText(null), null);
  });
});
