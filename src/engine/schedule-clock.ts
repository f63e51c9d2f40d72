import { Cron } from 'croner';
import { WorkflowDefinition } from '../workflows/workflow.types';

/** How late a tick may be taken and still fire (event loop busy, a short pause of the process). */
export const TICK_GRACE_MS = 60_000;

export interface ScheduledTick {
  workflow: WorkflowDefinition;
  at: Date;
}

interface Entry {
  workflow: WorkflowDefinition;
  key: string;
  cron: Cron;
  /** The earliest tick not yet taken; `null` when the pattern never matches again. */
  next: Date | null;
}

/**
 * The first tick of `schedule` strictly after `after`, in `timezone` (default UTC), as an
 * instant; `null` when the pattern never matches (`0 0 31 2 *`). Follows cron around DST:
 * a fixed time that falls in the spring gap runs at the end of the gap, one repeated in the
 * autumn runs once.
 */
export function nextTick(trigger: { schedule: string; timezone?: string }, after: Date): Date | null {
  return cronOf(trigger).nextRun(after);
}

function cronOf(trigger: { schedule: string; timezone?: string }): Cron {
  return new Cron(trigger.schedule, { timezone: trigger.timezone ?? 'UTC', paused: true, mode: '5-part' });
}

/**
 * Which scheduled ticks are due, without timers or a database: the plain core of the
 * scheduler. A schedule counts from the moment it is first planned, so ticks that fell due
 * while no process was running are not backfilled; a tick taken less than `TICK_GRACE_MS`
 * late still fires, an older one is skipped.
 */
export class ScheduleClock {
  private readonly entries = new Map<string, Entry>();

  /**
   * Adopts the workflows in force at `now`. A schedule that is new (or whose pattern or time
   * zone changed) starts after `now`; an unchanged one keeps its progress. Answers a line
   * for each schedule that cannot be planned.
   */
  plan(workflows: readonly WorkflowDefinition[], now: Date): string[] {
    const problems: string[] = [];
    const scheduled = workflows.filter((workflow) => workflow.on.schedule !== undefined);
    const names = new Set(scheduled.map((workflow) => workflow.name));
    for (const name of this.entries.keys()) if (!names.has(name)) this.entries.delete(name);
    for (const workflow of scheduled) {
      const trigger = { schedule: workflow.on.schedule!, timezone: workflow.on.timezone };
      const key = `${trigger.schedule}\u0000${trigger.timezone ?? 'UTC'}`;
      const entry = this.entries.get(workflow.name);
      if (entry?.key === key) {
        entry.workflow = workflow;
        continue;
      }
      try {
        const cron = cronOf(trigger);
        this.entries.set(workflow.name, { workflow, key, cron, next: cron.nextRun(now) });
      } catch (error) {
        this.entries.delete(workflow.name);
        problems.push(`${workflow.name}: on.schedule \`${trigger.schedule}\` cannot be planned: ${(error as Error).message}`);
      }
    }
    return problems;
  }

  /** The earliest tick not yet taken, if any. */
  next(): Date | undefined {
    let earliest: Date | undefined;
    for (const { next } of this.entries.values()) if (next && (!earliest || next < earliest)) earliest = next;
    return earliest;
  }

  /**
   * Takes every tick due at `now` (each only once, in time order per workflow). Ticks that
   * are `TICK_GRACE_MS` late or more are skipped; `missed` names the first skipped tick of
   * each workflow that had any.
   */
  take(now: Date): { due: ScheduledTick[]; missed: ScheduledTick[] } {
    const due: ScheduledTick[] = [];
    const missed: ScheduledTick[] = [];
    const oldestOnTime = new Date(now.getTime() - TICK_GRACE_MS);
    for (const entry of this.entries.values()) {
      let tick = entry.next;
      if (!tick || tick > now) continue;
      if (tick <= oldestOnTime) {
        missed.push({ workflow: entry.workflow, at: tick });
        tick = entry.cron.nextRun(oldestOnTime);
      }
      while (tick && tick <= now) {
        due.push({ workflow: entry.workflow, at: tick });
        tick = entry.cron.nextRun(tick);
      }
      entry.next = tick;
    }
    return { due, missed };
  }
}
