import type { ComponentType } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { NotFoundPage } from './NotFoundPage';
import { RootLayout } from './RootLayout';
import { RouteError } from './RouteError';
import { SignedInLayout } from './SignedInLayout';

/** Each page is its own chunk, loaded when first visited; the first load is the shell only. */
function page(load: () => Promise<{ default: ComponentType }>): RouteObject['lazy'] {
  return async () => ({ Component: (await load()).default });
}

export const routes: RouteObject[] = [
  {
    element: <RootLayout />,
    errorElement: <RouteError />,
    children: [
      { path: 'login', lazy: page(() => import('../auth/LoginPage')) },
      {
        element: <SignedInLayout />,
        errorElement: <RouteError />,
        children: [
          { index: true, lazy: page(() => import('../flags/TriageQueuePage')) },
          { path: 'queue', lazy: page(() => import('../flags/TriageQueuePage')) },
          { path: 'flags/:id', lazy: page(() => import('../flags/FlagPage')) },
          { path: 'patients', lazy: page(() => import('../patients/PatientsPage')) },
          { path: 'patients/new', lazy: page(() => import('../patients/NewPatientPage')) },
          { path: 'patients/:id', lazy: page(() => import('../patients/PatientPage')) },
          { path: 'patients/:id/treatments/new', lazy: page(() => import('../patients/RecordTreatmentPage')) },
          { path: 'on-call', lazy: page(() => import('../on-call/OnCallPage')) },
          { path: 'password', lazy: page(() => import('../auth/ChangePasswordPage')) },
          { path: 'admin/staff', lazy: page(() => import('../admin/StaffPage')) },
          { path: 'admin/settings', lazy: page(() => import('../admin/SettingsPage')) },
          { path: 'admin/protocols', lazy: page(() => import('../admin/ProtocolsPage')) },
          { path: 'admin/api-keys', lazy: page(() => import('../admin/ApiKeysPage')) },
          { path: 'adverse-events', lazy: page(() => import('../compliance/AdverseEventsPage')) },
          { path: 'audit', lazy: page(() => import('../compliance/AuditLogPage')) },
          { path: 'integrity', lazy: page(() => import('../compliance/IntegrityPage')) },
          { path: 'signals', lazy: page(() => import('../compliance/SignalsPage')) },
          { path: 'signals/cases', lazy: page(() => import('../compliance/SignalCasesPage')) },
          { path: 'reports/course', lazy: page(() => import('../compliance/CourseReportPage')) },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export const router = createBrowserRouter(routes, { basename: '/app' });
