import { setFlagsFromString } from 'node:v8';

/** The old generation may grow to 1.5 times what survived the last full collection. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * The V8 flag Hookflow sets at start, unless the process was started with its own
 * `--heap-growing-percent`. Without one, V8 lets the old generation grow by up to four
 * times what survived the last full collection while the collector looks busy, which on two
 * loaded cores it does: the heap in use is mostly the code of the modules loaded, yet the
 * heap grew to several times that between collections and RSS swung widely over a soak.
 * Limited to 50 %, RSS stays flat at the same latency (the soak in BENCHMARKS.md).
 */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  return execArgv.some((arg) => arg.startsWith('--heap-growing-percent')) ? undefined : `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/** V8 reads this flag at every full collection, so setting it once the process runs takes effect. */
export function limitHeapGrowth(): void {
  const flag = heapGrowthFlag(process.execArgv);
  if (flag) setFlagsFromString(flag);
}
