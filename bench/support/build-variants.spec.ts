import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBuildVariants } from './build-variants';

describe('parseBuildVariants', () => {
  it('reads builds and environment settings, the current build as it is when nothing is set', () => {
    assert.deepEqual(parseBuildVariants('before=entry=/tmp/b/dist/src/main.js; now= ;wide=HOOKFLOW_X=a=b:c,OTHER=1'), [
      { name: 'before', entry: '/tmp/b/dist/src/main.js', env: {} },
      { name: 'now', env: {} },
      { name: 'wide', env: { HOOKFLOW_X: 'a=b:c', OTHER: '1' } },
    ]);
  });

  it('refuses a spec that cannot be a comparison, saying what is wrong', () => {
    assert.throws(() => parseBuildVariants('now='), /at least two variants/);
    assert.throws(() => parseBuildVariants('=entry=/x;now='), /has no name/);
    assert.throws(() => parseBuildVariants('a=entry;b='), /setting "entry" of a is not key=value/);
    assert.throws(() => parseBuildVariants('a=lower=1;b='), /"lower" of a is neither entry nor an environment variable name/);
    assert.throws(() => parseBuildVariants('a=;a=X=1'), /variant a is named twice/);
  });
});
