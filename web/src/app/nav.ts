import type { StaffRole } from '../ui/staff';

/** The main navigation: which areas each role sees (the API still decides what each may do). */
export const NAV: { to: string; label: string; roles: StaffRole[] }[] = [
  { to: '/', label: 'Triage queue', roles: ['practitioner', 'admin', 'compliance'] },
  { to: '/patients', label: 'Patients', roles: ['practitioner', 'admin', 'compliance'] },
  { to: '/on-call', label: 'On call', roles: ['practitioner', 'admin'] },
  { to: '/signals', label: 'Signals', roles: ['compliance', 'admin'] },
  { to: '/reports/course', label: 'Course report', roles: ['compliance', 'admin'] },
];

export function navFor(role: StaffRole) {
  return NAV.filter((item) => item.roles.includes(role));
}
