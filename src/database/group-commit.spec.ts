import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit, GroupCommitFullError, retryingConflicts } from './group-commit';

function sqlError(code: string): Error {
  return Object.assign(new Error(`sqlstate ${code}`), { code });
}

describe(GroupCommit.name, () => {
  it('writes inputs that arrive together in one batch and answers each caller its own output', async () => {
    const batches: number[][] = [];
    const commit = new GroupCommit(
      async (inputs: number[]) => {
        batches.push(inputs);
        return inputs.map((n) => n * 10);
      },
      { maxBatch: 100, maxConcurrent: 1 },
    );
    const outputs = await Promise.all([1, 2, 3, 4].map((n) => commit.submit(n)));
    assert.deepEqual(outputs, [10, 20, 30, 40]);
    assert.deepEqual(batches, [[1, 2, 3, 4]]);
  });

  it('never puts more than maxBatch inputs in one statement', async () => {
    const sizes: number[] = [];
    const commit = new GroupCommit(
      async (inputs: number[]) => {
        sizes.push(inputs.length);
        return inputs;
      },
      { maxBatch: 3, maxConcurrent: 1 },
    );
    await Promise.all(Array.from({ length: 7 }, (_, n) => commit.submit(n)));
    assert.ok(sizes.every((size) => size <= 3));
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      7,
    );
  });

  it('writes a batch again after a deadlock instead of failing its callers', async () => {
    let calls = 0;
    const commit = new GroupCommit(
      async (inputs: string[]) => {
        calls++;
        if (calls === 1) throw sqlError('40P01');
        return inputs.map((input) => input.toUpperCase());
      },
      { maxBatch: 10, maxConcurrent: 1 },
    );
    assert.deepEqual(await Promise.all([commit.submit('a'), commit.submit('b')]), ['A', 'B']);
    assert.equal(calls, 2);
  });

  it('fails only the input the database refuses as data, retrying the others alone', async () => {
    const commit = new GroupCommit(
      async (inputs: string[]) => {
        if (inputs.includes('bad')) throw sqlError('22P05');
        return inputs;
      },
      { maxBatch: 10, maxConcurrent: 1 },
    );
    const results = await Promise.allSettled(['ok-1', 'bad', 'ok-2'].map((input) => commit.submit(input)));
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
  });

  it('fails the whole batch, described, when the database is unavailable, and drains', async () => {
    const commit = new GroupCommit(
      async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
      { maxBatch: 10, maxConcurrent: 2 },
      (_error, count) => new Error(`could not store ${count}`),
    );
    const results = await Promise.allSettled([commit.submit(1), commit.submit(2)]);
    assert.deepEqual(
      results.map((result) => (result.status === 'rejected' ? (result.reason as Error).message : 'ok')),
      ['could not store 2', 'could not store 2'],
    );
    await commit.drain();
  });
});

describe(`${GroupCommit.name} with a bound`, () => {
  /** A write held until `release()`; it records every input it was given. */
  function heldWrite() {
    const written: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((done) => (release = done));
    let entered!: () => void;
    const firstEntered = new Promise<void>((done) => (entered = done));
    return {
      written,
      firstEntered,
      release: () => release(),
      write: async (inputs: number[]) => {
        entered();
        await gate;
        written.push(...inputs);
        return inputs;
      },
    };
  }

  it('refuses at once what would wait beyond maxWaiting, writing nothing of it, and takes inputs again once drained', async () => {
    const held = heldWrite();
    const commit = new GroupCommit(held.write, { maxBatch: 10, maxConcurrent: 1, maxWaiting: 2 });
    const inFlight = commit.submit(1);
    await held.firstEntered;
    const waiting = [commit.submit(2), commit.submit(3)];
    await assert.rejects(commit.submit(4), GroupCommitFullError);
    await assert.rejects(commit.submit(5), GroupCommitFullError);
    held.release();
    assert.deepEqual(await Promise.all([inFlight, ...waiting]), [1, 2, 3]);
    assert.deepEqual(held.written, [1, 2, 3], 'only the inputs let in were written');
    assert.equal(await commit.submit(6), 6, 'a drained queue takes inputs again');
  });

  it('bounds the total size of the waiting inputs, yet always lets one into an empty queue', async () => {
    const held = heldWrite();
    const commit = new GroupCommit(held.write, { maxBatch: 10, maxConcurrent: 1, maxWaitingSize: 100, sizeOf: (n: number) => n });
    const inFlight = commit.submit(500);
    await held.firstEntered;
    const fits = commit.submit(50);
    await assert.rejects(commit.submit(60), GroupCommitFullError);
    const fitsToo = commit.submit(40);
    held.release();
    assert.deepEqual(await Promise.all([inFlight, fits, fitsToo]), [500, 50, 40]);
    assert.deepEqual(held.written, [500, 50, 40]);
  });
});

describe(retryingConflicts.name, () => {
  it('writes again after deadlocks and serialization failures, and answers what the write answered', async () => {
    const codes = ['40P01', '40001'];
    let calls = 0;
    const answer = await retryingConflicts(async () => {
      calls++;
      if (codes.length > 0) throw sqlError(codes.shift()!);
      return 'renewed';
    });
    assert.equal(answer, 'renewed');
    assert.equal(calls, 3);
  });

  it('fails at once on any other error, and after five lost conflicts', async () => {
    let calls = 0;
    await assert.rejects(
      retryingConflicts(async () => {
        calls++;
        throw sqlError('23505');
      }),
      { code: '23505' },
    );
    assert.equal(calls, 1);
    calls = 0;
    await assert.rejects(
      retryingConflicts(async () => {
        calls++;
        throw sqlError('40P01');
      }),
      { code: '40P01' },
    );
    assert.equal(calls, 5);
  });
});
