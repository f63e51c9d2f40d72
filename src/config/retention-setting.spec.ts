import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, SettingsError } from './load-settings';

const DAY_MS = 86_400_000;

async function retentionOf(value: string | undefined): Promise<number> {
  const cwd = await mkdtemp(join(tmpdir(), 'hookflow-settings-'));
  try {
    return loadSettings(value === undefined ? {} : { HOOKFLOW_RETENTION: value }, cwd).HOOKFLOW_RETENTION;
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

describe('HOOKFLOW_RETENTION', () => {
  it('keeps 30 days by default', async () => {
    assert.equal(await retentionOf(undefined), 30 * DAY_MS);
    assert.equal(await retentionOf('  '), 30 * DAY_MS);
  });

  it('reads durations in days, hours and minutes', async () => {
    assert.equal(await retentionOf('7d'), 7 * DAY_MS);
    assert.equal(await retentionOf('12h'), 12 * 3_600_000);
    assert.equal(await retentionOf('90m'), 90 * 60_000);
  });

  it('turns off with 0 or off', async () => {
    assert.equal(await retentionOf('0'), 0);
    assert.equal(await retentionOf('off'), 0);
    assert.equal(await retentionOf('OFF'), 0);
  });

  it('refuses anything else with one line naming the setting and the value', async () => {
    for (const bad of ['30', 'forever', '-1d', '1w', '30 days']) {
      await assert.rejects(retentionOf(bad), (error: Error) => {
        assert.ok(error instanceof SettingsError);
        assert.equal(
          error.message,
          `Invalid setting HOOKFLOW_RETENTION: must be a duration such as 30d or 12h, or 0 or off to keep everything (got ${JSON.stringify(bad)})`,
        );
        return true;
      });
    }
  });
});
