import { useEffect, useRef, useState } from 'react';
import { useLiveUpdatesDown, useReachable } from '../api/connection';

/**
 * Shown while the service cannot be reached, or while the live updates (the triage queue's
 * stream) are down; says so when both are back, then goes.
 */
export function ConnectionBanner() {
  const reachable = useReachable();
  const liveDown = useLiveUpdatesDown();
  const ok = reachable && !liveDown;
  const [restored, setRestored] = useState(false);
  const wasLost = useRef(false);

  useEffect(() => {
    if (!ok) {
      wasLost.current = true;
      setRestored(false);
      return;
    }
    if (!wasLost.current) return;
    wasLost.current = false;
    setRestored(true);
    const t = setTimeout(() => setRestored(false), 4000);
    return () => clearTimeout(t);
  }, [ok]);

  // One live region that stays mounted, so both changes are announced.
  return (
    <div role="status" aria-live="polite" className="connection-region">
      {!reachable && (
        <p className="connection-banner connection-lost">
          <strong>Connection lost.</strong> Aftercare is trying to reconnect; what you see may be out of date.
        </p>
      )}
      {reachable && liveDown && (
        <p className="connection-banner connection-lost">
          <strong>Live updates interrupted.</strong> Reconnecting by itself; until then new or changed flags do not appear here.
        </p>
      )}
      {ok && restored && <p className="connection-banner connection-restored">Connection restored.</p>}
    </div>
  );
}
