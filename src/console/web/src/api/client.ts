/** The management API from the browser: bearer token, JSON in and out, `{ error: { code, message } }` surfaced as ApiError. */

const TOKEN_KEY = 'hookflow.adminToken';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The whole `error` object of the answer: `problems` of a 422, `current` of a revision conflict. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = () => void;
const listeners = new Set<Listener>();

/** The admin token kept in this browser; a 401 from the API forgets it and says why. */
export const session = {
  get token(): string | null {
    return localStorage.getItem(TOKEN_KEY);
  },
  /** Why the last session ended, shown on the login page once. */
  endedBecause: null as string | null,
  signIn(token: string): void {
    localStorage.setItem(TOKEN_KEY, token);
    session.endedBecause = null;
    listeners.forEach((listener) => listener());
  },
  signOut(reason: string | null = null): void {
    localStorage.removeItem(TOKEN_KEY);
    session.endedBecause = reason;
    listeners.forEach((listener) => listener());
  },
  subscribe: (listener: Listener): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export interface RequestOptions {
  body?: unknown;
  /** Use this token instead of the session's, and do not end the session on a 401 (the login check). */
  token?: string;
  signal?: AbortSignal;
}

export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const token = options.token ?? session.token;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'Hookflow did not answer: is the server running?');
  }
  const text = await response.text();
  const payload = text ? parseJson(text) : null;
  if (response.ok) return payload as T;
  const error = (payload as { error?: { code?: string; message?: string } & Record<string, unknown> } | null)?.error;
  const failure = new ApiError(
    response.status,
    error?.code ?? `HTTP_${response.status}`,
    error?.message ?? `${response.status} ${response.statusText}`,
    error ?? {},
  );
  if (response.status === 401 && options.token === undefined) {
    session.signOut('The admin token was refused (it may have changed). Sign in again.');
  }
  throw failure;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: 'BAD_ANSWER', message: text.slice(0, 200) } };
  }
}

/** `?a=1&b=2` from an object, leaving out empty values. */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
