import { StepDefinition } from '../workflows/workflow.types';
import { isFinal, StepState } from './run-plan';

/**
 * The items of a `for_each` step are kept as step states (and `step_runs` rows) of their
 * own, keyed `<step id>[<index>]`: a step id cannot hold `[`, so no key is both. Each item
 * so has its own attempts, retries and next attempt time, reusing the step machinery.
 */
export function itemKey(stepId: string, index: number): string {
  return `${stepId}[${index}]`;
}

const ITEM_KEY = /^(.+)\[(\d+)\]$/;

/** The step and index an item key names; undefined for a step's own key. */
export function parseItemKey(key: string): { stepId: string; index: number } | undefined {
  const match = ITEM_KEY.exec(key);
  return match ? { stepId: match[1], index: Number(match[2]) } : undefined;
}

/** Whether a template with these paths reads the item: an `if` that does not decides for the whole step. */
export function readsItem(paths: readonly string[]): boolean {
  return paths.some((path) => /^(item|index)(\.|$)/.test(path));
}

/** One item as a step's templates read it: `item` and `index`, live and recorded. */
export interface StepItem {
  index: number;
  live: unknown;
  recorded: unknown;
}

/**
 * The items of the step from its rendered `for_each` (live and recorded), or why there are
 * none to run: not a list, or more than `max_items`.
 */
export function itemsOf(step: StepDefinition & { forEach: object }, live: unknown, recorded: unknown): StepItem[] | { error: string } {
  if (!Array.isArray(live) || !Array.isArray(recorded)) {
    return { error: `\`for_each\` of step ${step.id} must give a list, but gave ${describe(recorded)}` };
  }
  if (live.length > step.forEach.maxItems) {
    return {
      error: `\`for_each\` of step ${step.id} gave ${live.length} items, more than its max_items of ${step.forEach.maxItems}: no item was run`,
    };
  }
  const recordedItems: unknown[] = recorded;
  return (live as unknown[]).map((value, index) => ({ index, live: value, recorded: recordedItems[index] }));
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

/** What the step's state becomes once its items ran: still waiting, or final with the list of outputs. */
export type ItemsOutcome =
  | { status: 'running'; nextAttemptAt: Date | null; error: string | null }
  | { status: 'succeeded' | 'failed'; output: unknown[]; liveOutput?: unknown[]; error: string | null };

/**
 * Gathers the items' states: a step whose items are not all final waits for the earliest
 * one due; a failed item fails the step, unless the step continues on error, when its
 * output in the list is `null`, as is a skipped item's.
 */
export function itemsOutcome(step: StepDefinition, states: (StepState | undefined)[]): ItemsOutcome {
  const waiting = states.filter((state) => !isFinal(state?.status ?? 'pending'));
  if (waiting.length > 0) {
    const times = waiting.flatMap((state) => (state?.nextAttemptAt ? [state.nextAttemptAt.getTime()] : []));
    const next = times.length === waiting.length ? new Date(Math.min(...times)) : null;
    const firstError = waiting.find((state) => state?.error)?.error ?? null;
    return { status: 'running', nextAttemptAt: next, error: firstError && `${waiting.length} item(s) waiting: ${firstError}` };
  }
  const failed = states.flatMap((state, index) => (state?.status === 'failed' ? [`item ${index}: ${state.error}`] : []));
  const output = states.map((state) => (state?.status === 'succeeded' ? state.output : null));
  const hasLive = states.some((state) => state?.liveOutput !== undefined);
  const liveOutput = hasLive
    ? states.map((state) => (state?.status !== 'succeeded' ? null : state.liveOutput === undefined ? state.output : state.liveOutput))
    : undefined;
  if (failed.length === 0) return { status: 'succeeded', output, liveOutput, error: null };
  const error = `${failed.length} of ${states.length} items failed: ${failed.join('; ')}`;
  return step.continueOnError ? { status: 'succeeded', output, liveOutput, error } : { status: 'failed', output, error };
}

/** Calls `work` for each entry, at most `limit` at once, starting them in order; stops starting more once `stop()` is true. */
export async function eachWithLimit<T>(entries: T[], limit: number, work: (entry: T) => Promise<void>, stop: () => boolean): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < entries.length && !stop()) await work(entries[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, entries.length) }, lane));
}
