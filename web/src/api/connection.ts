import { useSyncExternalStore } from 'react';

/**
 * Whether the service can be reached, as the last requests saw it. The client's middleware
 * reports each answer and each failure; while lost, a probe of /health runs every few seconds
 * and the first answer ends it. TanStack Query follows this state (app/query-client.ts), so
 * paused queries refetch when the connection is back.
 */
type Listener = (reachable: boolean) => void;

let reachable = true;
const listeners = new Set<Listener>();
let probe: (() => Promise<unknown>) | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
const PROBE_EVERY_MS = 3000;

function set(next: boolean): void {
  if (next === reachable) return;
  reachable = next;
  for (const l of listeners) l(reachable);
  if (!reachable) scheduleProbe();
}

function scheduleProbe(): void {
  if (timer || !probe) return;
  timer = setTimeout(async () => {
    timer = null;
    if (reachable) return;
    // The probe's own answer or failure is reported by the middleware like any request.
    await probe!().catch(() => undefined);
    if (!reachable) scheduleProbe();
  }, PROBE_EVERY_MS);
}

export const connection = {
  answered(): void {
    set(true);
  },
  failed(): void {
    set(false);
  },
  isReachable(): boolean {
    return reachable;
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** What to call while the connection is lost (a cheap GET the middleware sees). */
  setProbe(fn: () => Promise<unknown>): void {
    probe = fn;
  },
};

if (typeof window !== 'undefined') {
  window.addEventListener('offline', () => connection.failed());
  // The browser thinks it is back: check with the service rather than trusting it.
  window.addEventListener('online', () => void probe?.().catch(() => undefined));
}

/**
 * Live streams (GET /v1/events) that are down, by the id each hook gave itself: while any is,
 * what a page shows may miss changes, and the banner says so.
 */
const streamsDown = new Set<string>();
const streamListeners = new Set<() => void>();

export const liveUpdates = {
  down(id: string): void {
    if (streamsDown.has(id)) return;
    streamsDown.add(id);
    for (const l of streamListeners) l();
  },
  up(id: string): void {
    if (!streamsDown.delete(id)) return;
    for (const l of streamListeners) l();
  },
  isDown(): boolean {
    return streamsDown.size > 0;
  },
};

export function useLiveUpdatesDown(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      streamListeners.add(onChange);
      return () => streamListeners.delete(onChange);
    },
    () => streamsDown.size > 0,
  );
}

export function useReachable(): boolean {
  return useSyncExternalStore(
    (onChange) => connection.subscribe(onChange),
    () => reachable,
  );
}
