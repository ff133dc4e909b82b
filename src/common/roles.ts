/** A staff member's role, what `@Allow(...)` checks (principal.ts) and what clinics store per staff member. */
export const STAFF_ROLES = ['practitioner', 'compliance', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
