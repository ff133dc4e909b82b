import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useStaff } from '../ui/staff';
import { useDocumentTitle } from '../ui/title';

/** The admin pages: anyone else who opens the address is told, in words, that it is not for them. */
export function AdminOnly({ children }: { children: ReactNode }) {
  const staff = useStaff();
  if (staff.role !== 'admin') return <NotAllowed />;
  return <>{children}</>;
}

function NotAllowed() {
  useDocumentTitle('Not allowed');
  return (
    <div className="narrow">
      <h1>Not allowed</h1>
      <p>This page is for the clinic’s administrators. Your account cannot open it.</p>
      <p>If you need something changed here, ask an administrator of your clinic.</p>
      <p>
        <Link to="/">Go to the triage queue</Link>
      </p>
    </div>
  );
}
