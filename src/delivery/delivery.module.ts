import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DestinationGate, FAIR_SHARE_PER_DESTINATION, SLOW_DESTINATION_MS } from './destination-gate';
import { HttpDeliveryClient } from './http-delivery.client';
import { OutboundGuard } from './outbound-guard';
import { RetryPolicy } from './retry-policy';

/** The outbound HTTP client, its SSRF guard, the retry schedule and the per-destination gate. Settings and the clock come from the global ConfigModule and ClockModule. */
@Module({
  providers: [
    OutboundGuard,
    HttpDeliveryClient,
    { provide: RetryPolicy, useFactory: () => new RetryPolicy() },
    {
      provide: DestinationGate,
      useFactory: (clock: Clock) => new DestinationGate(FAIR_SHARE_PER_DESTINATION, SLOW_DESTINATION_MS, () => clock.monotonicMs()),
      inject: [Clock],
    },
  ],
  exports: [OutboundGuard, HttpDeliveryClient, RetryPolicy, DestinationGate],
})
export class DeliveryModule {}
