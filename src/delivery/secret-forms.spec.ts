import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { secretForms } from './secret-forms';

const SECRET = 'Tok3n-MixedCase-Sekr1t';

describe('secretForms', () => {
  it('covers the secret as it is, in other case, JSON-escaped, URL-encoded, as hex, base64 and base64url', () => {
    const forms = secretForms('p@ss"W/rd-42');
    for (const form of ['p@ss"W/rd-42', 'p@ss"w/rd-42', 'P@SS"W/RD-42', 'p@ss\\"W/rd-42', 'p%40ss%22W%2Frd-42']) assert.ok(forms.includes(form), form);
    assert.ok(forms.includes(Buffer.from('p@ss"W/rd-42').toString('hex')));
    assert.ok(forms.includes(Buffer.from('p@ss"W/rd-42').toString('base64')));
    assert.ok(forms.includes(Buffer.from('p@ss"W/rd-42').toString('base64url')));
  });

  it('finds the secret base64-encoded inside a longer text, whatever comes before it', () => {
    for (const prefix of ['', 'B', 'Be', 'Bearer ', 'user:']) {
      for (const encoding of ['base64', 'base64url'] as const) {
        const encoded = Buffer.from(`${prefix}${SECRET} and more`).toString(encoding);
        assert.ok(
          secretForms(SECRET).some((form) => form.length >= 8 && encoded.includes(form) && form !== SECRET),
          `${encoding} of "${prefix}…" is recognised`,
        );
      }
    }
  });

  it('has no form for values too short to be secrets', () => {
    assert.deepEqual(secretForms('abc'), []);
    assert.ok(secretForms('abcd').every((form) => form.length >= 4));
  });
});
