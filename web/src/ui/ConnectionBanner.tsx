import { useEffect, useRef, useState } from 'react';
import { useReachable } from '../api/connection';

/** Shown while the service cannot be reached; says so when it is back, then goes. */
export function ConnectionBanner() {
  const reachable = useReachable();
  const [restored, setRestored] = useState(false);
  const wasLost = useRef(false);

  useEffect(() => {
    if (!reachable) {
      wasLost.current = true;
      setRestored(false);
      return;
    }
    if (!wasLost.current) return;
    wasLost.current = false;
    setRestored(true);
    const t = setTimeout(() => setRestored(false), 4000);
    return () => clearTimeout(t);
  }, [reachable]);

  // One live region that stays mounted, so both changes are announced.
  return (
    <div role="status" aria-live="polite" className="connection-region">
      {!reachable && (
        <p className="connection-banner connection-lost">
          <strong>Connection lost.</strong> Aftercare is trying to reconnect; what you see may be out of date.
        </p>
      )}
      {reachable && restored && <p className="connection-banner connection-restored">Connection restored.</p>}
    </div>
  );
}
