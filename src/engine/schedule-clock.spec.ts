import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowDefinition } from '../workflows/workflow.types';
import { nextTick, ScheduleClock, ScheduledTick } from './schedule-clock';

function scheduled(name: string, schedule: string, timezone?: string, version = 'v1'): WorkflowDefinition {
  return { name, file: `${name}.yaml`, version, yaml: '', on: { schedule, timezone }, steps: [] };
}

const at = (iso: string) => new Date(iso);
const iso = (ticks: ScheduledTick[]) => ticks.map((tick) => `${tick.workflow.name}@${tick.at.toISOString()}`);

describe('nextTick', () => {
  it('reads the pattern in UTC when no time zone is given', () => {
    assert.deepEqual(nextTick({ schedule: '0 9 * * *' }, at('2025-01-01T09:00:00Z')), at('2025-01-02T09:00:00Z'));
  });

  it('keeps 09:00 Berlin time across the spring DST change (08:00Z in winter, 07:00Z in summer)', () => {
    const trigger = { schedule: '0 9 * * *', timezone: 'Europe/Berlin' };
    assert.deepEqual(nextTick(trigger, at('2025-03-29T00:00:00Z')), at('2025-03-29T08:00:00Z'));
    assert.deepEqual(nextTick(trigger, at('2025-03-29T08:00:00Z')), at('2025-03-30T07:00:00Z'));
  });

  it('keeps 09:00 Berlin time across the autumn DST change', () => {
    const trigger = { schedule: '0 9 * * *', timezone: 'Europe/Berlin' };
    assert.deepEqual(nextTick(trigger, at('2025-10-25T12:00:00Z')), at('2025-10-26T08:00:00Z'));
  });

  it('runs a time that the spring gap skips at the end of the gap, and a repeated autumn time once', () => {
    const trigger = { schedule: '30 2 * * *', timezone: 'Europe/Berlin' };
    assert.deepEqual(nextTick(trigger, at('2025-03-29T12:00:00Z')), at('2025-03-30T01:00:00Z'));
    const autumn = nextTick(trigger, at('2025-10-25T12:00:00Z'))!;
    assert.deepEqual(autumn, at('2025-10-26T00:30:00Z'));
    assert.deepEqual(nextTick(trigger, autumn), at('2025-10-27T01:30:00Z'));
  });

  it('follows a New York schedule on weekdays only', () => {
    const trigger = { schedule: '0 8 * * 1-5', timezone: 'America/New_York' };
    // Friday 2025-01-03 08:00 EST is 13:00Z; the next one is Monday.
    assert.deepEqual(nextTick(trigger, at('2025-01-03T13:00:00Z')), at('2025-01-06T13:00:00Z'));
  });

  it('answers null for a date that never comes', () => {
    assert.equal(nextTick({ schedule: '0 0 31 2 *' }, at('2025-01-01T00:00:00Z')), null);
  });
});

