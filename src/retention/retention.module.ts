import { Module } from '@nestjs/common';
import { RetentionService } from './retention.service';

/** Pruning of old events, runs and their history (`HOOKFLOW_RETENTION`); mounted with the worker duty. */
@Module({ providers: [RetentionService], exports: [RetentionService] })
export class RetentionModule {}
