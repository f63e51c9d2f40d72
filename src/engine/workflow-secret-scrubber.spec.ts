import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowSecretScrubber, secretNamesIn } from './workflow-secret-scrubber';

const YAML = `steps:
  - id: notify
    with:
      url: "{{secrets.HOOK_URL}}"
      headers: { authorization: "Bearer {{secrets.API_TOKEN}}", x-short: "{{secrets.PIN}}" }
`;

describe('secretNamesIn', () => {
  it('names each referenced secret once', () => {
    assert.deepEqual(secretNamesIn(`${YAML}      again: "{{secrets.API_TOKEN}}"\n`), ['HOOK_URL', 'API_TOKEN', 'PIN']);
  });
});

describe(WorkflowSecretScrubber.name, () => {
  const environment = { HOOK_URL: 'https://hooks.example/T0/B1', API_TOKEN: 'tok"en\\42', PIN: '123', OTHER: 'not-referenced' };

  it('replaces the referenced secrets wherever they appear, also inside keys and escaped text', () => {
    const scrubber = new WorkflowSecretScrubber(YAML, environment);
    const scrubbed = scrubber.scrub({
      echoed: { 'tok"en\\42': `sent to https://hooks.example/T0/B1 with tok"en\\42` },
      list: ['https://hooks.example/T0/B1/extra'],
    });
    assert.deepEqual(scrubbed, { echoed: { '[secret]': 'sent to [secret] with [secret]' }, list: ['[secret]/extra'] });
  });

  it('leaves short and unreferenced values alone, and answers the value itself when nothing matched', () => {
    const scrubber = new WorkflowSecretScrubber(YAML, environment);
    const value = { pin: '123', other: 'not-referenced' };
    assert.equal(scrubber.scrub(value), value);
    assert.equal(scrubber.scrub(null), null);
  });

  it('replaces the longest secret first, so that one containing another is hidden whole', () => {
    const scrubber = new WorkflowSecretScrubber('{{secrets.A}} {{secrets.B}}', { A: 'abcd', B: 'abcdefgh' });
    assert.equal(scrubber.scrub('x abcdefgh y abcd'), 'x [secret] y [secret]');
  });
});

describe(`${WorkflowSecretScrubber.name}: transformed secrets`, () => {
  it('replaces a secret a receiver sent back in other case or encoded', () => {
    const token = 'Tok3n-MixedCase-Sekr1t';
    const scrubber = new WorkflowSecretScrubber('{{secrets.API_TOKEN}}', { API_TOKEN: token });
    const echoed = {
      lower: token.toLowerCase(),
      upper: token.toUpperCase(),
      basic: Buffer.from(`user:${token}`).toString('base64'),
      hex: Buffer.from(token).toString('hex'),
    };
    const text = JSON.stringify(scrubber.scrub(echoed));
    for (const value of Object.values(echoed)) assert.ok(!text.includes(value), value);
    assert.ok(!text.includes(Buffer.from(token).toString('base64').slice(0, 12)));
  });
});
