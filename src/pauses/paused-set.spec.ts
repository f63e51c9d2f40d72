import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DatabaseConnection } from '../database/database-connection';
import { PauseRecord, PauseStore } from './pause-store';
import { PausedSet } from './paused-set';

const pause = (kind: PauseRecord['kind'], name: string): PauseRecord => ({ kind, name, since: new Date(0), by: 'api', reason: null });

/** A store whose list answers what `rows` holds when the read ends, counting reads. */
function storeOf(rows: PauseRecord[]) {
  const store = { reads: 0, release: [] as (() => void)[] };
  const fake = {
    list: () => {
      store.reads++;
      return new Promise<PauseRecord[]>((resolve) => store.release.push(() => resolve([...rows])));
    },
  };
  return { store, set: new PausedSet(fake as unknown as PauseStore, new DatabaseConnection('postgres://unused')) };
}

const flush = () => new Promise((done) => setImmediate(done));

describe(PausedSet.name, () => {
  it('answers by kind and name from the last read', async () => {
    const rows = [pause('workflow', 'order-paid'), pause('source', 'shop')];
    const { store, set } = storeOf(rows);
    const reloaded = set.reload();
    store.release.shift()!();
    await reloaded;

    assert.equal(set.isPaused('workflow', 'order-paid'), true);
    assert.equal(set.isPaused('source', 'order-paid'), false, 'a workflow pause does not pause a source of that name');
    assert.equal(set.isPaused('source', 'shop'), true);
    assert.deepEqual([set.count('workflow'), set.count('source')], [1, 1]);
    assert.equal(set.get('source', 'shop')?.by, 'api');
  });

  it('reads once more after a read that a change notification overtook, and never more than one read at a time', async () => {
    const rows = [pause('workflow', 'a')];
    const { store, set } = storeOf(rows);
    const first = set.reload();
    await flush();
    // Changes arrive while the first read is under way: the set must not keep the old answer.
    rows.push(pause('workflow', 'b'));
    const second = set.reload();
    const third = set.reload();
    assert.equal(store.reads, 1, 'one read at a time');
    store.release.shift()!();
    await flush();
    assert.equal(store.reads, 2, 'one more read for both changes');
    store.release.shift()!();
    await Promise.all([first, second, third]);
    assert.deepEqual([set.isPaused('workflow', 'a'), set.isPaused('workflow', 'b')], [true, true]);
  });
});
