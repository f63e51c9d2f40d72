import { Module } from '@nestjs/common';
import { DestinationGate } from './destination-gate';
import { HttpDeliveryClient } from './http-delivery.client';
import { OutboundGuard } from './outbound-guard';
import { RetryPolicy } from './retry-policy';

/** The outbound HTTP client, its SSRF guard, the retry schedule and the per-destination gate. Settings come from the global ConfigModule. */
@Module({
  providers: [
    OutboundGuard,
    HttpDeliveryClient,
    { provide: RetryPolicy, useFactory: () => new RetryPolicy() },
    { provide: DestinationGate, useFactory: () => new DestinationGate() },
  ],
  exports: [OutboundGuard, HttpDeliveryClient, RetryPolicy, DestinationGate],
})
export class DeliveryModule {}
