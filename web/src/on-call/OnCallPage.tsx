import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { Alert } from '../ui/Alert';
import { DataTable } from '../ui/DataTable';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { useDocumentTitle } from '../ui/title';
import '../patients/patients.css';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const SOURCE: Record<string, string> = {
  rota: 'On call by the rota.',
  practitioners: 'Nobody is on the rota now, so an urgent flag alerts every practitioner.',
  admins: 'Nobody is on the rota now and the clinic has no practitioner, so an urgent flag alerts the administrators.',
};

/** Who an urgent flag would alert now, and the week's rota (read-only: an administrator changes it). */
export default function OnCallPage() {
  useDocumentTitle('On call');
  const rota = useQuery({ queryKey: ['on-call'], queryFn: ({ signal }) => unwrap(api.GET('/v1/clinic/on-call', { signal })), refetchInterval: 60_000 });
  if (rota.isPending) return <Loading label="Loading the rota…" />;
  if (rota.isError)
    return (
      <>
        <h1>On call</h1>
        <Alert>{describeError(rota.error, { 403: 'Only practitioners and administrators see the on-call rota.' })}</Alert>
      </>
    );
  const { now, shifts, staff, timeZone } = rota.data;
  const nameOf = (id: string) => staff.find((s) => s.id === id)?.name ?? 'A former staff member';
  const sorted = [...shifts].sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start));
  return (
    <>
      <h1>On call</h1>
      <section aria-labelledby="now-heading" className="panel">
        <h2 id="now-heading" style={{ marginTop: 0 }}>
          Now
        </h2>
        <p>{SOURCE[now.source] ?? ''}</p>
        <ul>
          {now.staffUserIds.map((id) => (
            <li key={id}>{nameOf(id)}</li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="rota-heading">
        <h2 id="rota-heading">This week’s rota</h2>
        <p className="muted">Times are in the clinic’s time zone ({timeZone}). An administrator changes the rota.</p>
        {sorted.length === 0 ? (
          <p>The rota is empty: every practitioner is alerted for urgent flags.</p>
        ) : (
          <DataTable className="data" columns={['Day', 'From', 'Until', 'Who']}>
            {sorted.map((s, i) => (
              <tr key={i}>
                <td>{WEEKDAYS[s.weekday - 1]}</td>
                <td>{s.start}</td>
                <td>{s.end <= s.start ? `${s.end} next day` : s.end}</td>
                <td>{nameOf(s.staffUserId)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </>
  );
}
