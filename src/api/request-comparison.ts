/**
 * One side of a step in a comparison: what the step sent in a run, or would send in a dry run.
 * `request` is `{ method, url, headers, body }` for kinds that make a request (http, slack,
 * e-mail as SMTP), as attempts are stored; another kind's plan detail; null when the step
 * sent nothing.
 */
export interface ComparedSide {
  kind: string;
  /** `sent`: it made its request (or did its work); `skipped`: its `if` skipped it; `not-sent`: it failed first, or was not reached. */
  state: 'sent' | 'skipped' | 'not-sent';
  request: unknown;
  /** Why it sent nothing, or what to know about what it sent. */
  note?: string;
}

export interface ComparedStep extends ComparedSide {
  id: string;
}

export interface FieldChange {
  /** `body.order_id`, `headers.x-event`, `body.items[0].sku`, `url`. */
  path: string;
  /** Absent when the field exists only after. */
  before?: unknown;
  /** Absent when the field exists only before. */
  after?: unknown;
}

export type ComparisonStatus = 'same' | 'changed' | 'added' | 'removed';

export interface StepComparison {
  id: string;
  kind: string;
  status: ComparisonStatus;
  before: unknown;
  after: unknown;
  changes: FieldChange[];
  note?: string;
}

/** Shown in place of headers computed anew for every send, on both sides. */
export const COMPUTED_WHEN_SENT = '(added when sent)';

/**
 * Headers made for each send from the clock and the signing secret: a signature made at
 * another time differs with nothing changed, so only their presence is compared.
 */
export const PER_SEND_HEADERS: readonly string[] = ['webhook-timestamp', 'webhook-signature'];

/**
 * Compares, step by step, what a run sent with what an edit of its workflow would send.
 * Requests are compared field by field: header names case-insensitively, per-send headers by
 * presence, a JSON body by its parsed fields (`body.order_id`), any other body as text.
 */
export class RequestComparison {
  compare(before: readonly ComparedStep[], after: readonly ComparedStep[]): StepComparison[] {
    const beforeById = new Map(before.map((step) => [step.id, step]));
    const afterById = new Map(after.map((step) => [step.id, step]));
    return mergedOrder(before, after).map((id) => {
      const was = beforeById.get(id);
      const will = afterById.get(id);
      if (!was) return { id, kind: will!.kind, status: 'added', before: null, after: will!.request, changes: [], ...noteOf(undefined, will!.note) };
      if (!will) return { id, kind: was.kind, status: 'removed', before: was.request, after: null, changes: [], ...noteOf(was.note, undefined) };
      return this.compareStep(id, was, will);
    });
  }

  private compareStep(id: string, was: ComparedStep, will: ComparedStep): StepComparison {
    const sides = { id, kind: will.kind, before: was.request, after: will.request };
    // What is compared is what is sent: a step that sends nothing on either side is the same, whatever kept it.
    if ((was.request === null) !== (will.request === null)) return { ...sides, status: 'changed', changes: [], note: stateNote(was, will) };
    const changes = was.request === null ? [] : this.changes(was.request, will.request);
    const kindChanged = was.kind !== will.kind;
    const status = changes.length > 0 || kindChanged ? 'changed' : 'same';
    const notes = [kindChanged && `its kind changed from ${was.kind} to ${will.kind}`, noteOf(was.note, will.note).note].filter(Boolean);
    return { ...sides, status, changes, ...(notes.length > 0 && { note: notes.join('; ') }) };
  }

  /** The leaf fields whose values differ, in the order the fields first appear. */
  changes(before: unknown, after: unknown): FieldChange[] {
    const was = leaves(comparable(before));
    const will = leaves(comparable(after));
    const paths = [...new Set([...was.keys(), ...will.keys()])];
    return paths
      .filter((path) => !sameValue(was.get(path), will.get(path)))
      .map((path) => ({ path, ...(was.has(path) && { before: was.get(path) }), ...(will.has(path) && { after: will.get(path) }) }));
  }
}

/** A request with lower-case header names, per-send headers reduced to their presence, and a JSON body parsed. */
function comparable(value: unknown): unknown {
  if (!isRequest(value)) return value;
  const headers = Object.fromEntries(
    Object.entries(value.headers ?? {}).map(([name, text]) => {
      const lower = name.toLowerCase();
      return [lower, PER_SEND_HEADERS.includes(lower) ? COMPUTED_WHEN_SENT : text];
    }),
  );
  return { ...value, headers, body: parsedBody(value.body) };
}

function isRequest(value: unknown): value is { method: string; url: unknown; headers?: Record<string, unknown>; body?: unknown } {
  return isRecord(value) && typeof value.method === 'string' && 'url' in value && (value.headers === undefined || isRecord(value.headers));
}

function parsedBody(body: unknown): unknown {
  if (body === undefined || body === null || body === '') return null;
  if (typeof body !== 'string') return body;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? parsed : body;
  } catch {
    return body;
  }
}

/** Every leaf by path; an empty object or list is a leaf of its own. */
function leaves(value: unknown, path = '', into = new Map<string, unknown>()): Map<string, unknown> {
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [`${path}[${index}]`, item])
    : isRecord(value)
      ? Object.entries(value).map(([key, item]) => [joinPath(path, key), item])
      : [];
  if (entries.length === 0) into.set(path, value);
  for (const [childPath, item] of entries) leaves(item, childPath, into);
  return into;
}

function joinPath(path: string, key: string): string {
  const segment = /^[A-Za-z0-9_$-]+$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  return path === '' || segment.startsWith('[') ? `${path}${segment}` : `${path}.${segment}`;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Steps of the edit in its order; a removed step comes right after the step it followed in the run. */
function mergedOrder(before: readonly ComparedStep[], after: readonly ComparedStep[]): string[] {
  const order = after.map((step) => step.id);
  const present = new Set(order);
  let previous: string | undefined;
  for (const { id } of before) {
    if (!present.has(id)) {
      order.splice(previous === undefined ? 0 : order.indexOf(previous) + 1, 0, id);
      present.add(id);
    }
    previous = id;
  }
  return order;
}

function stateNote(was: ComparedSide, will: ComparedSide): string {
  const describe = (side: ComparedSide, verb: string) =>
    side.state === 'sent' ? `${verb} it` : `${side.state === 'skipped' ? 'skipped it' : 'did not send it'}${side.note ? ` (${side.note})` : ''}`;
  return `the run ${describe(was, 'sent')}; the edit ${describe(will, 'would send')}`;
}

function noteOf(before: string | undefined, after: string | undefined): { note?: string } {
  const notes = [before && `run: ${before}`, after && `edit: ${after}`].filter(Boolean);
  return notes.length > 0 ? { note: notes.join('; ') } : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