describe(ScheduleClock.name, () => {
  it('starts a new schedule after the moment it is planned: earlier ticks are not backfilled', () => {
    const clock = new ScheduleClock();
    clock.plan([scheduled('sync', '*/15 * * * *')], at('2025-01-01T10:07:00Z'));
    assert.deepEqual(clock.next(), at('2025-01-01T10:15:00Z'));
    assert.deepEqual(clock.take(at('2025-01-01T10:14:59Z')).due, []);
  });

  it('hands out each due tick once and moves on to the next', () => {
    const clock = new ScheduleClock();
    clock.plan([scheduled('sync', '*/15 * * * *')], at('2025-01-01T10:07:00Z'));
    assert.deepEqual(iso(clock.take(at('2025-01-01T10:15:00Z')).due), ['sync@2025-01-01T10:15:00.000Z']);
    assert.deepEqual(clock.take(at('2025-01-01T10:15:00Z')).due, []);
    assert.deepEqual(clock.next(), at('2025-01-01T10:30:00Z'));
  });

  it('still fires a tick taken less than a minute late', () => {
    const clock = new ScheduleClock();
    clock.plan([scheduled('sync', '*/15 * * * *')], at('2025-01-01T10:07:00Z'));
    const { due, missed } = clock.take(at('2025-01-01T10:15:59.999Z'));
    assert.deepEqual(iso(due), ['sync@2025-01-01T10:15:00.000Z']);
    assert.deepEqual(missed, []);
  });

  it('skips ticks a minute or more late and reports the first one missed', () => {
    const clock = new ScheduleClock();
    clock.plan([scheduled('minutely', '* * * * *')], at('2025-01-01T10:00:30Z'));
    const { due, missed } = clock.take(at('2025-01-01T10:05:30Z'));
    assert.deepEqual(iso(due), ['minutely@2025-01-01T10:05:00.000Z'], 'only the tick within the last minute fires');
    assert.deepEqual(iso(missed), ['minutely@2025-01-01T10:01:00.000Z']);
    assert.deepEqual(clock.next(), at('2025-01-01T10:06:00Z'));
  });

  it('answers the due ticks of several workflows and plans the earliest next one', () => {
    const clock = new ScheduleClock();
    clock.plan([scheduled('hourly', '0 * * * *'), scheduled('quarter', '*/15 * * * *'), scheduled('daily', '0 0 * * *')], at('2025-01-01T09:50:00Z'));
    assert.deepEqual(clock.next(), at('2025-01-01T10:00:00Z'));
    assert.deepEqual(iso(clock.take(at('2025-01-01T10:00:01Z')).due).sort(), ['hourly@2025-01-01T10:00:00.000Z', 'quarter@2025-01-01T10:00:00.000Z']);
    assert.deepEqual(clock.next(), at('2025-01-01T10:15:00Z'));
  });

  it('never hands out a tick again when asked about an earlier time', () => {
    const clock = new ScheduleClock();
    clock.plan([scheduled('sync', '*/15 * * * *')], at('2025-01-01T10:07:00Z'));
    clock.take(at('2025-01-01T10:30:00Z'));
    assert.deepEqual(clock.take(at('2025-01-01T10:20:00Z')).due, []);
    assert.deepEqual(iso(clock.take(at('2025-01-01T10:45:00Z')).due), ['sync@2025-01-01T10:45:00.000Z']);
  });

  it('keeps the progress of an unchanged schedule across a reload, with the new version', () => {
    const clock = new ScheduleClock();
    clock.plan([scheduled('sync', '*/15 * * * *')], at('2025-01-01T10:07:00Z'));
    clock.take(at('2025-01-01T10:15:00Z'));
    clock.plan([scheduled('sync', '*/15 * * * *', undefined, 'v2')], at('2025-01-01T10:16:00Z'));
    const { due } = clock.take(at('2025-01-01T10:30:00Z'));
    assert.deepEqual(iso(due), ['sync@2025-01-01T10:30:00.000Z']);
    assert.equal(due[0].workflow.version, 'v2');
  });

  it('restarts a changed schedule from the reload and forgets a removed one', () => {
    const clock = new ScheduleClock();
    clock.plan([scheduled('sync', '*/15 * * * *'), scheduled('gone', '* * * * *')], at('2025-01-01T10:07:00Z'));
    clock.plan([scheduled('sync', '0 9 * * *', 'Europe/Berlin')], at('2025-01-01T10:08:00Z'));
    assert.deepEqual(clock.next(), at('2025-01-02T08:00:00Z'));
    assert.deepEqual(clock.take(at('2025-01-01T10:15:00Z')).due, []);
  });

  it('ignores workflows without a schedule and reports a pattern it cannot plan', () => {
    const clock = new ScheduleClock();
    const webhookOnly: WorkflowDefinition = { ...scheduled('hook', '* * * * *'), on: { webhook: 'shop' } };
    const problems = clock.plan([webhookOnly, scheduled('bad', '5-3 * * * *')], at('2025-01-01T10:00:00Z'));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^bad: on\.schedule `5-3 \* \* \* \*` cannot be planned/);
    assert.equal(clock.next(), undefined);
  });

  it('has nothing to hand out for a pattern that never matches', () => {
    const clock = new ScheduleClock();
    assert.deepEqual(clock.plan([scheduled('never', '0 0 30 2 *')], at('2025-01-01T00:00:00Z')), []);
    assert.equal(clock.next(), undefined);
    assert.deepEqual(clock.take(at('2030-01-01T00:00:00Z')).due, []);
  });
});
