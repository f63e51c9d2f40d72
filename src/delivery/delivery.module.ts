import { Module } from '@nestjs/common';
import { HttpDeliveryClient } from './http-delivery.client';
import { OutboundGuard } from './outbound-guard';
import { RetryPolicy } from './retry-policy';

/** The outbound HTTP client, its SSRF guard and the retry schedule. Settings come from the global ConfigModule. */
@Module({
  providers: [OutboundGuard, HttpDeliveryClient, { provide: RetryPolicy, useFactory: () => new RetryPolicy() }],
  exports: [OutboundGuard, HttpDeliveryClient, RetryPolicy],
})
export class DeliveryModule {}
