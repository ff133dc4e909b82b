import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { connection } from '../api/connection';
import { sessionKey } from '../auth/session';

export interface FlagChangeEvent {
  type: 'flag';
  flagId: string;
  caseId: string | null;
  change: string;
  status: 'open' | 'acknowledged' | 'resolved';
  priority: 'urgent' | 'high' | 'normal' | 'low';
}

/**
 * The clinic's flag changes, live (GET /v1/events, Server-Sent Events with the session cookie):
 * every change invalidates the cases and flags shown, so they refetch. A dropped stream shows
 * the connection banner; when it opens again everything shown is refetched (changes may have
 * been missed). A stream closed for good (the session ended) makes the session be checked.
 */
export function useFlagEvents(onChange?: (e: FlagChangeEvent) => void): void {
  const queryClient = useQueryClient();
  const handler = useRef(onChange);
  handler.current = onChange;

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource('/v1/events', { withCredentials: true });
    let dropped = false;
    const refresh = () => {
      void queryClient.invalidateQueries({ queryKey: ['cases'] });
      void queryClient.invalidateQueries({ queryKey: ['case'] });
      void queryClient.invalidateQueries({ queryKey: ['flag'] });
    };
    source.addEventListener('open', () => {
      if (dropped) {
        dropped = false;
        connection.answered();
        refresh();
      }
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        // Not retried by the browser: most likely the session ended (401).
        void queryClient.invalidateQueries({ queryKey: sessionKey });
        return;
      }
      dropped = true;
      connection.failed();
    });
    source.addEventListener('flag', (message) => {
      let change: FlagChangeEvent;
      try {
        change = JSON.parse((message as MessageEvent<string>).data) as FlagChangeEvent;
      } catch {
        return;
      }
      refresh();
      handler.current?.(change);
    });
    return () => source.close();
  }, [queryClient]);
}
