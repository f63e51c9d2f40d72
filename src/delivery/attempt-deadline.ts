/**
 * One signal for the whole attempt: it aborts when `timeoutMs` passes or when the engine's
 * own signal aborts, and remembers which of the two it was.
 */
export class AttemptDeadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private timedOutFlag = false;

  constructor(
    readonly timeoutMs: number,
    private readonly outer?: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => {
      this.timedOutFlag = true;
      this.controller.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    if (outer?.aborted) this.controller.abort(outer.reason);
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  get timedOut(): boolean {
    return this.timedOutFlag;
  }

  get cancelled(): boolean {
    return this.outer?.aborted === true && !this.timedOutFlag;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }

  private readonly onOuterAbort = (): void => this.controller.abort(this.outer?.reason);
}
