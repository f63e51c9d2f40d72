interface Waiter<Input, Output> {
  input: Input;
  size: number;
  resolve(output: Output): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions<Input> {
  /** Most inputs written by one statement. */
  maxBatch: number;
  /** Statements of this kind in flight at once; inputs arriving meanwhile wait and batch up. */
  maxConcurrent: number;
  /**
   * Most inputs waiting for a statement (those in flight not counted); beyond it, or beyond
   * `maxWaitingSize`, `submit` refuses at once with GroupCommitFullError. Unbounded if unset.
   */
  maxWaiting?: number;
  /** Most total `sizeOf` of the waiting inputs; an input is always let into an empty queue. */
  maxWaitingSize?: number;
  sizeOf?: (input: Input) => number;
}

/** The queue of a bounded group commit is full: nothing was written, the caller may try again later. */
export class GroupCommitFullError extends Error {
  constructor() {
    super('Too many writes are waiting for the database');
    this.name = GroupCommitFullError.name;
  }
}

/**
 * Group commit: calls that arrive together are written by one statement (one transaction)
 * and each caller's promise settles when that statement has committed. Under load this
 * turns hundreds of transactions into a few; alone, a call costs one round trip as before.
 *
 * `write` gets the inputs of a batch and answers one output per input, in order. A batch
 * that loses a deadlock is written again; one that fails with a data error (SQLSTATE
 * class 22: the row, not the database, is at fault) is retried input by input so that one
 * bad input fails alone.
 */
export class GroupCommit<Input, Output> {
  private waiting: Waiter<Input, Output>[] = [];
  private waitingSize = 0;
  private flushing = 0;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly write: (inputs: Input[]) => Promise<Output[]>,
    private readonly options: GroupCommitOptions<Input>,
    private readonly describeFailure: (error: unknown, count: number) => unknown = (error) => error,
  ) {}

  submit(input: Input): Promise<Output> {
    const size = this.options.sizeOf?.(input) ?? 0;
    if (!this.admits(size)) return Promise.reject(new GroupCommitFullError());
    this.waitingSize += size;
    return new Promise((resolve, reject) => {
      this.waiting.push({ input, size, resolve, reject });
      if (this.flushing < this.options.maxConcurrent) setImmediate(() => void this.flush());
    });
  }

  /** Resolves once every input handed in so far has been written (or has failed). */
  async drain(): Promise<void> {
    while (this.waiting.length > 0 || this.flushing > 0) {
      await new Promise<void>((done) => this.idle.add(done));
    }
  }

  private admits(size: number): boolean {
    const { maxWaiting = Infinity, maxWaitingSize = Infinity } = this.options;
    if (this.waiting.length >= maxWaiting) return false;
    return this.waiting.length === 0 || this.waitingSize + size <= maxWaitingSize;
  }

  private async flush(): Promise<void> {
    if (this.waiting.length === 0 || this.flushing >= this.options.maxConcurrent) return;
    const batch = this.waiting.splice(0, this.options.maxBatch);
    for (const waiter of batch) this.waitingSize -= waiter.size;
    this.flushing++;
    try {
      await this.writeBatch(batch);
    } finally {
      this.flushing--;
      if (this.waiting.length > 0) setImmediate(() => void this.flush());
      else if (this.flushing === 0) {
        for (const done of this.idle) done();
        this.idle.clear();
      }
    }
  }

  private async writeBatch(batch: Waiter<Input, Output>[]): Promise<void> {
    try {
      // Failing a batch on a deadlock would make the engine repeat steps that already had their effect.
      const outputs = await retryingConflicts(() => this.write(batch.map((waiter) => waiter.input)));
      batch.forEach((waiter, index) => waiter.resolve(outputs[index]));
    } catch (error) {
      if (batch.length > 1 && isDataError(error)) {
        for (const waiter of batch) await this.writeBatch([waiter]);
        return;
      }
      const failure = this.describeFailure(error, batch.length);
      for (const waiter of batch) waiter.reject(failure);
    }
  }
}

const MAX_CONFLICT_ATTEMPTS = 5;

/**
 * Runs a one-statement write again when it lost a deadlock or a serialization conflict
 * (up to 5 attempts, a few random milliseconds apart). Concurrent statements that update
 * several rows (group commits, lease renewals) can lock them in different orders;
 * PostgreSQL then rolls one back as a whole, so writing it again is safe.
 */
export async function retryingConflicts<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isTransientConflict(error) || attempt >= MAX_CONFLICT_ATTEMPTS) throw error;
      await new Promise((done) => setTimeout(done, Math.random() * 10 * attempt));
    }
  }
}

/** Deadlock (40P01) or serialization failure (40001): nothing was written, try again. */
function isTransientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

/** SQLSTATE class 22 (data exception): the row, not the database, is at fault. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('22');
}
