import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { RespondRenderer } from './respond-renderer';
import { IngressService } from './ingress.service';
import { SignatureFailureRecorder } from './signature-failure.recorder';
import { SourceRuntimes } from './source-runtime';
import { SignatureVerifier } from './verification/signature-verifier';

/** Verifying inbound requests and turning them into stored events. `POST /hooks/:source` itself is IngressHttpModule. */
@Module({
  imports: [WorkflowsModule, EventsModule],
  providers: [IngressService, SignatureFailureRecorder, SourceRuntimes, SignatureVerifier, RespondRenderer],
  exports: [IngressService],
})
export class IngressModule {}
