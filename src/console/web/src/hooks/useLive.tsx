import { createContext, ReactNode, useContext, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import type { ChangeMessage } from '../api/types';

export type LiveStatus = 'connecting' | 'live' | 'offline';
type Handler = (message: ChangeMessage) => void;

interface LiveContextValue {
  status: LiveStatus;
  subscribe: (handler: Handler) => () => void;
}

const LiveContext = createContext<LiveContextValue>({ status: 'offline', subscribe: () => () => undefined });

const RECONNECT_MS = [1_000, 3_000, 10_000];
/** Sent to subscribers after a reconnect, so that lists catch up on what they missed meanwhile. */
export const RESYNC: ChangeMessage = { type: 'run.updated', run_id: null, workflow: null, status: null };

/**
 * One EventSource on `GET /api/stream` for the whole console (EventSource cannot send
 * headers, so the token goes as `access_token`). Reconnects with a backoff; a refused token
 * ends the session.
 */
export function LiveProvider({ token, children }: { token: string; children: ReactNode }) {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handlers = useRef(new Set<Handler>());

  useEffect(() => {
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let closed = false;
    let wasOpen = false;
    const dispatch = (message: ChangeMessage) => handlers.current.forEach((handler) => handler(message));

    const connect = () => {
      setStatus('connecting');
      source = new EventSource(`/api/stream?access_token=${encodeURIComponent(token)}`);
      source.onopen = () => {
        failures = 0;
        setStatus('live');
        if (wasOpen) dispatch(RESYNC);
        wasOpen = true;
      };
      source.onmessage = (event: MessageEvent<string>) => {
        try {
          dispatch(JSON.parse(event.data) as ChangeMessage);
        } catch {
          // a frame that is not JSON is not for us
        }
      };
      source.onerror = () => {
        if (source?.readyState !== EventSource.CLOSED) {
          setStatus('connecting');
          return;
        }
        setStatus('offline');
        source.close();
        // Find out whether the token is the reason (a 401 ends the session) before trying again.
        void api('GET', '/api/sources').catch(() => undefined);
        if (closed) return;
        timer = setTimeout(connect, RECONNECT_MS[Math.min(failures++, RECONNECT_MS.length - 1)]);
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [token]);

  const value = useRef<LiveContextValue>({
    status,
    subscribe(handler) {
      handlers.current.add(handler);
      return () => handlers.current.delete(handler);
    },
  });
  value.current = { ...value.current, status };
  return <LiveContext.Provider value={value.current}>{children}</LiveContext.Provider>;
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext).status;
}

/** Calls `handler` (the latest one) with every change message while the component is mounted. */
export function useLiveMessages(handler: Handler): void {
  const { subscribe } = useContext(LiveContext);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => subscribe((message) => latest.current(message)), [subscribe]);
}
