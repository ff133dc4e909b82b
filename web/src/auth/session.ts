import { useQuery } from '@tanstack/react-query';
import { ConnectionError } from '../api/client';
import { getSession } from './session-api';

/** TanStack Query's key for the signed-in session; app/query-client.ts clears it on a 401. */
export const sessionKey = ['session'] as const;

export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: getSession,
    staleTime: 5 * 60_000,
    retry: (failures, err) => err instanceof ConnectionError && failures < 2,
  });
}
