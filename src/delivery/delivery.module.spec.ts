import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClockModule } from '../common/clock.module';
import { ConfigModule } from '../config/config.module';
import type { Settings } from '../config/settings';
import { DeliveryModule } from './delivery.module';
import { HttpDeliveryClient } from './http-delivery.client';
import { OutboundGuard } from './outbound-guard';
import { RetryPolicy } from './retry-policy';

describe(DeliveryModule.name, () => {
  it('provides the client, guard and retry policy from the global settings', async () => {
    const settings = { HOOKFLOW_OUTBOUND_ALLOW: ['10.0.0.0/8'] } as unknown as Settings;
    @Module({ imports: [ConfigModule.forRoot(settings), ClockModule, DeliveryModule] })
    class RootModule {}
    const app = await NestFactory.createApplicationContext(RootModule, { logger: false });
    try {
      assert.ok(app.get(HttpDeliveryClient) instanceof HttpDeliveryClient);
      assert.ok(app.get(RetryPolicy).nextDelayMs({ attempts: 2, backoff: 'fixed', initialMs: 5, maxMs: 5 }, 1) === 5);
      assert.doesNotThrow(() => app.get(OutboundGuard).checkAddress('internal', '10.1.1.1'));
    } finally {
      await app.close();
    }
  });
});
