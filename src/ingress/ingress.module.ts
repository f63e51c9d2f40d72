import { Module } from '@nestjs/common';
import { WorkflowsModule } from '../workflows/workflows.module';
import { EventWriter } from './event-writer';
import { IngressController } from './ingress.controller';
import { IngressService } from './ingress.service';
import { SignatureFailureRecorder } from './signature-failure.recorder';
import { SourceRuntimes } from './source-runtime';
import { TriggerMatcher } from './trigger-matcher';
import { SignatureVerifier } from './verification/signature-verifier';

@Module({
  imports: [WorkflowsModule],
  controllers: [IngressController],
  providers: [IngressService, EventWriter, SignatureFailureRecorder, SourceRuntimes, TriggerMatcher, SignatureVerifier],
  exports: [IngressService, EventWriter, TriggerMatcher],
})
export class IngressModule {}
