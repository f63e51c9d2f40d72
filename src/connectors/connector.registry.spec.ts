import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClockModule } from '../common/clock.module';
import { ConfigModule } from '../config/config.module';
import type { Settings } from '../config/settings';
import { STEP_KINDS, StepKind } from '../workflows/workflow.types';
import { ConnectorRegistry } from './connector.registry';
import { ConnectorsModule } from './connectors.module';

const settings = { HOOKFLOW_OUTBOUND_ALLOW: [], HOOKFLOW_SMTP_URL: 'smtp://127.0.0.1:2525' } as unknown as Settings;

@Module({ imports: [ConfigModule.forRoot(settings), ClockModule, ConnectorsModule] })
class TestModule {}

describe(ConnectorRegistry.name, () => {
  it('gives the connector of every step kind from the Nest module', async () => {
    const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    try {
      const registry = app.get(ConnectorRegistry);
      for (const kind of STEP_KINDS) assert.equal(registry.get(kind).kind, kind);
      assert.throws(() => registry.get('ftp' as StepKind), /no connector for step kind "ftp"/);
    } finally {
      await app.close();
    }
  });

  it('plans a chat.postMessage call against slack.com by default', async () => {
    const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    try {
      const plan = app.get(ConnectorRegistry).get('slack').plan({ token: '[secret]', channel: '#ops', text: 'hi' }, { idempotencyKey: 'k', now: () => new Date() });
      assert.equal(plan.summary, 'POST https://slack.com/api/chat.postMessage');
    } finally {
      await app.close();
    }
  });
});
