import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';

export type Colleague = components['schemas']['StaffDirectoryEntryDto'];

/** The clinic's active colleagues (GET /v1/staff/directory, open to every staff member). */
export function useStaffDirectory() {
  return useQuery({
    queryKey: ['staff', 'directory'],
    staleTime: 5 * 60_000,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/staff/directory', { signal })),
  });
}
