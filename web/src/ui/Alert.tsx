import type { ReactNode } from 'react';

/**
 * A message that a screen reader announces when it appears: `error` interrupts (role=alert),
 * `info` waits its turn (role=status). Render it always and change its children, or mount it
 * with the message: both are announced.
 */
export function Alert({ tone = 'error', children }: { tone?: 'error' | 'info' | 'success'; children: ReactNode }) {
  return (
    <div role={tone === 'error' ? 'alert' : 'status'} className={`alert alert-${tone}`}>
      {children}
    </div>
  );
}
