import { Outlet } from 'react-router';
import { ConnectionBanner } from '../ui/ConnectionBanner';

/** Around every page, signed in or not. */
export function RootLayout() {
  return (
    <>
      <ConnectionBanner />
      <Outlet />
    </>
  );
}
