import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMailbox } from './email-address';

describe('parseMailbox', () => {
  it('reads one address, bare or with a display name, quoted or not', () => {
    assert.deepEqual(parseMailbox(' ann@example.com ', 'to'), { name: '', address: 'ann@example.com' });
    assert.deepEqual(parseMailbox('Ann Lee <ann@example.com>', 'to'), { name: 'Ann Lee', address: 'ann@example.com' });
    assert.deepEqual(parseMailbox('<ann@example.com>', 'to'), { name: '', address: 'ann@example.com' });
    assert.deepEqual(parseMailbox('"Lee, Ann \\"A\\"" <ann@example.com>', 'to'), { name: 'Lee, Ann "A"', address: 'ann@example.com' });
    assert.deepEqual(parseMailbox('Jörg <jörg@münchen.example>', 'to'), { name: 'Jörg', address: 'jörg@münchen.example' });
    assert.deepEqual(parseMailbox('ops+alerts@[192.0.2.1]', 'to'), { name: '', address: 'ops+alerts@[192.0.2.1]' });
  });

  it('refuses anything that is not exactly one plainly written address', () => {
    for (const text of ['a@x.example,b@y.example', 'Ann <a@x.example>, b@y.example', 'group: a@x.example, b@y.example;']) {
      assert.throws(() => parseMailbox(text, 'cc'), /^InvalidStepInputError: `with\.cc` must be one e-mail address, got 2 in/);
    }
    for (const text of ['Ann', '<>', 'a@x.example (Ann)', 'Ann <a@x.example', '"Ann <a@x.example>', 'a@b@c.example', 'a @x.example', 'Ann\n<a@x.example>']) {
      assert.throws(() => parseMailbox(text, 'to'), /^InvalidStepInputError: `with\.to` must be an e-mail address such as/, text);
    }
  });
});
