import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChangeFeedListenerEntity } from '../api/change-feed-listener.entity';
import { OpenKeyedRunEntity } from '../engine/open-keyed-run.entity';
import { RunEntity } from '../engine/run.entity';
import { ScheduleTickEntity } from '../engine/schedule-tick.entity';
import { WorkerHeartbeatEntity } from '../queue/worker-heartbeat.entity';
import { EventEntity } from '../events/event.entity';
import { SignatureFailureEntity } from '../ingress/signature-failure.entity';
import { DatabaseConnection } from './database-connection';
import { initializeMigrated } from './migrate-exclusively';
import { keepDataSourceClientErrorsHandled } from './client-errors';
import { TypeOrmNestLogger } from './typeorm-logger';
import { StepAttemptEntity } from '../engine/step-attempt.entity';
import { StepRunEntity } from '../engine/step-run.entity';
import { WorkflowVersionEntity } from '../engine/workflow-version.entity';
import { InitialSchema1764172800000 } from './migrations/1764172800000-InitialSchema';
import { Engine1764259200000 } from './migrations/1764259200000-Engine';
import { ChangeFeed1764345600000 } from './migrations/1764345600000-ChangeFeed';
import { RetentionIndexes1764435600000 } from './migrations/1764435600000-RetentionIndexes';
import { RunLeaseIndex1764608400000 } from './migrations/1764608400000-RunLeaseIndex';
import { Destinations1764700000000 } from './migrations/1764700000000-Destinations';
import { DestinationEntity, DestinationMinuteEntity, DestinationWaitEntity } from '../destinations/destination.entity';
import { Pauses1764700100000 } from './migrations/1764700100000-Pauses';
import { PauseEntity } from '../pauses/pause.entity';
import { FailureRuns1764694800000 } from './migrations/1764694800000-FailureRuns';
import { SubWorkflows1764800100000 } from './migrations/1764800100000-SubWorkflows';
import { RunTimeouts1764800200000 } from './migrations/1764800200000-RunTimeouts';
import { EventAnswers1764800200001 } from './migrations/1764800200001-EventAnswers';

/**
 * Every table Hookflow's migrations create, described as its module sees it. Queries are
 * plain SQL; these declarations are what test/schema.e2e-spec.ts holds the migrated schema to.
 */
export const ENTITIES = [
  EventEntity,
  RunEntity,
  SignatureFailureEntity,
  StepRunEntity,
  StepAttemptEntity,
  WorkflowVersionEntity,
  OpenKeyedRunEntity,
  ScheduleTickEntity,
  WorkerHeartbeatEntity,
  ChangeFeedListenerEntity,
  DestinationEntity,
  DestinationWaitEntity,
  DestinationMinuteEntity,
  PauseEntity,
];
export const MIGRATIONS = [
  InitialSchema1764172800000,
  Engine1764259200000,
  ChangeFeed1764345600000,
  RetentionIndexes1764435600000,
  RunLeaseIndex1764608400000,
  FailureRuns1764694800000,
  Destinations1764700000000,
  Pauses1764700100000,
  SubWorkflows1764800100000,
  RunTimeouts1764800200000,
  EventAnswers1764800200001,
];

/** The TypeORM data source on `connection`, with the schema brought up to date at start. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(connection: DatabaseConnection): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            type: 'postgres',
            url: connection.url,
            entities: ENTITIES,
            migrations: MIGRATIONS,
            synchronize: false,
            logger: new TypeOrmNestLogger(),
            retryAttempts: 10,
            retryDelay: 3000,
            extra: { max: 20, application_name: 'hookflow' },
          }),
          // Migrations run under a lock: several processes may start at once on one database.
          dataSourceFactory: async (options) => keepDataSourceClientErrorsHandled(await initializeMigrated(new DataSource(options!))),
        }),
      ],
      providers: [{ provide: DatabaseConnection, useValue: connection }],
      exports: [DatabaseConnection],
    };
  }
}
