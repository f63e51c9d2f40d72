/** How one request of a load was answered: a status, or `error` when no answer came (refused, reset, timed out). */
export interface LoadAnswer {
  seq: number;
  sentAt: number;
  status: number | 'error';
}

export interface SteadyLoadOptions {
  /** The URL every request is POSTed to. */
  url: string;
  /** The JSON body of request `seq` (0-based). */
  body(seq: number): unknown;
  ratePerSecond: number;
  /** The load stops at whichever bound comes first: time or count. */
  durationMs: number;
  maxRequests: number;
  /** Requests sent but not answered yet; a slot waits when this many are open. */
  maxInFlight?: number;
  requestTimeoutMs?: number;
}

/**
 * Sends requests at a steady rate (not as fast as answers come back), as webhook senders
 * do, and records how each was answered. Bounded in time and count; never throws for a
 * refused request.
 */
export async function sendSteadily(options: SteadyLoadOptions): Promise<LoadAnswer[]> {
  const { url, ratePerSecond, durationMs, maxRequests, maxInFlight = 64, requestTimeoutMs = 10_000 } = options;
  const answers: LoadAnswer[] = [];
  const open = new Set<Promise<void>>();
  const started = Date.now();
  const intervalMs = 1000 / ratePerSecond;
  for (let seq = 0; seq < maxRequests && Date.now() - started < durationMs; seq++) {
    const dueAt = started + seq * intervalMs;
    if (dueAt > Date.now()) await sleep(dueAt - Date.now());
    if (open.size >= maxInFlight) await Promise.race(open);
    const answer: LoadAnswer = { seq, sentAt: Date.now(), status: 'error' };
    answers.push(answer);
    const request = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(options.body(seq)),
      signal: AbortSignal.timeout(requestTimeoutMs),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        answer.status = response.status;
      })
      .catch(() => undefined)
      .finally(() => open.delete(request));
    open.add(request);
  }
  await Promise.all(open);
  return answers;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
