import { AttemptRecord } from '../delivery/attempt-record';

/** Everything a connector may know about the attempt it is making. */
export interface StepExecutionContext {
  workflow: string;
  runId: string;
  stepId: string;
  /** 1 for the first attempt of this step in this run. */
  attempt: number;
  /**
   * Stable for every attempt of this step in this run: sent as `Idempotency-Key` and as the
   * Standard Webhooks `webhook-id`, so a receiver can drop repeats.
   */
  idempotencyKey: string;
  /**
   * Aborted half a second after the step's timeout, a backstop for a connector that does not
   * enforce `timeoutMs` itself. A run cancelled meanwhile lets its attempts in flight finish.
   */
  signal: AbortSignal;
  /**
   * The step's `timeout`, when the workflow set one. The signal enforces it; this also lets
   * the delivery client use it instead of its own per-request default.
   */
  timeoutMs?: number;
  now(): Date;
}

/**
 * How an attempt ended. `wait` (delay) and `start-workflow` (workflow) are carried out by
 * the engine, which owns the database; a connector never writes to it.
 */
export type StepOutcome =
  | { kind: 'succeeded'; output: unknown; attempt?: AttemptRecord }
  | {
      kind: 'failed';
      error: string;
      /** Network errors, timeouts, 408, 409, 425, 429 and 5xx are worth another attempt. */
      retryable: boolean;
      /** From a `Retry-After` answer, in milliseconds. */
      retryAfterMs?: number;
      attempt?: AttemptRecord;
    }
  | { kind: 'wait'; until: Date }
  | {
      kind: 'start-workflow';
      workflow: string;
      event: unknown;
      /** Whether the step waits for the started run's end and output. */
      wait: boolean;
      /** Starts nothing when an event of the workflow's source, or an earlier start of it, had this key. */
      dedupeKey: string | null;
      /** The step's idempotency key: a repeated attempt of the step never starts a second run. */
      idempotencyKey: string;
    };

/** What a step would send, for `hookflow run --dry-run` and the console's dry run. */
export interface PlannedRequest {
  /** The step kind that made the plan. */
  kind: string;
  /** e.g. `POST http://…`, `SMTP to a@b.c`, `set`, `wait 10m`. */
  summary: string;
  detail: unknown;
}

/**
 * How a step kind executes and plans (see `StepKindDeclaration`). `input` is the step's
 * `with:` rendered with real secrets; `redactedInput` is the same rendered with every secret
 * as `[secret]`, and is the only thing a connector may put in an attempt record or a plan.
 */
export interface Connector {
  execute(input: Record<string, unknown>, redactedInput: Record<string, unknown>, context: StepExecutionContext): Promise<StepOutcome>;
  /**
   * Where an attempt with this input would go (an HTTP origin, the SMTP server), for the
   * per-destination gate; undefined for steps that reach nothing, or input `execute` refuses.
   */
  destination?(input: Record<string, unknown>): string | undefined;
  /**
   * For kinds whose output is made from their input (`set`): the output later steps of the
   * run read, made from the input with real secrets. `execute` answers the copy made from the
   * redacted input, and only that copy is stored; this one lives in memory, and is made again
   * from the step's input when a later execution picks the run up.
   */
  liveOutputOf?(input: Record<string, unknown>): unknown;
  /** Throws `InvalidStepInputError` when a rendered value has the wrong type, as `execute` would fail. */
  plan(redactedInput: Record<string, unknown>, context: Pick<StepExecutionContext, 'idempotencyKey' | 'now'>): PlannedRequest;
}
