import { MutationCache, onlineManager, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError, ConnectionError } from '../api/client';
import { connection } from '../api/connection';
import { sessionKey } from '../auth/session';

/** A 401 anywhere means the session ended (signed out elsewhere, expired, deactivated): back to sign-in. */
function onApiError(err: unknown, key?: readonly unknown[]): void {
  if (!(err instanceof ApiError)) return;
  if (err.statusCode === 401 && key?.[0] !== sessionKey[0]) queryClient.setQueryData(sessionKey, null);
  // A temporary password: the layout sends the person to the change-password page.
  if (err.statusCode === 403 && /password change required/i.test(err.message)) void queryClient.invalidateQueries({ queryKey: sessionKey });
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (err, query) => onApiError(err, query.queryKey) }),
  mutationCache: new MutationCache({ onError: (err) => onApiError(err) }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // Retry only when no answer came; a 4xx will not change by asking again.
      retry: (failures, err) => err instanceof ConnectionError && failures < 3,
    },
    mutations: { retry: false },
  },
});

// TanStack Query pauses and resumes with the service's reachability, not only the browser's idea of online.
onlineManager.setEventListener((setOnline) => connection.subscribe(setOnline));
