import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Logger, LoggerService } from '@nestjs/common';
import { Subject } from 'rxjs';
import { DataSource } from 'typeorm';
import { SystemClock } from '../common/clock';
import { Settings } from '../config/settings';
import { TriggerMatcher } from '../events/trigger-matcher';
import { TemplateEngine } from '../templates/template-engine';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { WorkflowDefinition } from '../workflows/workflow.types';
import { SchedulerService } from './scheduler.service';

const START = new Date('2025-01-01T10:07:00Z');

/** Plays the database's part: the first statement for a (workflow, tick) claims it. */
class FakeDatabase {
  readonly statements: unknown[][] = [];
  private readonly claimed = new Set<string>();
  failures = 0;

  async query(_sql: string, params: unknown[]): Promise<{ started: number }[]> {
    this.statements.push(params);
    if (this.failures > 0) {
      this.failures--;
      throw new Error('connect ECONNREFUSED');
    }
    const key = `${params[0]}|${params[1]}`;
    if (this.claimed.has(key)) return [{ started: 0 }];
    this.claimed.add(key);
    return [{ started: 1 }];
  }

  ticks(): string[] {
    return this.statements.map((params) => `${params[0]}@${params[1]}`);
  }
}

class CapturedLog implements LoggerService {
  readonly lines: { level: string; message: string }[] = [];
  log = (message: string) => this.lines.push({ level: 'log', message });
  warn = (message: string) => this.lines.push({ level: 'warn', message });
  error = (message: string) => this.lines.push({ level: 'error', message });
  of(level: string): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}

function workflow(name: string, schedule: string, extra: Partial<WorkflowDefinition> = {}): WorkflowDefinition {
  return { name, file: `${name}.yaml`, version: 'v1', yaml: '', on: { schedule }, steps: [], ...extra };
}

function scheduler(options: { workflows: WorkflowDefinition[]; database?: FakeDatabase }) {
  const database = options.database ?? new FakeDatabase();
  const registry = { workflows: () => options.workflows, changes$: new Subject<void>() };
  const settings = { secrets: { REGION: 'eu' } } as unknown as Settings;
  const service = new SchedulerService(
    registry as unknown as WorkflowRegistry,
    new TriggerMatcher(new TemplateEngine()),
    settings,
    database as unknown as DataSource,
    // Date is mocked by the tests' timers, and the system clock reads it.
    new SystemClock(),
  );
  return { service, database, registry };
}

