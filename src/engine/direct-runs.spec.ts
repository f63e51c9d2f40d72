import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HandedOverRun, RunHandOff } from '../events/run-hand-off';
import { InboundEvent } from '../events/inbound-event';
import { PendingRun } from '../events/pending-run';
import { ManualClock } from '../common/clock.fixture';
import { DIRECT_RUNS_CAPACITY, DirectRuns } from './direct-runs';
import { ClaimedRun } from './run-store';
import { RunExecutor } from './run-executor';
import { RunStore } from './run-store';

/** An executor whose runs end when the test says so. */
class HeldExecutor {
  readonly executions: { claimed: ClaimedRun; owner: string; claimedAt: number; end(error?: Error): void }[] = [];

  executeClaimed(claimed: ClaimedRun, owner: string, claimedAt: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.executions.push({ claimed, owner, claimedAt, end: (error) => (error ? reject(error) : resolve()) });
    });
  }
}

/** The store's retryLater, recorded; the first `failures` calls fail as with the database away. */
class RecordedRetries {
  readonly retried: { runId: string; delayMs: number }[] = [];
  failures = 0;

  async retryLater(runId: string, delayMs: number): Promise<void> {
    this.retried.push({ runId, delayMs });
    if (this.failures-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
  }
}

const run = (overrides: Partial<PendingRun> = {}): PendingRun => ({
  id: 'run-1',
  workflow: 'deliver',
  workflowVersion: 'v1',
  concurrencyKey: null,
  timeoutMs: null,
  ...overrides,
});
const event: InboundEvent = {
  id: 'event-1',
  source: 'shop',
  type: 'order.paid',
  receivedAt: new Date('2026-11-27T03:00:00Z'),
  headers: { 'content-type': 'application/json' },
  query: 'a=1',
  contentType: 'application/json',
  rawBody: Buffer.from('{"order":7}'),
  body: { format: 'json', value: { order: 7 } },
};
const handedOver = (pending: PendingRun): HandedOverRun => ({ run: pending, event, claimedAt: 42 });
const settle = () => new Promise((done) => setImmediate(done));

function started(): { handOff: RunHandOff; direct: DirectRuns; executor: HeldExecutor; retries: RecordedRetries } {
  const handOff = new RunHandOff();
  const retries = new RecordedRetries();
  const executor = new HeldExecutor();
  const direct = new DirectRuns(handOff, executor as unknown as RunExecutor, retries as unknown as RunStore, new ManualClock());
  direct.start('process-a');
  return { handOff, direct, executor, retries };
}

describe(DirectRuns.name, () => {
  it('takes runs until it is full, then leaves them to the queue until one ends', async () => {
    const { handOff, direct, executor } = started();
    for (let i = 0; i < DIRECT_RUNS_CAPACITY; i++) {
      const taker = handOff.reserveFor(run({ id: `run-${i}` }));
      assert.equal(taker, direct);
      taker.take(handedOver(run({ id: `run-${i}` })));
    }
    assert.equal(handOff.reserveFor(run()), undefined, 'full');
    executor.executions[0].end();
    await settle();
    assert.equal(handOff.reserveFor(run()), direct, 'room again');
  });

  it('executes a handed-over run as claimed by its owner, with the event ingress read', () => {
    const { handOff, executor } = started();
    handOff.reserveFor(run())!.take(handedOver(run()));
    const [{ claimed, owner, claimedAt }] = executor.executions;
    assert.equal(owner, 'process-a');
    assert.equal(claimedAt, 42);
    assert.equal(claimed.event, event, 'the event as ingress read it, not read again');
    assert.deepEqual(
      { ...claimed, steps: [...claimed.steps] },
      {
        id: 'run-1',
        workflow: 'deliver',
        workflowVersion: 'v1',
        eventId: 'event-1',
        event,
        steps: [],
        kind: 'steps',
        failure: null,
        deadline: null,
      },
    );
  });

  it("gives a handed-over run its workflow timeout's deadline, counted from now", () => {
    const clock = new ManualClock();
    const executor = new HeldExecutor();
    const handOff = new RunHandOff();
    new DirectRuns(handOff, executor as unknown as RunExecutor, new RecordedRetries() as unknown as RunStore, clock).start('process-a');
    handOff.reserveFor(run())!.take(handedOver(run({ timeoutMs: 120_000 })));
    assert.deepEqual(executor.executions[0].claimed.deadline, new Date(clock.now().getTime() + 120_000));
  });

  it('leaves a run with a concurrency key to the queue, which keeps its place in line', () => {
    const { handOff, direct } = started();
    assert.equal(handOff.reserveFor(run({ concurrencyKey: 'customer-1' })), undefined);
    assert.equal(direct.inProgress, 0, 'nothing reserved for it');
  });

  it('gives back the room of a run that was not stored, and of one whose execution failed, which the queue tries again', async () => {
    const { handOff, direct, executor, retries } = started();
    handOff.reserveFor(run())!.unreserve();
    assert.equal(direct.inProgress, 0);
    handOff.reserveFor(run())!.take(handedOver(run()));
    executor.executions[0].end(new Error('database unreachable'));
    await settle();
    await settle();
    assert.equal(direct.inProgress, 0);
    assert.deepEqual(retries.retried, [{ runId: 'run-1', delayMs: 2_000 }]);
  });

  it('keeps trying to queue a failed run while the database is away, holding its room meanwhile', async (context) => {
    context.mock.timers.enable({ apis: ['setTimeout'] });
    const { handOff, direct, executor, retries } = started();
    retries.failures = 2;
    handOff.reserveFor(run())!.take(handedOver(run()));
    executor.executions[0].end(new Error('Connection terminated unexpectedly'));
    for (let second = 0; second < 3; second++) {
      for (let i = 0; i < 5; i++) await settle();
      context.mock.timers.tick(1_000);
    }
    for (let i = 0; i < 5; i++) await settle();
    assert.equal(retries.retried.length, 3, 'two failed tries, then queued');
    assert.equal(direct.inProgress, 0);
  });

  it('takes nothing once stopping, and waits for the runs in progress, but not beyond its grace', async () => {
    const { handOff, direct, executor } = started();
    handOff.reserveFor(run())!.take(handedOver(run()));
    const stopped = direct.stop(10_000);
    assert.equal(handOff.reserveFor(run({ id: 'run-2' })), undefined, 'no new runs while stopping');
    let done = false;
    void stopped.then(() => (done = true));
    await settle();
    assert.equal(done, false, 'waits for the run in progress');
    executor.executions[0].end();
    await stopped;

    const again = started();
    again.handOff.reserveFor(run())!.take(handedOver(run()));
    const startedAt = performance.now();
    await again.direct.stop(50);
    assert.ok(performance.now() - startedAt < 5_000, 'gave up after its grace');
    assert.equal(again.direct.inProgress, 1, 'the run is left to its lapsing claim');
  });
});
