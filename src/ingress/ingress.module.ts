import { Module } from '@nestjs/common';
import { WorkflowsModule } from '../workflows/workflows.module';
import { EventWriter } from './event-writer';
import { IngressService } from './ingress.service';
import { RunHandOff } from './run-hand-off';
import { SignatureFailureRecorder } from './signature-failure.recorder';
import { SourceRuntimes } from './source-runtime';
import { TriggerMatcher } from './trigger-matcher';
import { SignatureVerifier } from './verification/signature-verifier';

/** Verifying, storing and matching inbound events. `POST /hooks/:source` itself is IngressHttpModule. */
@Module({
  imports: [WorkflowsModule],
  providers: [IngressService, EventWriter, RunHandOff, SignatureFailureRecorder, SourceRuntimes, TriggerMatcher, SignatureVerifier],
  exports: [IngressService, EventWriter, RunHandOff, TriggerMatcher],
})
export class IngressModule {}
