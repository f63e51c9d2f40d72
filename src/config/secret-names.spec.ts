import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings, SETTING_NAMES } from './load-settings';
import { isHookflowSetting } from './secret-names';

describe('workflow secrets', () => {
  it("leave out every one of Hookflow's settings, HOOKFLOW_* and PG* variables, and keep the rest", () => {
    const settings = loadSettings(
      {
        DATABASE_URL: 'postgres://hookflow:pw@db.internal/hookflow',
        HOOKFLOW_ADMIN_TOKEN: 'admin-token-0123456789',
        HOOKFLOW_SMTP_URL: 'smtp://mailer:pw@mail.internal:587',
        HOOKFLOW_FUTURE_SETTING: 'x',
        PGPASSWORD: 'pg-secret',
        PORT: '3000',
        SHIPPING_TOKEN: 'tok-1',
        SLACK_WEBHOOK_URL: 'https://hooks.slack.example/T0',
      },
      '/nonexistent',
    );
    assert.deepEqual(settings.secrets, { SHIPPING_TOKEN: 'tok-1', SLACK_WEBHOOK_URL: 'https://hooks.slack.example/T0' });
    assert.equal(settings.DATABASE_URL, 'postgres://hookflow:pw@db.internal/hookflow');
  });

  it('cover every setting Hookflow reads, so that a new one cannot be read as a secret', () => {
    for (const name of SETTING_NAMES) assert.ok(isHookflowSetting(name), `${name} would be readable as a secret`);
    assert.equal(isHookflowSetting('SHOP_WEBHOOK_SECRET'), false);
  });
});
