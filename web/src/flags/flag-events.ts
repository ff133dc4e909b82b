import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { connection, liveUpdates } from '../api/connection';
import { sessionKey } from '../auth/session';

export interface FlagChangeEvent {
  type: 'flag';
  flagId: string;
  caseId: string | null;
  change: string;
  status: 'open' | 'acknowledged' | 'resolved';
  priority: 'urgent' | 'high' | 'normal' | 'low';
}

/** Waits between attempts to open the stream again after the service refused it (1 s doubling up to 15 s). */
export const RECONNECT_MS = { first: 1000, max: 15_000 };
let nextStreamId = 0;

/**
 * The clinic's flag changes, live (GET /v1/events, Server-Sent Events with the session cookie):
 * every change invalidates the cases and flags shown, so they refetch. While the stream is down
 * the banner says live updates are interrupted; it recovers by itself: a dropped connection is
 * retried by the browser, and an error answer (503 while the database is away, a proxy's 502),
 * which makes the browser give up, is retried here with a growing wait, after the session is
 * checked (an ended session sends the person to sign in). When the stream opens again,
 * everything shown is refetched: changes made meanwhile were missed.
 */
export function useFlagEvents(onChange?: (e: FlagChangeEvent) => void): void {
  const queryClient = useQueryClient();
  const handler = useRef(onChange);
  handler.current = onChange;

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const id = `events-${++nextStreamId}`;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let wait = RECONNECT_MS.first;
    let dropped = false;
    let stopped = false;
    const refresh = () => {
      void queryClient.invalidateQueries({ queryKey: ['cases'] });
      void queryClient.invalidateQueries({ queryKey: ['case'] });
      void queryClient.invalidateQueries({ queryKey: ['flag'] });
    };
    const open = () => {
      retry = null;
      if (stopped) return;
      const s = new EventSource('/v1/events', { withCredentials: true });
      source = s;
      s.addEventListener('open', () => {
        wait = RECONNECT_MS.first;
        if (dropped) {
          dropped = false;
          liveUpdates.up(id);
          connection.answered();
          refresh();
        }
      });
      s.addEventListener('error', () => {
        if (stopped) return;
        dropped = true;
        liveUpdates.down(id);
        if (s.readyState !== EventSource.CLOSED) return; // the browser retries a dropped connection itself
        s.close();
        // Refused (401 when the session ended, 503 …): check the session, then try again later.
        void queryClient.invalidateQueries({ queryKey: sessionKey });
        retry = setTimeout(open, wait);
        wait = Math.min(wait * 2, RECONNECT_MS.max);
      });
      s.addEventListener('flag', (message) => {
        let change: FlagChangeEvent;
        try {
          change = JSON.parse((message as MessageEvent<string>).data) as FlagChangeEvent;
        } catch {
          return;
        }
        refresh();
        handler.current?.(change);
      });
    };
    open();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      source?.close();
      liveUpdates.up(id);
    };
  }, [queryClient]);
}
