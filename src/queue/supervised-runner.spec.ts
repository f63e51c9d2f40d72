import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Runner } from 'graphile-worker';
import { SupervisedRunner } from './supervised-runner';

/** Runners that report a pool and a worker, and end when the test says so. */
class FakeRunners {
  readonly started: { events: EventEmitter; end(): void; stopped: boolean }[] = [];
  readonly released: string[][] = [];
  failStarts = 0;
  failReleases = 0;

  supervisor(): SupervisedRunner {
    return new SupervisedRunner({
      restartDelaysMs: [1, 5],
      start: async (events) => {
        if (this.failStarts-- > 0) throw new Error('connect ECONNREFUSED');
        const n = this.started.length + 1;
        events.emit('pool:create', { workerPool: { id: `pool-${n}` } });
        events.emit('worker:create', { worker: { workerId: `worker-${n}` } });
        let end!: () => void;
        const promise = new Promise<void>((resolve) => (end = resolve));
        const entry = { events, end, stopped: false };
        this.started.push(entry);
        return { promise, stop: async () => void (entry.stopped = true) } as unknown as Runner;
      },
      releaseJobsOf: async (workerIds) => {
        if (this.failReleases-- > 0) throw new Error('connect ECONNREFUSED');
        this.released.push(workerIds);
      },
    });
  }
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((done) => setTimeout(done, 5));
  assert.ok(check(), 'condition not met within 1 s');
}

describe(SupervisedRunner.name, () => {
  it("starts a new runner, and hands back the old workers' jobs, when the runner ends on its own", async () => {
    const runners = new FakeRunners();
    const supervisor = runners.supervisor();
    await supervisor.start();
    assert.deepEqual([...supervisor.workerIds], ['pool-1', 'worker-1']);
    runners.started[0].end();
    await until(() => runners.started.length === 2);
    assert.deepEqual(runners.released, [['pool-1', 'worker-1']]);
    assert.deepEqual([...supervisor.workerIds], ['pool-2', 'worker-2']);
    await supervisor.stop();
  });

  it("replaces the runner on its pool's fatal error, without waiting for the old one to wind down", async () => {
    const runners = new FakeRunners();
    const supervisor = runners.supervisor();
    await supervisor.start();
    runners.started[0].events.emit('pool:fatalError', { error: new Error('Could not completeJobs') });
    await until(() => runners.started.length === 2);
    runners.started[0].end();
    await new Promise((done) => setTimeout(done, 20));
    assert.equal(runners.started.length, 2, 'the late end of the old runner starts nothing more');
    await supervisor.stop();
  });

  it('keeps trying while the database is away, and hands the jobs back only once', async () => {
    const runners = new FakeRunners();
    const supervisor = runners.supervisor();
    await supervisor.start();
    runners.failReleases = 1;
    runners.failStarts = 2;
    runners.started[0].end();
    await until(() => runners.started.length === 2);
    assert.deepEqual(runners.released, [['pool-1', 'worker-1']]);
    await supervisor.stop();
  });

  it('starts nothing after stop()', async () => {
    const runners = new FakeRunners();
    const supervisor = runners.supervisor();
    await supervisor.start();
    await supervisor.stop();
    assert.equal(runners.started[0].stopped, true);
    runners.started[0].end();
    await new Promise((done) => setTimeout(done, 20));
    assert.equal(runners.started.length, 1);
    assert.equal(supervisor.workerIds.size, 0);
  });
});
