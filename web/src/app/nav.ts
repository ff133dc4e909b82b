import type { StaffRole } from '../ui/staff';

/** The main navigation: which areas each role sees (the API still decides what each may do). */
export const NAV: { to: string; label: string; roles: StaffRole[] }[] = [
  { to: '/', label: 'Triage queue', roles: ['practitioner', 'admin', 'compliance'] },
  { to: '/patients', label: 'Patients', roles: ['practitioner', 'admin', 'compliance'] },
  { to: '/on-call', label: 'On call', roles: ['practitioner', 'admin'] },
  { to: '/admin/staff', label: 'Staff', roles: ['admin'] },
  { to: '/admin/settings', label: 'Clinic settings', roles: ['admin'] },
  { to: '/admin/protocols', label: 'Protocols', roles: ['admin'] },
  { to: '/admin/api-keys', label: 'API keys', roles: ['admin'] },
  { to: '/adverse-events', label: 'Adverse events', roles: ['compliance', 'admin'] },
  { to: '/audit', label: 'Audit log', roles: ['compliance', 'admin'] },
  { to: '/integrity', label: 'Integrity', roles: ['compliance', 'admin'] },
  { to: '/signals', label: 'Signals', roles: ['compliance', 'admin'] },
  { to: '/reports/course', label: 'Course report', roles: ['compliance', 'admin'] },
];

export function navFor(role: StaffRole) {
  return NAV.filter((item) => item.roles.includes(role));
}