/** Lets the promises started by a timer settle (setImmediate is not mocked). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function advance(ms: number): Promise<void> {
  mock.timers.tick(ms);
  for (let i = 0; i < 5; i++) await settle();
}

describe(SchedulerService.name, () => {
  let log: CapturedLog;

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: START });
    log = new CapturedLog();
    Logger.overrideLogger(log);
  });

  afterEach(() => {
    mock.timers.reset();
    Logger.overrideLogger(false);
  });

  it('starts one run per tick from its timer, with a schedule event, and logs it', async () => {
    const sync = workflow('sync', '*/15 * * * *', { concurrency: { key: '{{event.body.workflow}}-{{secrets.REGION}}' } });
    const { service, database } = scheduler({ workflows: [sync] });
    service.onApplicationBootstrap();

    await advance(8 * 60_000 - 1);
    assert.equal(database.statements.length, 0, 'nothing before the tick');
    await advance(1);
    assert.deepEqual(database.ticks(), ['sync@2025-01-01T10:15:00.000Z']);
    const [, , , receivedAt, body, notes, runId, version, concurrencyKey] = database.statements[0];
    assert.deepEqual(JSON.parse(String(body)), { workflow: 'sync', scheduled_for: '2025-01-01T10:15:00.000Z' });
    assert.equal(receivedAt, '2025-01-01T10:15:00.000Z');
    assert.deepEqual([notes, version, concurrencyKey], ['[]', 'v1', 'sync-eu']);
    assert.deepEqual(log.of('log'), [`Started run ${runId} of sync for its 2025-01-01T10:15:00.000Z tick`]);

    await advance(15 * 60_000);
    assert.deepEqual(database.ticks(), ['sync@2025-01-01T10:15:00.000Z', 'sync@2025-01-01T10:30:00.000Z']);
    service.onModuleDestroy();
  });

  it('fires a tick reached less than a minute late, and skips one reached later', async () => {
    const { service, database } = scheduler({ workflows: [workflow('sync', '*/15 * * * *')] });
    service.onApplicationBootstrap();

    const [late] = await service.fireDue(new Date('2025-01-01T10:15:59Z'));
    assert.equal(late.tickAt.toISOString(), '2025-01-01T10:15:00.000Z');
    assert.ok(late.runId);
    assert.deepEqual(await service.fireDue(new Date('2025-01-01T10:31:00Z')), []);
    assert.deepEqual(database.ticks(), ['sync@2025-01-01T10:15:00.000Z']);
    assert.match(log.of('warn')[0], /Skipped ticks of sync from 2025-01-01T10:30:00.000Z/);
    service.onModuleDestroy();
  });

  it('starts nothing for a tick another process already started', async () => {
    const database = new FakeDatabase();
    const workflows = [workflow('sync', '*/15 * * * *')];
    const first = scheduler({ workflows, database }).service;
    const second = scheduler({ workflows, database }).service;
    first.onApplicationBootstrap();
    second.onApplicationBootstrap();

    const tick = new Date('2025-01-01T10:15:00Z');
    const fired = (await Promise.all([first.fireDue(tick), second.fireDue(tick)])).flat();
    assert.equal(fired.length, 2);
    assert.equal(fired.filter((outcome) => outcome.runId !== null).length, 1);
    assert.equal(log.of('log').length, 1);
    first.onModuleDestroy();
    second.onModuleDestroy();
  });

  it('plans again when the workflows change', async () => {
    const workflows: WorkflowDefinition[] = [];
    const { service, database, registry } = scheduler({ workflows });
    service.onApplicationBootstrap();
    await advance(4 * 60_000);

    workflows.push(workflow('added', '*/10 * * * *'));
    registry.changes$.next();
    await advance(9 * 60_000);
    assert.deepEqual(database.ticks(), ['added@2025-01-01T10:20:00.000Z'], 'the 10:10 tick, before the change, is not backfilled');
    service.onModuleDestroy();
  });

  it('tries a tick whose statement failed again within its minute', async () => {
    const { service, database } = scheduler({ workflows: [workflow('sync', '*/15 * * * *')] });
    database.failures = 2;
    service.onApplicationBootstrap();

    await advance(8 * 60_000);
    await advance(5_000);
    await advance(5_000);
    assert.equal(database.statements.length, 3);
    assert.equal(log.of('log').length, 1, 'the third try started the run');
    assert.deepEqual(log.of('error'), []);
    service.onModuleDestroy();
  });

  it('gives a tick up, saying so, once its minute has passed', async () => {
    const { service, database } = scheduler({ workflows: [workflow('sync', '*/15 * * * *')] });
    database.failures = 1_000;
    service.onApplicationBootstrap();

    await advance(8 * 60_000);
    for (let i = 0; i < 20; i++) await advance(5_000);
    assert.equal(database.statements.length, 12, 'tried every 5 s for a minute');
    assert.match(log.of('error')[0], /Could not start the 2025-01-01T10:15:00.000Z tick of sync: connect ECONNREFUSED/);
    service.onModuleDestroy();
  });

  it('fires nothing once shutdown has begun, and cuts a retry wait short', async () => {
    const { service, database } = scheduler({ workflows: [workflow('sync', '* * * * *')] });
    database.failures = 1;
    service.onApplicationBootstrap();
    await advance(60_000);
    assert.equal(database.statements.length, 1);

    const shutdown = service.onApplicationShutdown();
    await settle();
    await shutdown;
    await advance(60 * 60_000);
    assert.equal(database.statements.length, 1, 'no retry and no later tick');
    assert.deepEqual(await service.fireDue(new Date('2025-01-01T11:00:00Z')), []);
  });

  it('does not keep the process alive while waiting for a tick', () => {
    const script = `
      require('reflect-metadata');
      const { Logger } = require('@nestjs/common');
      const { Subject } = require('rxjs');
      const { SchedulerService } = require(${JSON.stringify(require.resolve('./scheduler.service'))});
      const { SystemClock } = require(${JSON.stringify(require.resolve('../common/clock'))});
      Logger.overrideLogger(false);
      const workflow = { name: 'sync', file: 'sync.yaml', version: 'v1', yaml: '', on: { schedule: '* * * * *' }, steps: [] };
      const service = new SchedulerService(
        { workflows: () => [workflow], changes$: new Subject() },
        { startRun: () => ({ id: 'r', workflow: 'sync', workflowVersion: 'v1', concurrencyKey: null, timeoutMs: null }) },
        { HOOKFLOW_ROLE: 'all', secrets: {} },
        { query: async () => [{ started: 1 }] },
        new SystemClock(),
      );
      service.onApplicationBootstrap();
      console.log('planned');`;
    const child = spawnSync(process.execPath, ['-e', script], { cwd: __dirname, timeout: 10_000, encoding: 'utf8' });
    assert.equal(child.signal, null, 'the process had to be killed: a timer kept it alive');
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'planned');
  });
});
