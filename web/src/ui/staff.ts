import { createContext, useContext } from 'react';
import type { SessionStaff } from '../auth/session-api';

export type { SessionStaff, StaffRole } from '../auth/session-api';

/** The signed-in staff member, provided by the signed-in layout to every page under it. */
export const StaffContext = createContext<SessionStaff | null>(null);

export function useStaff(): SessionStaff {
  const staff = useContext(StaffContext);
  if (!staff) throw new Error('useStaff() outside the signed-in layout');
  return staff;
}

/** Practitioners and admins record care and act on flags; compliance staff read (the API answers them 403). */
export function canCare(staff: SessionStaff): boolean {
  return staff.role === 'practitioner' || staff.role === 'admin';
}
