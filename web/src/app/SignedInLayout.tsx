import { useEffect, useRef } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, NavLink, Outlet, useLocation, useNavigate, useNavigation } from 'react-router';
import { sessionKey, useSession } from '../auth/session';
import { signOut } from '../auth/session-api';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { StaffContext } from '../ui/staff';
import { navFor } from './nav';

const ROLE_NAMES = { practitioner: 'Practitioner', compliance: 'Compliance', admin: 'Administrator' } as const;

/** The header, navigation and account controls around every signed-in page. */
export function SignedInLayout() {
  const session = useSession();
  const location = useLocation();
  const navigation = useNavigation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const main = useRef<HTMLElement>(null);
  const firstPath = useRef(location.pathname);

  // After a navigation, focus goes to the page's content so a screen reader starts there.
  useEffect(() => {
    if (location.pathname === firstPath.current) return;
    firstPath.current = location.pathname;
    main.current?.focus();
  }, [location.pathname]);

  const signingOut = useRef(false);
  const out = useMutation({
    mutationFn: signOut,
    onSettled: () => {
      // The sign-in page, not this layout's redirect, follows; it says the person signed out.
      signingOut.current = true;
      queryClient.clear();
      queryClient.setQueryData(sessionKey, null);
      navigate('/login', { replace: true, state: { signedOut: true } });
    },
  });

  if (session.isPending) {
    return (
      <main className="narrow">
        <Loading label="Checking your session…" />
      </main>
    );
  }
  if (session.isError) {
    return (
      <main className="narrow">
        <Alert>{describeError(session.error)}</Alert>
        <Button onPress={() => void session.refetch()}>Try again</Button>
      </main>
    );
  }
  if (!session.data) {
    if (signingOut.current) return null;
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  const { staff } = session.data;
  if (staff.mustChangePassword && location.pathname !== '/password') return <Navigate to="/password" replace />;

  return (
    <StaffContext.Provider value={staff}>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          Aftercare<span className="brand-clinic">{staff.clinicName}</span>
        </Link>
        {!staff.mustChangePassword && (
          <nav className="site-nav" aria-label="Main">
            <ul>
              {navFor(staff.role).map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to} end={item.to === '/'}>
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="account">
          <span className="account-name">
            {staff.name} · {ROLE_NAMES[staff.role] ?? staff.role}
          </span>
          {!staff.mustChangePassword && <NavLink to="/password">Change password</NavLink>}
          <Button variant="quiet" onPress={() => out.mutate()} isPending={out.isPending}>
            Sign out
          </Button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} aria-busy={navigation.state === 'loading'}>
        <Outlet />
      </main>
    </StaffContext.Provider>
  );
}
