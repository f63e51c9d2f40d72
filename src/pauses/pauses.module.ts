import { Global, Module } from '@nestjs/common';
import { PauseStore } from './pause-store';
import { PausedSet } from './paused-set';

/**
 * Paused workflows and sources: the table and each process's in-memory copy of it. Global,
 * since ingress, the engine, the API and the metrics all ask it.
 */
@Global()
@Module({
  providers: [PauseStore, PausedSet],
  exports: [PauseStore, PausedSet],
})
export class PausesModule {}
